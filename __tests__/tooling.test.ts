/**
 * The team's tooling and docs name only what exists: Makefile targets,
 * scripts, npm scripts, root variables and outputs.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { INTENDED_CHANGES } from "../platform/intended-changes";
import { SERVICE_KEYS, SERVICES, urlOutputName, type ServiceTable } from "../platform/services";
import { renderWorkflowTable } from "../synth/workflow-table";
import { mergeRoot, renderPlatform, type Json } from "./helpers";
import { testTmp } from "./temp";
import { deployWorkflowTable } from "./workflow-matrix";

const PROJECT = path.resolve(__dirname, "..");
const read = (file: string) => fs.readFileSync(path.join(PROJECT, file), "utf8");

let root: Json;
let variables: Set<string>;
let outputs: Set<string>;
const targets = new Set([...read("Makefile").matchAll(/^([a-z][a-z-]*):/gm)].map((m) => m[1]));
const npmScripts = new Set(Object.keys((JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts));

beforeAll(() => {
  root = mergeRoot(renderPlatform());
  variables = new Set(Object.keys(root.variable));
  outputs = new Set(Object.keys(root.output));
});

/** Every name a shell text refers to, by kind. */
function references(text: string) {
  return {
    targets: [...text.matchAll(/\bmake ([a-z][a-z-]*)/g)].map((m) => m[1]),
    npm: [...text.matchAll(/\bnpm run ([a-z][a-z:-]*)/g)].map((m) => m[1]),
    outputs: [...text.matchAll(/\boutput (?:-raw|-json) ([a-z_]+)/g)].map((m) => m[1]),
    variables: [
      ...[...text.matchAll(/-var="?([a-z_]+)=/g)].map((m) => m[1]),
      ...[...text.matchAll(/\bTF_VAR_([a-z_]+)/g)].map((m) => m[1]),
    ],
    scripts: [...text.matchAll(/\b(scripts\/[\w.-]+)/g)].map((m) => m[1]),
  };
}

function expectAllExist(text: string, where: string) {
  const refs = references(text);
  expect(
    refs.targets.filter((t) => !targets.has(t)),
    `${where}: make targets`,
  ).toEqual([]);
  expect(
    refs.npm.filter((s) => !npmScripts.has(s)),
    `${where}: npm scripts`,
  ).toEqual([]);
  expect(
    refs.outputs.filter((o) => !outputs.has(o)),
    `${where}: outputs`,
  ).toEqual([]);
  expect(
    refs.variables.filter((v) => !variables.has(v)),
    `${where}: variables`,
  ).toEqual([]);
  expect(
    refs.scripts.filter((s) => !fs.existsSync(path.join(PROJECT, s))),
    `${where}: scripts`,
  ).toEqual([]);
  return refs;
}

describe("Makefile", () => {
  it("has the team's targets", () => {
    for (const t of ["synth", "test", "plan", "deploy-infra", "deploy-services", "destroy", "migrate-state", "diff", "deploy"]) {
      expect(targets, t).toContain(t);
    }
  });

  it.each(["plan", "deploy-infra", "deploy-services", "destroy", "migrate-state"])(
    "make %s says so when terraform is missing",
    (target) => {
      const run = spawnSync("make", ["--no-print-directory", "-C", PROJECT, target, "TERRAFORM=no-such-terraform"], { encoding: "utf8" });
      expect(run.status).not.toBe(0);
      expect(run.stdout).toContain("no-such-terraform is not on PATH: install terraform >= 1.11");
    },
  );

  it("deploys base infrastructure with create_ecs_services=false and the full platform with true", () => {
    const text = read("Makefile");
    expect(text).toMatch(/deploy-infra:[\s\S]*?-var="create_ecs_services=false"/);
    expect(text).toMatch(/deploy-services:[\s\S]*?-var="create_ecs_services=true"/);
    expect(text).toMatch(/migrate-state:[\s\S]*?init -migrate-state/);
  });
});

describe("workflows", () => {
  const workflows = ["deploy.yml", "destroy.yml"].map((name) => {
    const text = read(`.github/workflows/${name}`);
    return {
      name,
      text,
      doc: parse(text) as {
        jobs: Record<string, { steps: { run?: string; env?: Record<string, string> }[] }>;
        env?: Record<string, string>;
      },
    };
  });

  it.each(workflows)("$name is valid YAML with jobs", ({ doc }) => {
    expect(Object.keys(doc.jobs).length).toBeGreaterThan(0);
  });

  it.each(workflows)("$name refers only to existing targets, scripts, variables and outputs", ({ name, doc }) => {
    const runs = Object.values(doc.jobs)
      .flatMap((job) => job.steps.map((s) => s.run ?? ""))
      .join("\n");
    const env = Object.keys(doc.env ?? {})
      .map((k) => `${k}`)
      .join("\n");
    const refs = expectAllExist(`${runs}\n${env}`, name);
    expect(refs.targets.length + refs.scripts.length).toBeGreaterThan(0);
  });

  it.each(workflows)(
    "$name acts on the environment it is given, through the project's scripts (never plain terraform -chdir)",
    ({ text, doc }) => {
      expect(doc.env?.ENV).toMatch(/inputs\.environment/);
      expect(text).not.toMatch(/terraform -chdir/);
      const deploying = Object.entries(doc.jobs).filter(([, job]) => job.steps.some((s) => /make |scripts\//.test(s.run ?? "")));
      expect(deploying.length).toBeGreaterThan(0);
      for (const [id, job] of deploying) expect((job as { environment?: string }).environment, id).toMatch(/inputs\.environment/);
    },
  );

  it("deploy checks that the committed root and services file are fresh", () => {
    const deploy = workflows[0].text;
    expect(deploy).toContain("git diff --exit-code -- deploy/terraform deploy/services.json");
    expect(deploy).toContain("TF_VAR_aws_region: us-west-1");
    expect(read("deploy/services.json"), "run `npm run synth` and commit deploy/services.json").toBe(renderWorkflowTable(SERVICES));
  });

  it("deploy builds one image per tag of the services table and prints every service's URL, from deploy/services.json", () => {
    const { images, urlOutputs } = deployWorkflowTable(PROJECT, path.join(testTmp(), "workflow"));
    const tags = [...new Set(Object.values(SERVICES as ServiceTable).map((s) => s.imageTag))];
    expect(images).toEqual(
      tags.map((tag) => ({ tag, dockerfile: Object.values(SERVICES as ServiceTable).find((s) => s.imageTag === tag)?.dockerfile })),
    );
    expect(urlOutputs).toEqual(SERVICE_KEYS.map(urlOutputName));
    for (const name of urlOutputs) expect(outputs.has(name), name).toBe(true);
  });
});

describe("docs", () => {
  const docs = [
    "README.md",
    "docs/MIGRATION.md",
    "docs/EFS.md",
    "docs/ARCHITECTURE.md",
    "docs/POLICY.md",
    "docs/SAFE-CHANGES.md",
    "docs/HARDENING.md",
    "docs/ALARMS.md",
    "docs/OPERATIONS.md",
    "docs/ENVIRONMENTS.md",
    "docs/REVIEW.md",
  ];

  it.each(docs)("%s names only existing make targets, npm scripts, outputs, variables and scripts", (file) => {
    expectAllExist(read(file), file);
  });

  it.each(docs)("%s names only existing variables and outputs in backticks", (file) => {
    const named = [...read(file).matchAll(/`([a-z]+_[a-z0-9_]+)`/g)].map((m) => m[1]);
    const attributes = new Set(INTENDED_CHANGES.map((c) => c.attribute.split(/[./]/)[0]));
    const known = (n: string) =>
      variables.has(n) ||
      outputs.has(n) ||
      attributes.has(n) ||
      /^aws_[a-z0-9_]+$/.test(n) ||
      ["use_lockfile", "create_ecs_services", "force_new_deployment", "kms_key_id", "inline_policy"].includes(n);
    expect(
      named.filter((n) => !known(n)),
      file,
    ).toEqual([]);
  });

  it("MIGRATION.md lists every intended change of the switch and the plan summary (run `npm run docs`)", async () => {
    const { MIGRATION, renderMigration } = await import("../scripts/docs-tables");
    const { INTENDED_CHANGES, planSummary } = await import("../platform/intended-changes");
    const text = fs.readFileSync(MIGRATION, "utf8");
    expect(text).toBe(renderMigration(text));
    expect(text).toContain(planSummary());
    for (const c of INTENDED_CHANGES) expect(text.includes(`\`${c.address}\``), c.address).toBe(true);
  });

  it("ENVIRONMENTS.md's cost table is what the cost model says of each environments/*.tfvars (run `npm run docs`)", async () => {
    const { ENVIRONMENTS_DOC, renderEnvironments } = await import("../scripts/docs-tables");
    const text = fs.readFileSync(ENVIRONMENTS_DOC, "utf8");
    expect(text).toBe(await renderEnvironments(text));
    expect(text).toMatch(/\| \*\*total\*\* \| \*\*\$[\d,.]+\*\* \| \*\*\$[\d,.]+\*\* \|/);
  });

  it("POLICY.md lists every rule the code runs", async () => {
    const { RULES } = await import("../synth/policy/rules");
    const text = read("docs/POLICY.md");
    for (const r of RULES) expect(text, r.id).toContain(`| ${r.id} |`);
  });

  it("EFS.md states the throughput, its cost and the mount matrix the code declares", () => {
    const text = read("docs/EFS.md");
    expect(root.variable.efs_provisioned_throughput_mibps.default).toBe(100);
    expect(text).toContain("Provisioned, 100 MiB/s");
    expect(text).toContain("100 MiB/s ≈ $600–720 a month");
    expect(text).toMatch(/\| API \| `\/app\/experiments` \| read\/write/);
    expect(text).toMatch(/\| UI \| `\/app\/experiments` \| read-only/);
    expect(text).toMatch(/\| MLflow \| — \| none/);
  });
});
