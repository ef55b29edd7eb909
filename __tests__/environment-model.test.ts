/**
 * The environment model (platform/environment.ts) without Terraform: what an
 * environment name gives, the variable files in Terraform's order, their
 * parsing (HCL and JSON, values over several lines), the leak and
 * undeclared-variable checks, the data-loss decision from a shown plan, the
 * held inputs read from a state; and that nothing else in the project knows
 * the environment rules.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { allowedDataLoss, dataLossOf, dataLossRefusal } from "../platform/data-loss";
import { autoVariableFiles, resolveEnvironment } from "../platform/environment";
import { heldChanges, heldValues } from "../platform/held-inputs";
import { syncRoot } from "../platform/sandbox-root";
import {
  closestName,
  effectiveValues,
  leakedVariables,
  parseVariableFile,
  parseVariableFiles,
  undeclaredVariables,
} from "../platform/variables";
import { tempDir } from "./temp";

// HashiCorp's HCL parser loads its WebAssembly on first use: seconds on a busy machine.
vi.setConfig({ testTimeout: 30_000 });

const PROJECT = path.resolve(__dirname, "..");
let tfDir: string;
let envDir: string;

beforeEach(() => {
  const work = tempDir("model");
  tfDir = path.join(work, "root");
  envDir = path.join(work, "environments");
  fs.mkdirSync(tfDir);
  fs.mkdirSync(envDir);
});

describe("an environment name in, everything about it out", () => {
  it("prod: the live state key, Terraform's own data dir, tfplan, the root's files then prod.tfvars", () => {
    fs.writeFileSync(path.join(tfDir, "terraform.tfvars"), "api_cpu = 1024\n");
    fs.writeFileSync(path.join(envDir, "prod.tfvars"), "ui_cpu = 512\n");
    const prod = resolveEnvironment({ tfDir, envDir });
    expect(prod).toMatchObject({
      name: "prod",
      live: true,
      stateKey: "terraform.tfstate",
      stateBucket: "autovisionai-terraform-state",
      stateRegion: "us-west-1",
      dataDir: undefined,
      terraformEnv: {},
      planFile: "tfplan",
      variables: {},
      backendArgs: [],
    });
    expect(prod.variableFiles).toEqual([path.join(tfDir, "terraform.tfvars"), path.join(envDir, "prod.tfvars")]);
    expect(prod.varArgs).toEqual([`-var-file=${envDir}/prod.tfvars`]);
  });

  it("staging: its own state key, data dir, plan file, file and environment variable; another bucket when named", () => {
    fs.writeFileSync(path.join(envDir, "staging.tfvars"), "");
    const staging = resolveEnvironment({ name: "staging", tfDir, envDir, stateBucket: "team-state", stateRegion: "eu-west-1" });
    expect(staging).toMatchObject({
      live: false,
      stateKey: "env/staging/terraform.tfstate",
      stateBucket: "team-state",
      stateRegion: "eu-west-1",
      dataDir: path.join(tfDir, ".terraform-staging"),
      terraformEnv: { TF_DATA_DIR: path.join(tfDir, ".terraform-staging") },
      planFile: "tfplan-staging",
      variables: { environment: "staging" },
      backendArgs: [
        "-backend-config=key=env/staging/terraform.tfstate",
        "-backend-config=bucket=team-state",
        "-backend-config=region=eu-west-1",
      ],
      varArgs: [`-var-file=${envDir}/staging.tfvars`, "-var", "environment=staging"],
    });
  });

  it("refuses a malformed name and an environment without its file", () => {
    expect(() => resolveEnvironment({ name: "Qa!", tfDir, envDir })).toThrow("2-10 lower-case letters or digits");
    fs.writeFileSync(path.join(envDir, "staging.tfvars"), "");
    expect(() => resolveEnvironment({ name: "qa", tfDir, envDir })).toThrow(
      `ENV=qa: ${envDir}/qa.tfvars does not exist. Environments here: prod staging.`,
    );
  });

  it("lists the root's variable files in Terraform's load order", () => {
    for (const f of [
      "b.auto.tfvars.json",
      "terraform.tfvars.json",
      "a.auto.tfvars",
      "terraform.tfvars",
      "b.auto.tfvars",
      "notes.tfvars",
      "x.tf.json",
    ]) {
      fs.writeFileSync(path.join(tfDir, f), "");
    }
    expect(autoVariableFiles(tfDir).map((f) => path.basename(f))).toEqual([
      "terraform.tfvars",
      "terraform.tfvars.json",
      "a.auto.tfvars",
      "b.auto.tfvars",
      "b.auto.tfvars.json",
    ]);
  });
});

describe("variable files, parsed for real", () => {
  it("reads HCL with values over several lines, and JSON", async () => {
    const hcl = path.join(tfDir, "terraform.tfvars");
    fs.writeFileSync(
      hcl,
      'alb_ingress_cidr_blocks = [\n  "10.0.0.0/8",\n  "192.168.0.0/16",\n]\n# a comment = 1\napi_cpu=2048\ntags = {\n  team = "ml"\n}\n',
    );
    const json = path.join(tfDir, "x.auto.tfvars.json");
    fs.writeFileSync(json, '{"ui_cpu": 512, "mlflow_publc": false}\n');
    const [a, b] = await parseVariableFiles([hcl, json]);
    expect(Object.keys(a.values).sort()).toEqual(["alb_ingress_cidr_blocks", "api_cpu", "tags"]);
    expect(a.values.alb_ingress_cidr_blocks).toEqual(["10.0.0.0/8", "192.168.0.0/16"]);
    expect(b.values).toEqual({ ui_cpu: 512, mlflow_publc: false });
  });

  it("refuses a file that is not HCL, naming it", async () => {
    const bad = path.join(tfDir, "terraform.tfvars");
    fs.writeFileSync(bad, "api_cpu = = 1\n");
    await expect(parseVariableFile(bad)).rejects.toThrow(`${bad}: not a valid variable file`);
  });

  it("names each undeclared variable with the declared name closest to it", () => {
    const declared = ["mlflow_public", "ui_cpu", "efs_provisioned_throughput_mibps", "api_cpu"];
    const found = undeclaredVariables(
      [{ file: "/r/terraform.tfvars", values: { mlflow_publc: false, ui_cpus: 2048, api_cpu: 1 } }],
      declared,
    );
    expect(found).toEqual([
      { name: "mlflow_publc", file: "/r/terraform.tfvars", closest: "mlflow_public" },
      { name: "ui_cpus", file: "/r/terraform.tfvars", closest: "ui_cpu" },
    ]);
    expect(closestName("efs_mibps", declared)).toBe("efs_provisioned_throughput_mibps");
  });

  it("finds what the root's files set and the environment's file does not, outside prod only", async () => {
    fs.writeFileSync(path.join(tfDir, "terraform.tfvars"), 'aws_region = "us-west-1"\napi_cpu = 4096\n');
    fs.writeFileSync(path.join(envDir, "staging.tfvars"), 'aws_region = "us-west-1"\n');
    const staging = resolveEnvironment({ name: "staging", tfDir, envDir });
    const parsed = await parseVariableFiles(staging.variableFiles);
    expect(leakedVariables(staging, parsed)).toEqual([{ name: "api_cpu", file: path.join(tfDir, "terraform.tfvars") }]);
    const prod = resolveEnvironment({ tfDir, envDir });
    expect(leakedVariables(prod, await parseVariableFiles(prod.variableFiles))).toEqual([]);
  });

  it("gives each variable the value Terraform will: defaults, TF_VAR_, files in order, then -var", () => {
    const values = effectiveValues(
      { aws_region: "us-west-1", api_cpu: 1024, ui_cpu: 512 },
      [
        { file: "a", values: { api_cpu: 2048 } },
        { file: "b", values: { api_cpu: 4096, ui_cpu: 1024 } },
      ],
      { ui_cpu: "256" },
      { TF_VAR_aws_region: "eu-west-1" },
    );
    expect(values).toEqual({ aws_region: "eu-west-1", api_cpu: 4096, ui_cpu: "256" });
  });
});

describe("data loss, decided from the plan's resource changes", () => {
  const known = ["aws_ecr_repository.autovisionai", "aws_s3_bucket.mlflow_artifacts", "aws_secretsmanager_secret.wandb_api_key"];
  const plan = {
    resource_changes: [
      { address: "aws_s3_bucket.mlflow_artifacts", change: { actions: ["delete", "create"] } },
      { address: "aws_secretsmanager_secret.wandb_api_key", change: { actions: ["create", "delete"] } },
      { address: "aws_ecr_repository.autovisionai", change: { actions: ["update"] } },
      { address: "aws_vpc.main", change: { actions: ["delete"] } },
    ],
  };

  it("lists every protected resource deleted or replaced, and nothing else", () => {
    expect(dataLossOf(plan, known)).toEqual(["aws_s3_bucket.mlflow_artifacts", "aws_secretsmanager_secret.wandb_api_key"]);
  });

  it("lets the plan through only when ALLOW_DATA_LOSS names exactly those, or all", () => {
    const hits = dataLossOf(plan, known);
    expect(dataLossRefusal(hits, allowedDataLoss(undefined, known))).toContain(
      'ALLOW_DATA_LOSS="aws_s3_bucket.mlflow_artifacts aws_secretsmanager_secret.wandb_api_key"',
    );
    expect(dataLossRefusal(hits, allowedDataLoss("aws_s3_bucket.mlflow_artifacts", known))).toContain("it must name exactly these");
    expect(
      dataLossRefusal(hits, allowedDataLoss("aws_secretsmanager_secret.wandb_api_key aws_s3_bucket.mlflow_artifacts", known)),
    ).toBeUndefined();
    expect(dataLossRefusal(hits, allowedDataLoss("all", known))).toBeUndefined();
    expect(dataLossRefusal([], allowedDataLoss("aws_s3_bucket.mlflow_artifacts", known))).toContain("destroys or replaces none of it");
    expect(() => allowedDataLoss("aws_vpc.main", known)).toThrow("ALLOW_DATA_LOSS names aws_vpc.main, which holds no data here");
  });
});

describe("held inputs, read from the state", () => {
  const state = {
    resources: [
      {
        mode: "managed",
        type: "terraform_data",
        name: "platform_identity",
        instances: [{ attributes: { input: { value: { aws_region: "us-west-1", environment: "prod", project_name: "autovisionai" } } } }],
      },
    ],
  };

  it("refuses a region or environment change with the root's own reason", () => {
    const held = heldValues(state);
    expect(heldChanges(held, { aws_region: "us-west-1", environment: "prod", project_name: "autovisionai" })).toEqual([]);
    const [region, environment] = heldChanges(held, { aws_region: "us-east-1", environment: "staging", project_name: "autovisionai" });
    expect(region).toContain("aws_region is held at us-west-1 since the platform was created, and this plan sets it to us-east-1.");
    expect(environment).toContain("Deploy another environment beside this one instead");
    expect(heldChanges(heldValues({}), { aws_region: "us-east-1" })).toEqual([]);
  });
});

describe("the sandbox's root", () => {
  it("is made again from the synthesized root: its *.tf.json and variable files, stale ones removed, Terraform's own files kept", () => {
    const sandbox = path.join(envDir, "sandbox-root");
    fs.mkdirSync(sandbox);
    fs.writeFileSync(path.join(tfDir, "main.tf.json"), "{}");
    fs.writeFileSync(path.join(tfDir, "terraform.tfvars"), "api_cpu = 1024\n");
    fs.writeFileSync(path.join(sandbox, "old.auto.tfvars"), "");
    fs.writeFileSync(path.join(sandbox, "gone.tf.json"), "{}");
    fs.writeFileSync(path.join(sandbox, ".terraform.lock.hcl"), "");
    expect(syncRoot(tfDir, sandbox)).toEqual([path.join(tfDir, "terraform.tfvars")]);
    expect(fs.readdirSync(sandbox).sort()).toEqual([".terraform.lock.hcl", "main.tf.json", "terraform.tfvars"]);
  });
});

/** Folders that hold no source of the project's own: installed, built or generated, and the environments' own data. */
const NOT_SOURCE = new Set(["node_modules", ".git", "dist", "cdktf.out", ".terraform", ".sandbox", "deploy"]);

/** The project's source files, relative paths (a scratch copy of the project has no git to ask). */
function sourceFiles(root: string, rel = ""): string[] {
  return fs.readdirSync(path.join(root, rel), { withFileTypes: true }).flatMap((entry) => {
    const file = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) return NOT_SOURCE.has(entry.name) ? [] : sourceFiles(root, file);
    return [file];
  });
}

describe("one copy of the environment rules", () => {
  it("no file outside platform/environment.ts (and the tests) knows the data dir or the state key layout", () => {
    const files = sourceFiles(PROJECT)
      .filter((f) => /\.(ts|js|mts|sh|yml|yaml)$|(^|\/)Makefile$/.test(f))
      .filter((f) => !f.startsWith("__tests__/") && f !== "platform/environment.ts");
    const offenders = files.filter(
      (f) =>
        fs.existsSync(path.join(PROJECT, f)) &&
        /\.terraform-|["'`/ ]env\/\$|["'`]env\//.test(fs.readFileSync(path.join(PROJECT, f), "utf8")),
    );
    expect(offenders).toEqual([]);
  });
});
