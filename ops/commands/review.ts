/**
 * `npm run ops -- review`: the review of a plan (docs/REVIEW.md), for a
 * terminal or a pull-request comment, with an exit code that says safe (0),
 * needs a reviewer's eye (4) or refused (5); `--drift` for the scheduled
 * check (2: the platform differs from the code); `--against` for the deploy
 * workflow (6: the plan no longer does what the reviewed plan did).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { type Command, Option } from "commander";
import { resolveEnvironment } from "../environment";
import { fingerprintDifference, REVIEW_EXIT, type Review, review } from "../review";
import { isEmpty, parseAllowDataLoss, type PlanJson } from "../review-plan";
import { REVIEW_FORMATS, type ReviewFormat, renderReview } from "../review-render";
import { gitPointer, planForReview, readPlanFile, statePointer } from "../review-run";
import { rootOf } from "./context";

interface ReviewOptions {
  plan?: string;
  format: ReviewFormat;
  drift?: boolean;
  against?: string;
  save?: string;
  var?: string[];
}

/** What `--save DIR` writes beside the plan: what the deploy workflow checks before applying it. */
export interface ReviewRecord {
  readonly env: string;
  readonly verdict: string;
  readonly exitCode: number;
  readonly summary: string;
  readonly state: { readonly serial: number; readonly lineage: string };
  readonly commit: string;
  readonly tree: string;
}

interface Target {
  readonly tfDir: string;
  readonly env: string;
}

/** The plan to review: `--plan`'s file, or a plan of the whole platform made now (removed by `cleanup`). */
interface PlanToReview {
  readonly plan: PlanJson;
  /** The binary plan, where there is one (kept by `--save`). */
  readonly planFile?: string;
  /** -detailed-exitcode's answer when this command planned. */
  readonly changes?: boolean;
  readonly cleanup: () => void;
}

function planToReview(target: Target, o: ReviewOptions): PlanToReview {
  if (o.plan) {
    // readPlanFile first: it names a missing or unreadable file.
    const plan = readPlanFile(target, o.plan);
    const isJson = fs.readFileSync(path.resolve(o.plan)).subarray(0, 1).toString() === "{";
    return { plan, planFile: isJson ? undefined : path.resolve(o.plan), cleanup: () => {} };
  }
  const made = planForReview(target, o.var ?? [], Boolean(o.drift));
  return {
    plan: made.plan,
    planFile: made.planFile,
    changes: made.changes,
    cleanup: () => fs.rmSync(made.workDir, { recursive: true, force: true }),
  };
}

/** `--against`: exit 6 and the lines that differ when this plan does not do exactly what the reviewed plan did. */
function againstReviewed(target: Target, against: string, plan: PlanJson): { exitCode?: number; text: string } {
  const difference = fingerprintDifference(readPlanFile(target, against), plan);
  if (difference.length === 0) return { text: `\n\nthis plan does exactly what the reviewed plan (${against}) does` };
  return {
    exitCode: REVIEW_EXIT.differs,
    text: `\n\nthis plan differs from the reviewed plan (${against}):\n${difference.map((d) => `  ${d}`).join("\n")}`,
  };
}

function driftHeadline(drifted: boolean, verdict: string): string {
  return drifted
    ? `DRIFT: the platform differs from the code (exit 2); the review of what an apply would do: ${verdict}`
    : "no drift: the platform is what the code says (exit 0)";
}

/** `--save DIR`: the plan (binary unless refused), plan.json, review.md and review.json. */
function saveReview(
  dir: string,
  env: string,
  r: Review,
  toReview: PlanToReview,
  headline: string | undefined,
  state: ReviewRecord["state"],
) {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "plan.json"), JSON.stringify(toReview.plan));
  fs.writeFileSync(path.join(dir, "review.md"), `${renderReview(r, "markdown", env, headline)}\n`);
  // A refused plan is never kept in a form that can be applied.
  if (toReview.planFile && r.verdict !== "refused") fs.copyFileSync(toReview.planFile, path.join(dir, "tfplan"));
  const record: ReviewRecord = { env, verdict: r.verdict, exitCode: r.exitCode, summary: r.summary, state, ...gitPointer() };
  fs.writeFileSync(path.join(dir, "review.json"), `${JSON.stringify(record, null, 2)}\n`);
}

async function runReview(o: ReviewOptions, cmd: Command): Promise<void> {
  const { g, tfDir } = rootOf(cmd);
  const env = resolveEnvironment(g.env, tfDir);
  const target = { tfDir, env: env.name };
  // The state as it was when planned: read before the plan, so a change in between shows as moved.
  const state = o.save ? statePointer(target) : undefined;
  const toReview = planToReview(target, o);
  const plan = toReview.plan;
  try {
    const r = review(plan, {
      tfDir,
      allowDataLoss: parseAllowDataLoss(process.env.ALLOW_DATA_LOSS),
      title: o.drift ? "drift: what the platform has that the code does not" : "review of the plan",
    });
    const against = o.against ? againstReviewed(target, o.against, plan) : { text: "" };
    let exitCode: number = against.exitCode ?? r.exitCode;
    // -detailed-exitcode's answer when this command planned, else the plan's own content.
    if (o.drift) exitCode = (toReview.changes ?? !isEmpty(plan)) ? REVIEW_EXIT.drift : REVIEW_EXIT.safe;
    const headline = o.drift ? driftHeadline(exitCode === REVIEW_EXIT.drift, r.verdict) : undefined;
    if (o.save) saveReview(path.resolve(o.save), env.name, r, toReview, headline, state ?? { serial: 0, lineage: "" });
    const text = renderReview(r, o.format, env.name, headline);
    process.stdout.write(`${g.json ? JSON.stringify({ ...r, exitCode }, null, 2) : text + against.text}\n`);
    process.exitCode = exitCode;
  } finally {
    toReview.cleanup();
  }
}

export function registerReview(program: Command): void {
  program
    .command("review")
    .description(
      "review a plan: changes by unit with before → after, guard verdicts, monthly cost before → after; exit 0 safe, 4 needs a reviewer's eye, 5 refused (docs/REVIEW.md)",
    )
    .option("--plan <file>", "a saved plan (terraform plan -out) or its terraform show -json; default: plan ENV's full platform now")
    .addOption(
      new Option("--format <format>", "text for a terminal, markdown for a pull-request comment").choices(REVIEW_FORMATS).default("text"),
    )
    .option("--drift", "the scheduled check: exit 2 when the platform differs from the code (what changed outside Terraform is named)")
    .option("--against <plan.json>", "the reviewed plan's JSON: exit 6 when this plan does not do exactly what it did")
    .option(
      "--save <dir>",
      "write the plan (binary unless refused), plan.json, review.md and review.json (state serial, lineage, commit) there",
    )
    .option("--var <name=value...>", "extra -var for the plan it makes")
    .action(runReview);
}
