/**
 * The Terraform side of `ops review`, through the project's own
 * scripts/terraform.sh (ENV's state, variables and checks):
 * - a plan made for review: every data protection lifted for that one run
 *   (ALLOW_DATA_LOSS=all), so that a plan that would lose data can be shown
 *   and refused by the review instead of stopping Terraform half-way; the
 *   plan goes to a temp file, never to the tfplan a user applies;
 * - `terraform show -json` of a saved plan;
 * - the state's serial and lineage at plan time (`terraform state pull`),
 *   which the deploy workflow compares before applying a reviewed plan.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { EXIT, OpsError } from "./errors";
import { parsePlan, type PlanJson } from "./review-plan";

const TERRAFORM_SH = path.join(__dirname, "..", "scripts", "terraform.sh");

export interface TerraformTarget {
  readonly tfDir: string;
  readonly env: string;
}

function script(target: TerraformTarget, args: readonly string[], extraEnv: Record<string, string> = {}, capture = true) {
  const run = spawnSync("bash", [TERRAFORM_SH, ...args], {
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
    // Terraform's own progress goes to stderr: stdout carries the review alone.
    stdio: capture ? ["ignore", "pipe", "pipe"] : ["ignore", 2, "inherit"],
    // ALLOW_DATA_LOSS is the review's to read, not terraform.sh's (which would print its notice on show's JSON).
    env: { ...process.env, ENV: target.env, TF_DIR: target.tfDir, ALLOW_DATA_LOSS: "", ...extraEnv },
  });
  if (run.error) throw new OpsError(`bash scripts/terraform.sh: ${run.error.message}`, EXIT.failed);
  return { code: run.status ?? 1, stdout: run.stdout ?? "", stderr: run.stderr ?? "" };
}

/** The JSON of a saved plan: a file holding `terraform show -json` output, or a binary plan shown with ENV's terraform. */
export function readPlanFile(target: TerraformTarget, file: string): PlanJson {
  const resolved = path.resolve(file);
  if (!fs.existsSync(resolved))
    throw new OpsError(`--plan ${file}: no such file (make plan writes tfplan, tfplan-<env> outside prod)`, EXIT.usage);
  const head = fs.readFileSync(resolved).subarray(0, 1).toString();
  if (head === "{") return parsePlanOrUsage(fs.readFileSync(resolved, "utf8"), file);
  const run = script(target, ["run", "show", "-json", resolved]);
  if (run.code !== 0) throw new OpsError(`terraform show -json ${file} failed: ${run.stderr.trim().split("\n").slice(-3).join(" ")}`);
  return parsePlanOrUsage(run.stdout, file);
}

function parsePlanOrUsage(text: string, source: string): PlanJson {
  try {
    return parsePlan(text, source);
  } catch (error) {
    throw new OpsError((error as Error).message, EXIT.usage);
  }
}

export interface ReviewPlan {
  readonly plan: PlanJson;
  /** The binary plan (in a temp directory the caller removes). */
  readonly planFile: string;
  readonly workDir: string;
  /** With `detailed`: terraform plan -detailed-exitcode said 2 (the plan changes something). */
  readonly changes?: boolean;
}

/** Plans ENV's full platform for review (protections lifted for this run only), into a temp file. */
export function planForReview(target: TerraformTarget, variables: readonly string[] = [], detailed = false): ReviewPlan {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "ops-review-"));
  const planFile = path.join(workDir, "review.tfplan");
  const args = [
    "run",
    "plan",
    "-input=false",
    // The plan workflow's role reads the state and cannot write its lock.
    "-lock=false",
    `-out=${planFile}`,
    "-var=create_ecs_services=true",
    ...variables.map((v) => `-var=${v}`),
    ...(process.stderr.isTTY ? [] : ["-no-color"]),
    ...(detailed ? ["-detailed-exitcode"] : []),
  ];
  const run = script(target, args, { ALLOW_DATA_LOSS: "all" }, false);
  const ok = run.code === 0 || (detailed && run.code === 2);
  if (!ok || !fs.existsSync(planFile)) {
    fs.rmSync(workDir, { recursive: true, force: true });
    throw new OpsError(`terraform plan of ${target.env} failed (exit ${run.code}): its error is above; nothing was reviewed`);
  }
  return { plan: readPlanFile(target, planFile), planFile, workDir, changes: detailed ? run.code === 2 : undefined };
}

export interface StatePointer {
  readonly serial: number;
  readonly lineage: string;
}

/** The state's serial and lineage now (0 and "" while the environment has no state). */
export function statePointer(target: TerraformTarget): StatePointer {
  const run = script(target, ["run", "state", "pull"]);
  if (run.code !== 0)
    throw new OpsError(`terraform state pull of ${target.env} failed: ${run.stderr.trim().split("\n").slice(-3).join(" ")}`);
  if (run.stdout.trim() === "") return { serial: 0, lineage: "" };
  const state = JSON.parse(run.stdout) as { serial?: number; lineage?: string };
  return { serial: state.serial ?? 0, lineage: state.lineage ?? "" };
}

/** The commit and tree checked out in the project (the plan workflow records them beside the plan). */
export function gitPointer(cwd: string = path.join(__dirname, "..")): { commit: string; tree: string } {
  const git = (args: string[]) => spawnSync("git", args, { cwd, encoding: "utf8" }).stdout?.trim() ?? "";
  return { commit: git(["rev-parse", "HEAD"]), tree: git(["rev-parse", "HEAD^{tree}"]) };
}
