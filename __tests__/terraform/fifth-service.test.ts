/**
 * Adding a service is one entry, proved on a scratch copy of the project:
 * the fifth entry of `__tests__/fifth-service.ts` is pasted into the copy's
 * `platform/services.ts` (the one file edited by hand), then the copy is
 * synthesized and its docs regenerated (generated files), and it passes the
 * whole unit suite (policy rules included), `terraform validate` with the
 * real provider, and the deploy workflow's own steps build its image and
 * print its URL.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { addFifthService, copyProject } from "../fifth-service";
import { tempDir } from "../temp";
import { deployWorkflowTable } from "../workflow-matrix";
import { checkTools, PROJECT_DIR, terraformOk } from "./harness";

const dir = tempDir("fifth");
const copy = path.join(dir, "project");
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The environment of a command run in the copy: this run's own test variables left out. */
const childEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(VITEST|AVAI_TEST_TMP$|TEST$)/.test(name)));

function inCopy(command: string, args: readonly string[]): string {
  const run = spawnSync(command, args, { cwd: copy, env: childEnv, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  expect(run.status, `${command} ${args.join(" ")}\n${run.stdout.slice(-4000)}\n${run.stderr.slice(-4000)}`).toBe(0);
  return run.stdout;
}

/** The project's vitest config with longer timeouts, written into the copy only. */
const SCRATCH_CONFIG = `import base from "./vitest.config.mts";
const projects = (base.test?.projects ?? []) as { test: object }[];
export default {
  ...base,
  test: { ...base.test, projects: projects.map((p) => ({ ...p, test: { ...p.test, testTimeout: 120_000, hookTimeout: 120_000 } })) },
};
`;

/** Files that differ between the project and the copy (both ways), relative paths. */
function changedFiles(a: string, b: string, rel = ""): string[] {
  const names = new Set([
    ...(fs.existsSync(path.join(a, rel)) ? fs.readdirSync(path.join(a, rel)) : []),
    ...fs.readdirSync(path.join(b, rel)),
  ]);
  return [...names].flatMap((name) => {
    const file = path.join(rel, name);
    if (["node_modules", ".git", "dist", "cdktf.out", ".terraform"].includes(name)) return [];
    const [pa, pb] = [path.join(a, file), path.join(b, file)];
    if (fs.existsSync(pb) && fs.statSync(pb).isDirectory()) return changedFiles(a, b, file);
    if (!fs.existsSync(pa) || !fs.existsSync(pb)) return [file];
    return fs.readFileSync(pa).equals(fs.readFileSync(pb)) ? [] : [file];
  });
}

describe("a fifth service from one table entry, in a scratch copy", () => {
  it("synthesizes, passes the unit suite and terraform validate, and is built and deployed by the workflow", async () => {
    checkTools();
    copyProject(PROJECT_DIR, copy);
    addFifthService(copy);
    inCopy("node", ["synth/launch.js"]);
    inCopy("npx", ["tsx", "scripts/docs-tables.ts"]);

    // By hand: the services table only; the rest is what synth and docs write.
    const generated = (file: string) => file.startsWith(`deploy${path.sep}`) || file === "README.md" || file.startsWith(`docs${path.sep}`);
    expect(changedFiles(PROJECT_DIR, copy).filter((f) => !generated(f))).toEqual([path.join("platform", "services.ts")]);

    // The whole unit suite (the policy rules run in every synthesis), on a busy machine: the project's config with
    // generous timeouts (the projects do not inherit command-line timeouts).
    fs.writeFileSync(path.join(copy, "vitest.scratch.mts"), SCRATCH_CONFIG);
    inCopy("npx", ["vitest", "run", "--config", "vitest.scratch.mts", "--project", "unit"]);

    const root = path.join(copy, "deploy", "terraform");
    expect(fs.readFileSync(path.join(root, "services.tf.json"), "utf8")).toContain('"notebook"');
    await terraformOk(root, undefined, ["init", "-input=false", "-backend=false"]);
    const run = await terraformOk(root, undefined, ["validate", "-json"]);
    const result = JSON.parse(run.stdout) as { valid: boolean; diagnostics: { summary: string; detail?: string }[] };
    expect(result.diagnostics.map((d) => `${d.summary}: ${d.detail ?? ""}`)).toEqual([]);
    expect(result.valid).toBe(true);

    const workflow = deployWorkflowTable(copy, path.join(dir, "workflow"));
    expect(workflow.images).toContainEqual({ tag: "notebook", dockerfile: "docker/Dockerfile.notebook" });
    expect(workflow.urlOutputs).toContain("notebook_url");
    expect(Object.keys(JSON.parse(fs.readFileSync(path.join(root, "main.tf.json"), "utf8")).output)).toContain("notebook_url");
  });
});
