/**
 * `make sandbox` as a newcomer runs it: no AWS credentials (a profile that
 * does not exist, to prove none is used), the whole platform applied into
 * the emulator it starts, its outputs and status printed; then the exports
 * it writes point `make plan` at it; `sandbox-down` stops exactly that
 * emulator and removes its folder.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { tempDir } from "../temp";
import { checkTools, copyRoot, PROJECT_DIR, type RunResult, runCommand, SYNTH_DIR, timing } from "./harness";

const SCRIPT = path.join(PROJECT_DIR, "scripts", "sandbox.sh");
const sandboxDir = path.join(tempDir("sandbox"), ".sandbox");
/** The synthesized root the sandbox plans (a copy of deploy/terraform, so that the test can give it a terraform.tfvars). */
const source = copyRoot(SYNTH_DIR, "sandbox-source");

/** The sandbox script with a user's environment: no AWS keys, a profile that does not exist, the mirror for providers. */
function sandbox(command: string, extra: Record<string, string> = {}): Promise<RunResult> {
  return runCommand("bash", [SCRIPT, command], PROJECT_DIR, undefined, {
    env: {
      SANDBOX_DIR: sandboxDir,
      SANDBOX_SOURCE: source,
      AWS_PROFILE: "no-such-profile",
      AWS_SESSION_TOKEN: "not-a-token",
      AWS_ENDPOINT_URL: "",
      AWS_ACCESS_KEY_ID: "",
      AWS_SECRET_ACCESS_KEY: "",
      TF_CLI_CONFIG_FILE: "",
      ...extra,
    },
  });
}

/** Whether a process runs (a zombie, exited and not yet reaped, does not). */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

describe("make sandbox: the platform without an AWS account", () => {
  let pid = 0;

  afterAll(async () => {
    // Whatever happened above, leave no emulator behind (by the PID the sandbox recorded).
    if (fs.existsSync(sandboxDir)) await sandbox("down");
  });

  it("up: applies both phases into its own emulator and prints the outputs and the status screen", async () => {
    checkTools();
    const run = await sandbox("up");
    timing("sandbox up", run.seconds);
    expect(run.code, `${run.stdout.slice(-3000)}\n${run.stderr.slice(-3000)}`).toBe(0);
    expect(run.stdout.match(/Apply complete!/g)).toHaveLength(2);
    expect(run.stdout).toMatch(/ecs_cluster_name = "autovisionai"/);
    expect(run.stdout).toMatch(/platform: (HEALTHY|DEGRADED) \(us-west-1\)/);
    expect(run.stdout).toContain(`source ${sandboxDir}/env`);
    pid = Number(fs.readFileSync(path.join(sandboxDir, "moto.pid"), "utf8"));
    expect(fs.readFileSync(`/proc/${pid}/cmdline`, "utf8")).toContain("emulator/moto_launcher.py");
    // The user's root was not touched: the sandbox works on its copy.
    expect(fs.existsSync(path.join(sandboxDir, "root", ".terraform"))).toBe(true);
  });

  it("a second up refuses, naming the running emulator", async () => {
    const run = await sandbox("up");
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain(`already up (emulator PID ${pid}`);
  });

  it("its exports point make at it: the plan is empty", async () => {
    const run = await runCommand("bash", ["-c", `source "${sandboxDir}/env" && make --no-print-directory plan`], PROJECT_DIR, undefined, {
      env: { AWS_PROFILE: "no-such-profile" },
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("No changes.");
  });

  it("plans the current root with the user's variable files, made again for every target, and says which it read", async () => {
    const plan = () =>
      runCommand("bash", ["-c", `source "${sandboxDir}/env" && make --no-print-directory plan`], PROJECT_DIR, undefined, {
        env: { AWS_PROFILE: "no-such-profile" },
      });
    fs.writeFileSync(path.join(source, "terraform.tfvars"), 'alb_ingress_cidr_blocks = ["10.0.0.0/8"]\n');
    const changed = await plan();
    expect(changed.code, changed.stderr).toBe(0);
    expect(changed.stdout).toContain("variable files: terraform.tfvars");
    expect(changed.stdout).toMatch(
      /aws_security_group\.alb will be updated in-place|aws_vpc_security_group_ingress_rule\.\S+ must be replaced|Plan: \d+ to add, \d+ to change/,
    );
    expect(changed.stdout).not.toContain("No changes.");
    fs.rmSync(path.join(source, "terraform.tfvars"));
    const back = await plan();
    expect(back.stdout).toContain("variable files: none (the defaults)");
    expect(back.stdout).toContain("No changes.");
  });

  it("down: stops that emulator and removes the folder", async () => {
    const run = await sandbox("down");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`emulator (PID ${pid}) stopped`);
    expect(running(pid)).toBe(false);
    expect(fs.existsSync(sandboxDir)).toBe(false);
  });
});
