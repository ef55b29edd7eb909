/**
 * Environments without AWS: which state, variables and data dir each ENV
 * gives terraform (scripts/environment.sh through scripts/terraform.sh and
 * make), and which variable files the cdktf path reads. A stub terraform
 * records what it was called with; the suites against moto apply for real
 * (__tests__/terraform/environments.test.ts).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { PLATFORM } from "../platform/config";
import { resolveEnvironment, stateKey as environmentStateKey } from "../platform/environment";
import { inputTable } from "../platform/inputs";
import { SERVICES } from "../platform/services";
import { copyVariableFiles } from "../synth/variable-files";
import { tempDir } from "./temp";

const PROJECT = path.resolve(__dirname, "..");
// Each call starts the wrapper (node, the ops bundle, the HCL parser): seconds on a busy machine.
vi.setConfig({ testTimeout: 60_000 });

let work: string;
let tfDir: string;
let envDir: string;
let log: string;

beforeEach(() => {
  work = tempDir("env");
  tfDir = path.join(work, "root");
  envDir = path.join(work, "environments");
  log = path.join(work, "calls.log");
  fs.mkdirSync(tfDir);
  fs.mkdirSync(envDir);
  // The root's declared variables and protected resources, as synthesized.
  fs.copyFileSync(path.join(PROJECT, "deploy", "terraform", "main.tf.json"), path.join(tfDir, "main.tf.json"));
  const stub = path.join(work, "terraform");
  // Records each call: its data dir and arguments, one line per call (a plan changes something, -detailed-exitcode's 2,
  // and shown as JSON lists no resource; no state).
  fs.writeFileSync(
    stub,
    `#!/usr/bin/env bash\necho "TF_DATA_DIR=\${TF_DATA_DIR:-} $*" >>"${log}"\ncase "$*" in *" show -json "*) echo '{}' ;; *" plan "*) exit 2 ;; esac\n`,
    { mode: 0o755 },
  );
});

function run(script: string, args: string[], env: Record<string, string> = {}) {
  const result = spawnSync("bash", [path.join(PROJECT, "scripts", script), ...args], {
    encoding: "utf8",
    env: { ...process.env, TERRAFORM: path.join(work, "terraform"), TF_DIR: tfDir, ENV_DIR: envDir, ...env },
  });
  const calls = fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n") : [];
  return { code: result.status, output: `${result.stdout}${result.stderr}`, calls };
}

describe("ENV=prod (the default)", () => {
  it("is today's terraform: no backend key, no variable file, no data dir, tfplan", () => {
    const result = run("terraform.sh", ["plan"]);
    expect(result.code, result.output).toBe(0);
    expect(result.calls).toEqual([
      `TF_DATA_DIR= -chdir=${tfDir} init -no-color -input=false`,
      `TF_DATA_DIR= -chdir=${tfDir} state pull`,
      `TF_DATA_DIR= -chdir=${tfDir} plan -no-color -input=false -detailed-exitcode -out=tfplan`,
      `TF_DATA_DIR= -chdir=${tfDir} show -no-color -json tfplan`,
    ]);
  });

  it("reads environments/prod.tfvars when the team keeps one", () => {
    fs.writeFileSync(path.join(envDir, "prod.tfvars"), "api_cpu = 2048\n");
    const result = run("terraform.sh", ["plan"]);
    expect(result.calls[2]).toBe(
      `TF_DATA_DIR= -chdir=${tfDir} plan -no-color -input=false -detailed-exitcode -out=tfplan -var-file=${envDir}/prod.tfvars`,
    );
  });
});

describe("ENV=staging", () => {
  beforeEach(() => fs.writeFileSync(path.join(envDir, "staging.tfvars"), 'aws_region = "us-west-1"\n'));

  it("has its own state key, data dir, variables and plan file", () => {
    const result = run("terraform.sh", ["deploy"], { ENV: "staging" });
    expect(result.code, result.output).toBe(0);
    const dataDir = `TF_DATA_DIR=${tfDir}/.terraform-staging`;
    expect(result.calls).toEqual([
      `${dataDir} -chdir=${tfDir} init -no-color -input=false -backend-config=key=${environmentStateKey("staging")}`,
      `${dataDir} -chdir=${tfDir} state pull`,
      `${dataDir} -chdir=${tfDir} plan -no-color -input=false -detailed-exitcode -out=tfplan-staging -var-file=${envDir}/staging.tfvars -var environment=staging`,
      `${dataDir} -chdir=${tfDir} show -no-color -json tfplan-staging`,
      `${dataDir} -chdir=${tfDir} apply -no-color -input=false tfplan-staging`,
    ]);
    expect(environmentStateKey("staging")).toBe(`env/staging/${PLATFORM.backend.key}`);
    expect(result.output).toContain(">> ENV=staging: state env/staging/terraform.tfstate");
  });

  it("another state bucket (STATE_BUCKET, STATE_REGION, as make setup-backend made it) reaches terraform init, in every environment", () => {
    const other = { STATE_BUCKET: "team-terraform-state", STATE_REGION: "eu-west-1" };
    const staging = run("terraform.sh", ["init"], { ENV: "staging", ...other });
    expect(staging.calls[0]).toBe(
      `TF_DATA_DIR=${tfDir}/.terraform-staging -chdir=${tfDir} init -no-color -input=false -backend-config=key=env/staging/terraform.tfstate -backend-config=bucket=team-terraform-state -backend-config=region=eu-west-1`,
    );
    fs.rmSync(log);
    const prod = run("terraform.sh", ["init"], other);
    expect(prod.calls[0]).toBe(
      `TF_DATA_DIR= -chdir=${tfDir} init -no-color -input=false -backend-config=bucket=team-terraform-state -backend-config=region=eu-west-1`,
    );
  });

  it("passes its variables to the terraform commands that take them, and not to a saved plan", () => {
    run("terraform.sh", ["run", "console"], { ENV: "staging" });
    run("terraform.sh", ["run", "apply", "tfplan-staging"], { ENV: "staging" });
    run("terraform.sh", ["run", "output", "-json"], { ENV: "staging" });
    const dataDir = `TF_DATA_DIR=${tfDir}/.terraform-staging`;
    expect(run("terraform.sh", ["run", "state", "list"], { ENV: "staging" }).calls).toEqual([
      `${dataDir} -chdir=${tfDir} console -var-file=${envDir}/staging.tfvars -var environment=staging`,
      `${dataDir} -chdir=${tfDir} apply -no-color tfplan-staging`,
      `${dataDir} -chdir=${tfDir} output -no-color -json`,
      `${dataDir} -chdir=${tfDir} state list`,
    ]);
  }, 60_000);

  it("refuses when the root's own variable files set what staging's file does not, naming each, before terraform runs", () => {
    fs.writeFileSync(path.join(tfDir, "terraform.tfvars"), 'aws_region = "us-west-1"\napi_cpu    = 4096\ntags = {\n  team = "ml"\n}\n');
    fs.writeFileSync(path.join(tfDir, "sizes.auto.tfvars.json"), '{"ui_memory": 4096}\n');
    const result = run("terraform.sh", ["deploy"], { ENV: "staging" });
    expect(result.code).not.toBe(0);
    expect(result.output).toContain("api_cpu (terraform.tfvars)");
    expect(result.output).toContain("tags (terraform.tfvars)");
    expect(result.output).toContain("ui_memory (sizes.auto.tfvars.json)");
    expect(result.output).not.toContain("aws_region (");
    expect(result.output).not.toContain("team (");
    expect(result.output).toContain(`Set each in ${envDir}/staging.tfvars`);
    expect(result.calls).toEqual([]);
  });

  it("the same files are fine in prod, whose own files they are", () => {
    fs.writeFileSync(path.join(tfDir, "terraform.tfvars"), "api_cpu    = 4096\napi_memory = 8192\n");
    expect(run("terraform.sh", ["plan"]).code).toBe(0);
  });
});

describe("an environment without its file", () => {
  it("is refused, naming the file and the environments that exist", () => {
    fs.writeFileSync(path.join(envDir, "staging.tfvars"), "");
    const result = run("terraform.sh", ["plan"], { ENV: "qa" });
    expect(result.code).not.toBe(0);
    expect(result.output).toContain(`ENV=qa: ${envDir}/qa.tfvars does not exist. Environments here: prod staging.`);
    expect(result.calls).toEqual([]);
  });

  it("is refused by make, the destroy script and the shell script alike", () => {
    const make = spawnSync(
      "make",
      [
        "--no-print-directory",
        "-C",
        PROJECT,
        "plan",
        "ENV=qa",
        `TF_DIR=${tfDir}`,
        `ENV_DIR=${envDir}`,
        `TERRAFORM=${path.join(work, "terraform")}`,
      ],
      {
        encoding: "utf8",
      },
    );
    expect(make.status).not.toBe(0);
    expect(make.stderr).toContain("ENV=qa:");
    for (const script of ["destroy-infrastructure.sh", "ecs-shell.sh"]) {
      const result = run(script, [], { ENV: "qa" });
      expect(result.code, script).not.toBe(0);
      expect(result.output, script).toContain("qa.tfvars does not exist");
    }
    expect(fs.existsSync(log)).toBe(false);
  });
});

describe("the cdktf path (make diff|deploy ENV=...)", () => {
  let stack: string;
  beforeEach(() => {
    stack = path.join(work, "stack");
    fs.mkdirSync(stack);
    fs.writeFileSync(path.join(tfDir, "terraform.tfvars"), "api_cpu = 4096\n");
  });

  it("prod reads the root's own variable files, then environments/prod.tfvars", () => {
    fs.writeFileSync(path.join(envDir, "prod.tfvars"), "ui_cpu = 1024\n");
    copyVariableFiles(resolveEnvironment({ name: "prod", tfDir, envDir }), stack);
    expect(fs.readdirSync(stack).sort()).toEqual(["terraform.tfvars", "zz-prod.auto.tfvars"]);
  });

  it("staging reads only its own file, with environment set last, and drops files of an earlier run", () => {
    fs.writeFileSync(path.join(envDir, "staging.tfvars"), "ui_cpu = 512\n");
    fs.writeFileSync(path.join(stack, "terraform.tfvars"), "api_cpu = 4096\n");
    fs.rmSync(path.join(tfDir, "terraform.tfvars"));
    copyVariableFiles(resolveEnvironment({ name: "staging", tfDir, envDir }), stack);
    expect(fs.readdirSync(stack).sort()).toEqual(["zz-staging.auto.tfvars", "zzz-environment.auto.tfvars.json"]);
    expect(JSON.parse(fs.readFileSync(path.join(stack, "zzz-environment.auto.tfvars.json"), "utf8"))).toEqual({ environment: "staging" });
  });

  it("a missing environment file stops it, naming the file", () => {
    expect(() => resolveEnvironment({ name: "qa", tfDir, envDir })).toThrow(`ENV=qa: ${envDir}/qa.tfvars does not exist`);
  });
});

describe("environments/", () => {
  it("holds a staging example whose variables the root declares", () => {
    const declared = new Set(Object.keys(inputTable(SERVICES)));
    const text = fs.readFileSync(path.join(PROJECT, "environments", "staging.tfvars"), "utf8");
    const names = [...text.matchAll(/^([a-z_][a-z0-9_]*)\s*=/gm)].map((m) => m[1]);
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((n) => !declared.has(n))).toEqual([]);
  });
});
