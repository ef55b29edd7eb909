/**
 * scripts/terraform.sh without AWS: a stub terraform records each call and
 * shows a saved plan that replaces three resources holding data. The wrapper
 * decides from that JSON, not from Terraform's text: every address in one
 * refusal, ALLOW_DATA_LOSS exact, that very plan applied, the override file
 * gone after the plan, no colour off a terminal, nothing left in TMPDIR.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { tempDir } from "./temp";

// Each call starts the wrapper (node, the ops bundle, the HCL parser): seconds on a busy machine.
vi.setConfig({ testTimeout: 60_000 });

const PROJECT = path.resolve(__dirname, "..");
const THREE = [
  "aws_ecr_repository.autovisionai",
  "aws_s3_bucket.mlflow_artifacts",
  "aws_secretsmanager_secret.wandb_api_key",
  "aws_secretsmanager_secret_version.wandb_api_key",
];
let work: string;
let tfDir: string;
let log: string;
let tmp: string;

beforeEach(() => {
  work = tempDir("wrapper");
  tfDir = path.join(work, "root");
  tmp = path.join(work, "tmp");
  log = path.join(work, "calls.log");
  fs.mkdirSync(tfDir);
  fs.mkdirSync(tmp);
  for (const f of fs.readdirSync(path.join(PROJECT, "deploy", "terraform")).filter((n) => n.endsWith(".tf.json"))) {
    fs.copyFileSync(path.join(PROJECT, "deploy", "terraform", f), path.join(tfDir, f));
  }
  const plan = JSON.stringify({
    resource_changes: [
      ...THREE.map((address) => ({ address, change: { actions: ["delete", "create"] } })),
      { address: "aws_vpc.main", change: { actions: ["update"] } },
    ],
  });
  // Records each call and whether the override lifting the protection was there during it. A plan writes its -out
  // file and exits as -detailed-exitcode says: 2 (changes), or STUB_PLAN_EXIT.
  fs.writeFileSync(
    path.join(work, "terraform"),
    [
      "#!/usr/bin/env bash",
      `over=$([ -f "${tfDir}/zz_allow_data_loss_override.tf.json" ] && echo "+override" || echo "")`,
      `echo "$* $over" >>"${log}"`,
      `case "$*" in *" show "*) echo '${plan}' ;; *" plan "*) for a in "$@"; do case "$a" in -out=*) touch "${tfDir}/\${a#-out=}" ;; esac; done; exit "\${STUB_PLAN_EXIT:-2}" ;; esac`,
      "",
    ].join("\n"),
    { mode: 0o755 },
  );
});

function wrapper(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync("bash", [path.join(PROJECT, "scripts", "terraform.sh"), ...args], {
    encoding: "utf8",
    env: { ...process.env, TERRAFORM: path.join(work, "terraform"), TF_DIR: tfDir, TMPDIR: tmp, ENV: "prod", ...env },
  });
  const calls = fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n") : [];
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, calls };
}

describe("the data-loss guard reads the saved plan", () => {
  it("refuses a plan replacing three resources that hold data, naming every one in one message, and applies nothing", () => {
    const run = wrapper(["deploy"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `terraform.sh: refused: this plan would destroy or replace ${THREE.join(" ")} which hold data (docs/SAFE-CHANGES.md says which inputs do this). Nothing was changed. If that is what you mean, run again with ALLOW_DATA_LOSS="${THREE.join(" ")}".`,
    );
    expect(run.calls.filter((c) => c.startsWith("-chdir") && / apply /.test(c))).toEqual([]);
    // Planned with the protection lifted; shown without it; no plan file, no override left, nothing in TMPDIR.
    expect(run.calls.find((c) => c.includes(" plan "))).toMatch(/\+override$/);
    expect(run.calls.find((c) => c.includes(" show "))).not.toMatch(/\+override$/);
    expect(fs.readdirSync(tfDir).filter((f) => /override|tfplan/.test(f))).toEqual([]);
    expect(fs.readdirSync(tmp)).toEqual([]);
    expect(run.calls.find((c) => c.includes(" plan "))).toContain("plan -no-color");
  });

  it("ALLOW_DATA_LOSS naming exactly those applies that very plan; naming fewer is refused", () => {
    const fewer = wrapper(["deploy"], { ALLOW_DATA_LOSS: "aws_s3_bucket.mlflow_artifacts" });
    expect(fewer.code).toBe(1);
    expect(fewer.stderr).toContain("it must name exactly these");
    fs.rmSync(log);
    const exact = wrapper(["deploy"], { ALLOW_DATA_LOSS: [...THREE].reverse().join(" ") });
    expect(exact.code, exact.stderr).toBe(0);
    expect(exact.stdout).toContain(`>> data protection lifted for this run: ${THREE.join(" ")}`);
    expect(exact.calls.at(-1)).toBe(`-chdir=${tfDir} apply -no-color -input=false tfplan`);
  });

  it("a plan asked with -detailed-exitcode is checked as well: refused, its plan file removed (it was made unprotected)", () => {
    const run = wrapper(["plan", "-detailed-exitcode"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`run again with ALLOW_DATA_LOSS="${THREE.join(" ")}"`);
    expect(fs.readdirSync(tfDir).filter((f) => /override|tfplan/.test(f))).toEqual([]);
  });

  it("-detailed-exitcode answers 2 for a checked plan that changes something, as terraform does; without it, 0", () => {
    const allowed = { ALLOW_DATA_LOSS: THREE.join(" ") };
    const asked = wrapper(["plan", "-detailed-exitcode"], allowed);
    expect(asked.code, asked.stderr).toBe(2);
    expect(fs.existsSync(path.join(tfDir, "tfplan"))).toBe(true);
    // The flag once on terraform's command line, whoever asked for it.
    expect(asked.calls.find((c) => c.includes(" plan "))?.match(/-detailed-exitcode/g)).toHaveLength(1);
    fs.rmSync(log);
    const plain = wrapper(["plan"], allowed);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.calls.find((c) => c.includes(" plan "))).toContain(" -detailed-exitcode ");
  });

  it("a plan that changes nothing (terraform's -detailed-exitcode 0) is not shown: nothing to check, and deploy applies it", () => {
    const run = wrapper(["deploy"], { STUB_PLAN_EXIT: "0" });
    expect(run.code, run.stderr).toBe(0);
    expect(run.calls.filter((c) => c.includes(" show "))).toEqual([]);
    expect(run.calls.at(-1)).toBe(`-chdir=${tfDir} apply -no-color -input=false tfplan`);
  });
});
