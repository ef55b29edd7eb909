/**
 * The review of a plan: what changes, unit by unit and attribute by
 * attribute; what the guards say (data-holding resources, exposure, IAM,
 * task size and count); the monthly cost before and after, from the same
 * model as `ops cost`; and one verdict with its exit code.
 *
 * Verdicts (docs/REVIEW.md):
 * - safe (0): nothing the guards flag;
 * - attention (4): a reviewer should read it: exposure, IAM, task size or
 *   count, a data-holding resource changed in place or lost on purpose
 *   (ALLOW_DATA_LOSS), anything destroyed or replaced, a higher bill;
 * - refused (5): it destroys or replaces a data-holding resource that
 *   ALLOW_DATA_LOSS does not name.
 */
import { type CostComparison, compareCost } from "./review-cost";
import { type AttributeChange, attributeChanges } from "./review-diff";
import { dataFindings, type Finding, findingsOf } from "./review-findings";
import {
  type Action,
  actionOf,
  indexRoot,
  managedChanges,
  type PlanJson,
  type ProtectedTouch,
  protectedTouched,
  type ResourceChange,
  type RootIndex,
  terraformSummary,
  unitOf,
} from "./review-plan";
import type { Usage } from "./cost-usage";

/** The exit codes of `ops review` (and `make review`, `make drift`). */
export const REVIEW_EXIT = {
  safe: 0,
  /** `--drift` only: the platform differs from the code (terraform plan -detailed-exitcode's 2). */
  drift: 2,
  attention: 4,
  refused: 5,
  /** `--against`: the plan no longer does what the reviewed plan did. */
  differs: 6,
} as const;

export type Verdict = "safe" | "attention" | "refused";

/** The order units are shown in (the root's files), others after. */
export const UNIT_ORDER = ["network", "storage", "services", "observability", "main"];

export interface ReviewedChange {
  readonly address: string;
  readonly unit: string;
  readonly action: Action;
  readonly attributes: readonly AttributeChange[];
  /** Terraform's reason, e.g. replace_because_cannot_update, delete_because_count_index. */
  readonly reason?: string;
}

export interface Review {
  readonly title: string;
  readonly summary: string;
  readonly counts: Readonly<Record<Action, number>>;
  readonly changes: readonly ReviewedChange[];
  /** Resources changed outside Terraform since the last apply (the plan's refresh). */
  readonly drift: readonly ReviewedChange[];
  readonly protectedTouched: readonly ProtectedTouch[];
  readonly findings: readonly Finding[];
  readonly cost: CostComparison;
  readonly verdict: Verdict;
  readonly exitCode: number;
}

/* ---------------------------------------------------------------- review */

export interface ReviewOptions {
  /** The Terraform root the plan was made from (units, protected resources). */
  readonly tfDir?: string;
  readonly root?: RootIndex;
  /** ALLOW_DATA_LOSS's words. */
  readonly allowDataLoss?: readonly string[];
  readonly title?: string;
  readonly usage?: Usage;
}

function reviewed(c: ResourceChange, root: RootIndex): ReviewedChange {
  const action = actionOf(c);
  return {
    address: c.address,
    unit: unitOf(c.address, root),
    action,
    attributes: action === "update" || action === "replace" ? attributeChanges(c) : [],
    reason: c.action_reason,
  };
}

/**
 * Drift as Terraform shows it: what changed outside Terraform in the attributes that matter to this plan (a resource the
 * plan changes, or an attribute the configuration reads), not the refresh's own normalisations (tags null → {}, computed
 * values filled in).
 */
function driftOf(plan: PlanJson, root: RootIndex, changes: readonly ReviewedChange[]): ReviewedChange[] {
  const relevant = new Map<string, Set<string>>();
  for (const a of plan.relevant_attributes ?? []) {
    const names = relevant.get(a.resource) ?? new Set<string>();
    names.add(String(a.attribute?.[0] ?? ""));
    relevant.set(a.resource, names);
  }
  const changing = new Set(changes.map((c) => c.address));
  return (plan.resource_drift ?? [])
    .filter((c) => c.mode !== "data")
    .map((c) => {
      const r = reviewed(c, root);
      const read = relevant.get(c.address);
      const attributes = (r.action === "update" ? attributeChanges(c) : []).filter(
        (a) => changing.has(c.address) || read?.has(a.path.split(/[.:[]/)[0]),
      );
      return { ...r, attributes };
    })
    .filter((d) => (d.action === "update" ? d.attributes.length > 0 : d.action !== "no-op" && d.action !== "read"));
}

/** The findings on the changes: a data-holding resource's own finding stands for its "destroyed"/"replaced" one. */
function changeFindings(changes: readonly ReviewedChange[], all: readonly ResourceChange[], touched: readonly ProtectedTouch[]): Finding[] {
  const byAddress = new Map(all.map((c) => [c.address, c]));
  const dataAddresses = new Set(touched.map((t) => t.address));
  return changes.flatMap((r) => {
    const c = byAddress.get(r.address);
    if (!c) return [];
    return findingsOf(c, r.action, r.attributes).filter((f) => !(f.kind === "destroy" && dataAddresses.has(r.address)));
  });
}

function costFinding(cost: CostComparison): Finding[] {
  const delta = cost.totalAfter - cost.totalBefore;
  if (delta < 0.005 || cost.before.length === 0) return [];
  return [
    {
      kind: "cost",
      severity: "attention",
      text: `the bill rises by $${delta.toFixed(2)} a month ($${cost.totalBefore.toFixed(2)} → $${cost.totalAfter.toFixed(2)})`,
    },
  ];
}

export function review(plan: PlanJson, options: ReviewOptions): Review {
  const root = options.root ?? indexRoot(options.tfDir ?? ".");
  const all = managedChanges(plan);
  const changes = all.filter((c) => !["no-op", "read"].includes(actionOf(c))).map((c) => reviewed(c, root));
  const touched = protectedTouched(plan, root, options.allowDataLoss ?? []);
  const cost = compareCost(plan, options.usage);
  const findings = [...dataFindings(touched), ...changeFindings(changes, all, touched), ...costFinding(cost)];
  const counts = { create: 0, update: 0, replace: 0, delete: 0, read: 0, "no-op": 0, move: 0 } as Record<Action, number>;
  for (const c of all) counts[actionOf(c)] += 1;
  const verdict: Verdict = findings.some((f) => f.severity === "refused") ? "refused" : findings.length ? "attention" : "safe";
  return {
    title: options.title ?? "review of the plan",
    summary: terraformSummary(plan),
    counts,
    changes,
    drift: driftOf(plan, root, changes),
    protectedTouched: touched,
    findings,
    cost,
    verdict,
    exitCode: REVIEW_EXIT[verdict],
  };
}

/**
 * What a plan does, for comparing a new plan with the one reviewed: each
 * changed address, its action and its known after-values (unknowns and
 * sensitive values left as markers). Two plans with the same fingerprint do
 * the same thing to the platform.
 */
export function fingerprint(plan: PlanJson): string[] {
  return managedChanges(plan)
    .filter((c) => !["no-op", "read"].includes(actionOf(c)))
    .map((c) => {
      const attributes = attributeChanges(c)
        .map((a) => `${a.path}=${a.after}`)
        .join(";");
      return `${actionOf(c)} ${c.address} ${attributes}`;
    })
    .sort();
}

/** The lines of two fingerprints that differ: `- ` reviewed only, `+ ` new only. */
export function fingerprintDifference(reviewedPlan: PlanJson, newPlan: PlanJson): string[] {
  const a = fingerprint(reviewedPlan);
  const b = fingerprint(newPlan);
  const setA = new Set(a);
  const setB = new Set(b);
  return [...a.filter((x) => !setB.has(x)).map((x) => `- ${x}`), ...b.filter((x) => !setA.has(x)).map((x) => `+ ${x}`)];
}
