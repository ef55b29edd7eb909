/**
 * `make review` and `make drift` against the emulator, on the run's shared
 * applied platform (`appliedPlatform`) with the suite's terraform.tfvars:
 * - a terraform.tfvars that opens the ALB to the internet and raises the
 *   API's size gives a review naming both, with the cost difference that
 *   `ops cost --compare` gives for the same inputs; its JSON and markdown
 *   are of the same plan (`--save`, then `--plan`), as the workflows make them;
 * - a rename of the artifacts bucket is refused (ALLOW_DATA_LOSS turns it
 *   into a change for a reviewer);
 * - a rule added to the ALB's security group outside Terraform is drift,
 *   named by `make drift` (exit 2).
 * The review of the switch from the live platform is in migration.test.ts,
 * on the migration's own plan.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../temp";
import {
  appliedPlatform,
  awsCall,
  checkTools,
  expectOk,
  make,
  PROJECT_DIR,
  runCommand,
  stateJson,
  terraformOk,
  timing,
  type Moto,
  type RunResult,
  valuesAt,
} from "./harness";
import type { ReviewJson } from "./review-json";

/**
 * The deployed platform the review cases plan against: the run's shared applied platform, then the team's
 * `make deploy-services` with the suite's terraform.tfvars (an apply of the difference only).
 */
async function applyPlatform(label: string, tfvars: string): Promise<{ moto: Moto; dir: string }> {
  const { moto, dir } = await appliedPlatform(label);
  fs.writeFileSync(path.join(dir, "terraform.tfvars"), tfvars);
  const run = expectOk(await make(dir, moto, "deploy-services"), "make deploy-services");
  timing(`${label}: make deploy-services with the suite's terraform.tfvars`, run.seconds);
  return { moto, dir };
}

/** The review's own exit code behind make (make itself exits 2 whenever a recipe fails, and prints the recipe's code). */
const recipeExit = (run: RunResult) => (run.code === 0 ? 0 : Number(run.stderr.match(/\] Error (\d+)/)?.[1] ?? -1));

const BASE_TFVARS = 'alb_ingress_cidr_blocks = ["10.0.0.0/8"]\nefs_provisioned_throughput_mibps = 20\n';

describe("review and drift of a deployed platform", () => {
  let moto: Moto;
  let dir: string;
  let serialBefore: number;

  const setTfvars = (text: string) => fs.writeFileSync(path.join(dir, "terraform.tfvars"), text);
  const ops = (args: readonly string[], env: Record<string, string> = {}): Promise<RunResult> =>
    runCommand("node", ["ops/launch.js", "--tf-dir", dir, ...args], PROJECT_DIR, moto, { env });
  /** `ops --json review` of a saved plan (the JSON --save kept). */
  const reviewJson = async (plan: string): Promise<{ run: RunResult; json: ReviewJson }> => {
    const run = await ops(["--json", "review", "--plan", plan]);
    expect([0, 4, 5], run.stderr.slice(-3000)).toContain(run.code);
    return { run, json: JSON.parse(run.stdout) as ReviewJson };
  };
  const serial = async () => Number((JSON.parse((await terraformOk(dir, moto, ["state", "pull"])).stdout) as { serial: number }).serial);

  beforeAll(async () => {
    checkTools();
    ({ moto, dir } = await applyPlatform("review", BASE_TFVARS));
    serialBefore = await serial();
  });

  afterAll(async () => {
    await moto?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("the applied platform reviews as safe, and make drift finds nothing", async () => {
    const review = await make(dir, moto, "review");
    expect(recipeExit(review), review.stdout + review.stderr).toBe(0);
    expect(review.stdout).toContain("verdict: SAFE");
    const drift = await make(dir, moto, "drift");
    expect(recipeExit(drift), drift.stdout + drift.stderr).toBe(0);
  });

  it("opening the ALB to 0.0.0.0/0 and raising api_cpu: a review naming both, and the cost difference of ops cost --compare", async () => {
    const compare = await ops(["--json", "cost", "--compare", 'alb_ingress_cidr_blocks=["0.0.0.0/0"]', "api_cpu=4096", "api_memory=8192"]);
    expect(compare.code, compare.stderr).toBe(0);
    const costs = JSON.parse(compare.stdout) as { total: number; lines: { item: string; monthly: number }[]; compared: { total: number } };
    setTfvars('alb_ingress_cidr_blocks = ["0.0.0.0/0"]\nefs_provisioned_throughput_mibps = 20\napi_cpu = 4096\napi_memory = 8192\n');

    // One plan for the three forms, as the plan workflow makes them: the text on the terminal, the plan's JSON and
    // the pull request's markdown kept by --save; the JSON and the markdown of that same plan with --plan.
    const saved = tempDir("review-saved");
    const text = await make(dir, moto, "review", { ARGS: `--save ${saved}` });
    console.log(`[review] make review, ALB opened and api_cpu raised:\n${text.stdout}`);
    expect(recipeExit(text), text.stderr.slice(-2000)).toBe(4);
    expect(text.stdout).toContain("verdict: NEEDS A REVIEWER'S EYE (exit 4)");
    expect(text.stdout).toMatch(/aws_security_group\.alb: ingress opened to the whole internet: \+ 0\.0\.0\.0\/0/);
    expect(text.stdout).toMatch(/aws_ecs_task_definition\.api\[0\]: cpu 2048 → 4096/);
    const savedPlan = path.join(saved, "plan.json");

    const { json } = await reviewJson(savedPlan);
    expect(json.verdict).toBe("attention");
    const kinds = json.findings.map((f) => `${f.kind} ${f.address ?? ""}`);
    expect(kinds).toContain("exposure aws_security_group.alb");
    expect(kinds).toContain("capacity aws_ecs_task_definition.api[0]");
    const api = json.changes.find((c) => c.address === "aws_ecs_task_definition.api[0]");
    expect(api?.unit).toBe("services");
    expect(api?.action).toBe("replace");
    expect(json.changes.find((c) => c.address === "aws_security_group.alb")?.unit).toBe("network");
    const reviewDelta = json.cost.totalAfter - json.cost.totalBefore;
    expect(reviewDelta, "2 more vCPU and 4 more GB for one task, all month").toBeGreaterThan(80);
    expect(reviewDelta).toBeCloseTo(costs.compared.total - costs.total, 6);
    // Line by line the same, but for the alarms: ops cost counts the alarm blocks the root declares, the review the
    // alarms the state holds (efs_burst_credits_low exists in bursting mode only).
    const alarms = (lines: { item: string; monthly: number }[]) => lines.find((l) => l.item === "CloudWatch alarms")?.monthly ?? 0;
    expect(json.cost.totalBefore - alarms(json.cost.before)).toBeCloseTo(costs.total - alarms(costs.lines), 6);
    expect(alarms(json.cost.before)).toBeGreaterThan(2);

    const markdown = await ops(["review", "--format", "markdown", "--plan", savedPlan]);
    expect(markdown.stdout.split("\n")[0]).toBe("<!-- autovisionai-review:prod -->");
    expect(markdown.stdout).toMatch(/^\| action +\| address +\| before → after +\|$/m);
    expect(fs.readFileSync(path.join(saved, "review.md"), "utf8"), "what --save kept for the pull request").toBe(markdown.stdout);
    expect(await serial(), "a review changes nothing").toBe(serialBefore);
  });

  it("renaming the artifacts bucket is refused, naming it; ALLOW_DATA_LOSS makes it a change for a reviewer", async () => {
    setTfvars(`${BASE_TFVARS}mlflow_artifacts_bucket = "autovision-mlflow-artifacts-v2"\n`);
    const refused = await make(dir, moto, "review");
    console.log(`[review] make review, artifacts bucket renamed:\n${refused.stdout}`);
    expect(recipeExit(refused), refused.stderr.slice(-2000)).toBe(5);
    expect(refused.stdout).toContain("verdict: REFUSED: it would lose data (exit 5)");
    expect(refused.stdout).toContain(
      'REFUSED aws_s3_bucket.mlflow_artifacts: holds data and would be replaced: refused (ALLOW_DATA_LOSS="aws_s3_bucket.mlflow_artifacts" allows it, for one run)',
    );
    expect(
      fs.readdirSync(dir).filter((n) => n.includes("override")),
      "the lifted protection is gone after the run",
    ).toEqual([]);
    const allowed = await make(dir, moto, "review", { ALLOW_DATA_LOSS: "aws_s3_bucket.mlflow_artifacts" });
    expect(recipeExit(allowed), allowed.stderr.slice(-2000)).toBe(4);
    expect(allowed.stdout).toContain("aws_s3_bucket.mlflow_artifacts: holds data and is replaced: allowed by ALLOW_DATA_LOSS");
    expect(await serial()).toBe(serialBefore);
  });

  it("a rule added to the ALB's security group outside Terraform is drift: make drift names it and exits 2", async () => {
    setTfvars(BASE_TFVARS);
    const state = await stateJson(dir, moto);
    const groupId = valuesAt(state, "aws_security_group.alb").id as string;
    awsCall(moto, "ec2", "authorize_security_group_ingress", {
      GroupId: groupId,
      IpPermissions: [{ IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "198.51.100.0/24" }] }],
    });
    const drift = await make(dir, moto, "drift");
    console.log(`[review] make drift after a rule added by hand:\n${drift.stdout}`);
    expect(recipeExit(drift), drift.stderr.slice(-2000)).toBe(2);
    expect(drift.stdout).toContain("changed outside Terraform");
    expect(drift.stdout).toMatch(/aws_security_group\.alb[^\n]*ingress/);
    expect(drift.stdout).toContain("198.51.100.0/24");
  });
});
