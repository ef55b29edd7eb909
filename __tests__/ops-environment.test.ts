import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { loadValues } from "../ops/cost";
import { resolveEnvironment } from "../ops/environment";
import { OpsError } from "../ops/errors";
import { readOutputs } from "../ops/platform";

// HashiCorp's HCL parser loads its WebAssembly on first use: seconds on a busy machine.
vi.setConfig({ testTimeout: 30_000 });

const ROOT = path.join(__dirname, "..", "deploy", "terraform");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ops-env-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function layout(): { tfDir: string; envDir: string } {
  const dir = fs.mkdtempSync(path.join(tmp, "root-"));
  const tfDir = path.join(dir, "terraform");
  const envDir = path.join(dir, "environments");
  fs.mkdirSync(tfDir);
  fs.mkdirSync(envDir);
  fs.copyFileSync(path.join(ROOT, "main.tf.json"), path.join(tfDir, "main.tf.json"));
  return { tfDir, envDir };
}

describe("ops commands act on the environment make would (ENV / --env)", () => {
  it("prod reads the root's own state; another environment reads its own data directory and variable file", () => {
    const { tfDir, envDir } = layout();
    fs.writeFileSync(path.join(envDir, "staging.tfvars"), 'efs_throughput_mode = "elastic"\n');
    expect(resolveEnvironment("prod", tfDir, envDir)).toMatchObject({
      name: "prod",
      terraformEnv: {},
      variableFile: undefined,
      variables: {},
    });
    const staging = resolveEnvironment("staging", tfDir, envDir);
    expect(staging.terraformEnv).toEqual({ TF_DATA_DIR: path.join(tfDir, ".terraform-staging") });
    expect(staging.variableFile).toBe(path.join(envDir, "staging.tfvars"));
    expect(staging.variables).toEqual({ environment: "staging" });
  });

  it("an unknown environment is refused, naming the file it lacks and the environments there are", () => {
    const { tfDir, envDir } = layout();
    fs.writeFileSync(path.join(envDir, "staging.tfvars"), "");
    expect(() => resolveEnvironment("qa", tfDir, envDir)).toThrow(/qa\.tfvars does not exist\. Environments here: prod staging\./);
    expect(() => resolveEnvironment("Staging!", tfDir, envDir)).toThrow(/2-10 lower-case letters or digits/);
  });

  it("terraform output runs with the environment's TF_DATA_DIR, and an environment never initialised is named with its fix", () => {
    const { tfDir, envDir } = layout();
    fs.writeFileSync(path.join(envDir, "staging.tfvars"), "");
    const staging = resolveEnvironment("staging", tfDir, envDir);
    expect(() => readOutputs(tfDir, staging.terraformEnv)).toThrow(/environment staging is not initialised .*make init ENV=staging/);
    fs.mkdirSync(path.join(tfDir, ".terraform-staging"));
    const calls: { args: readonly string[]; env?: NodeJS.ProcessEnv }[] = [];
    const run = ((_cmd: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv }) => {
      calls.push({ args, env: options.env });
      return { status: 0, stdout: '{"aws_region":{"value":"us-west-1"}}', stderr: "" };
    }) as unknown as typeof import("node:child_process").spawnSync;
    expect(readOutputs(tfDir, staging.terraformEnv, run)).toEqual({ aws_region: { value: "us-west-1" } });
    expect(calls[0].args).toEqual([`-chdir=${tfDir}`, "output", "-json", "-no-color"]);
    expect(calls[0].env?.TF_DATA_DIR).toBe(path.join(tfDir, ".terraform-staging"));
  });

  it("cost reads the variables as make passes them: defaults, the root's files, the environment's file, then environment", async () => {
    const { tfDir, envDir } = layout();
    fs.writeFileSync(path.join(tfDir, "terraform.tfvars"), 'efs_throughput_mode = "bursting"\napi_cpu = 4096\n');
    fs.writeFileSync(path.join(envDir, "staging.tfvars"), 'efs_throughput_mode = "elastic"\n');
    const prod = await loadValues(tfDir, resolveEnvironment("prod", tfDir, envDir));
    expect([prod.values.efs_throughput_mode, prod.values.api_cpu, prod.values.environment]).toEqual(["bursting", 4096, "prod"]);
    const staging = await loadValues(tfDir, resolveEnvironment("staging", tfDir, envDir));
    expect([staging.values.efs_throughput_mode, staging.values.api_cpu, staging.values.environment]).toEqual(["elastic", 4096, "staging"]);
    expect(staging.files.map((f) => path.basename(f))).toEqual(["terraform.tfvars", "staging.tfvars"]);
  });

  it("errors are OpsErrors (the CLI prints their message and exits with their code, no stack)", () => {
    const { tfDir, envDir } = layout();
    expect(() => resolveEnvironment("nope", tfDir, envDir)).toThrow(OpsError);
  });
});
