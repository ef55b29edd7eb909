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
import { type CostLine, costLines, DEFAULT_USAGE, serviceKeys, total, type Usage } from "./cost-model";
import { type AttributeChange, attributeChanges } from "./review-diff";
import {
  type Action,
  actionOf,
  indexRoot,
  managedChanges,
  type PlanJson,
  planVariables,
  plannedResources,
  priorResources,
  type ProtectedTouch,
  protectedTouched,
  type ResourceChange,
  type RootIndex,
  type StateResourceJson,
  terraformSummary,
  unitOf,
} from "./review-plan";

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

export type FindingKind = "data" | "exposure" | "iam" | "capacity" | "destroy" | "cost";

export interface Finding {
  readonly kind: FindingKind;
  readonly severity: "attention" | "refused";
  readonly address?: string;
  readonly text: string;
}

export interface CostComparison {
  readonly before: readonly CostLine[];
  readonly after: readonly CostLine[];
  readonly rows: readonly { group: string; item: string; before: number; after: number }[];
  readonly totalBefore: number;
  readonly totalAfter: number;
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

const obj = (v: unknown): Record<string, unknown> => (typeof v === "object" && v !== null ? (v as Record<string, unknown>) : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const world = (cidr: unknown) => cidr === "0.0.0.0/0" || cidr === "::/0";

/** The CIDRs an inline ingress list (aws_security_group) or one ingress rule opens. */
function ingressCidrs(type: string, values: unknown): string[] {
  const v = obj(values);
  if (type === "aws_security_group") {
    return list(v.ingress).flatMap((r) =>
      [...list(obj(r).cidr_blocks), ...list(obj(r).ipv6_cidr_blocks)].map((c) => `${c}:${obj(r).from_port}`),
    );
  }
  if (type === "aws_security_group_rule" && v.type === "ingress") {
    return [...list(v.cidr_blocks), ...list(v.ipv6_cidr_blocks)].map((c) => `${c}:${v.from_port}`);
  }
  if (type === "aws_vpc_security_group_ingress_rule") {
    return [v.cidr_ipv4, v.cidr_ipv6].filter(Boolean).map((c) => `${c}:${v.from_port}`);
  }
  return [];
}

/** Exposure: who can reach what, and over what. */
function exposureFindings(c: ResourceChange, action: Action): Finding[] {
  const out: Finding[] = [];
  const before = obj(c.change.before);
  const after = obj(c.change.after);
  const cidrsBefore = new Set(action === "create" ? [] : ingressCidrs(c.type, before));
  const cidrsAfter = new Set(action === "delete" ? [] : ingressCidrs(c.type, after));
  const opened = [...cidrsAfter].filter((x) => !cidrsBefore.has(x));
  const closed = [...cidrsBefore].filter((x) => !cidrsAfter.has(x));
  if (opened.length || closed.length) {
    const ports = (xs: string[]) => [...new Set(xs.map((x) => x.split(":")[1]))].join(", ");
    const cidrs = (xs: string[]) => [...new Set(xs.map((x) => x.split(":")[0]))].join(", ");
    const internet = opened.some((x) => world(x.split(":")[0]));
    out.push({
      kind: "exposure",
      severity: "attention",
      address: c.address,
      text:
        `ingress ${internet ? "opened to the whole internet" : "changed"}: ` +
        [
          opened.length ? `+ ${cidrs(opened)} (ports ${ports(opened)})` : "",
          closed.length ? `- ${cidrs(closed)} (ports ${ports(closed)})` : "",
        ]
          .filter(Boolean)
          .join("; "),
    });
  }
  if (c.type === "aws_lb_listener") {
    const port = after.port ?? before.port;
    if (action === "create")
      out.push({
        kind: "exposure",
        severity: "attention",
        address: c.address,
        text: `new public listener on port ${port} (${after.protocol ?? "?"})${/mlflow|tensorboard/.test(c.name) ? `: ${c.name} has no login of its own` : ""}`,
      });
    if (action === "delete" || action === "replace" || action === "update") {
      if (before.protocol === "HTTPS" && (action === "delete" || after.protocol === "HTTP"))
        out.push({ kind: "exposure", severity: "attention", address: c.address, text: `HTTPS off on port ${port}` });
      else if (action === "delete")
        out.push({ kind: "exposure", severity: "attention", address: c.address, text: `listener on port ${port} removed` });
    }
  }
  if (c.type === "aws_lb" && before.internal === true && after.internal === false) {
    out.push({ kind: "exposure", severity: "attention", address: c.address, text: "the load balancer becomes internet-facing" });
  }
  return out;
}

const CAPACITY: Record<string, readonly string[]> = {
  aws_ecs_task_definition: ["cpu", "memory"],
  aws_ecs_service: ["desired_count", "capacity_provider_strategy"],
  aws_appautoscaling_target: ["min_capacity", "max_capacity"],
};

function findingsOf(c: ResourceChange, action: Action, attributes: readonly AttributeChange[]): Finding[] {
  const out = exposureFindings(c, action);
  if (c.type.startsWith("aws_iam_")) {
    const what = [...new Set(attributes.map((a) => a.path.split(/[.:[]/)[0]))].join(", ");
    out.push({
      kind: "iam",
      severity: "attention",
      address: c.address,
      text: `IAM ${action}${what && action === "update" ? ` (${what})` : ""}`,
    });
  }
  const sized = CAPACITY[c.type];
  if (sized && (action === "update" || action === "replace")) {
    const moved = attributes.filter((a) => sized.some((s) => a.path === s || a.path.startsWith(`${s}[`)));
    if (moved.length)
      out.push({
        kind: "capacity",
        severity: "attention",
        address: c.address,
        text: moved.map((a) => `${a.path} ${a.before} → ${a.after}`).join(", "),
      });
  }
  if ((action === "delete" || action === "replace") && !c.type.startsWith("aws_ecs_task_definition")) {
    out.push({ kind: "destroy", severity: "attention", address: c.address, text: `${action === "delete" ? "destroyed" : "replaced"}` });
  }
  return out;
}

/* ------------------------------------------------------------------ cost */

/** Resources of a type in a list of instances, optionally where an attribute equals a value. */
const ofType = (rs: readonly StateResourceJson[], type: string) => rs.filter((r) => r.type === type);

/**
 * The cost model's inputs as the resources show them: the variables the
 * cost model reads, taken from a side of the plan (the prior state for
 * "before"), falling back to `fallback` where that side says nothing.
 */
export function costInputsFromResources(
  resources: readonly StateResourceJson[],
  variables: Record<string, unknown>,
): Record<string, unknown> {
  const v: Record<string, unknown> = { ...variables };
  const services = ofType(resources, "aws_ecs_service");
  v.create_ecs_services = services.length > 0;
  for (const key of serviceKeys(variables)) {
    const name = variables[`${key}_service_name`];
    const service = services.find((r) => r.values?.name === name);
    const task = ofType(resources, "aws_ecs_task_definition").find((r) => r.values?.family === name);
    v[`${key}_desired_count`] = service ? Number(service.values?.desired_count ?? 0) : 0;
    if (task?.values?.cpu !== undefined) v[`${key}_cpu`] = Number(task.values.cpu);
    if (task?.values?.memory !== undefined) v[`${key}_memory`] = Number(task.values.memory);
    if (typeof variables[`${key}_spot_percent`] === "number") {
      const strategy = list(service?.values?.capacity_provider_strategy).map(obj);
      const weight = (p: string) => strategy.filter((s) => s.capacity_provider === p).reduce((n, s) => n + Number(s.weight ?? 0), 0);
      const all = weight("FARGATE") + weight("FARGATE_SPOT");
      v[`${key}_spot_percent`] = all > 0 ? (100 * weight("FARGATE_SPOT")) / all : 0;
    }
  }
  const efs = ofType(resources, "aws_efs_file_system")[0]?.values;
  if (efs) {
    v.efs_throughput_mode = efs.throughput_mode;
    if (efs.throughput_mode === "provisioned") v.efs_provisioned_throughput_mibps = Number(efs.provisioned_throughput_in_mibps);
  }
  const backup = ofType(resources, "aws_efs_backup_policy")[0]?.values;
  if (backup) v.efs_backup_enabled = obj(list(backup.backup_policy)[0]).status === "ENABLED";
  // az_count: the instances of the subnet resource that has the most (one subnet per zone and tier).
  const perSubnet = new Map<string, number>();
  for (const s of ofType(resources, "aws_subnet")) perSubnet.set(s.name, (perSubnet.get(s.name) ?? 0) + 1);
  if (perSubnet.size) v.az_count = Math.max(...perSubnet.values());
  v.vpc_flow_logs_enabled = ofType(resources, "aws_flow_log").length > 0;
  return v;
}

/** Monthly cost before (the prior state) and after (the plan's variables), line by line, with `ops cost`'s model. */
export function compareCost(plan: PlanJson, usage: Usage = DEFAULT_USAGE): CostComparison {
  const variables = planVariables(plan);
  const prior = priorResources(plan);
  const planned = plannedResources(plan);
  const alarms = (rs: readonly StateResourceJson[]) => ofType(rs, "aws_cloudwatch_metric_alarm").length;
  const before = prior.length === 0 ? [] : costLines(costInputsFromResources(prior, variables), { ...usage, alarms: alarms(prior) });
  const after = planned.length === 0 ? [] : costLines(variables, { ...usage, alarms: alarms(planned) });
  const key = (l: CostLine) => `${l.group}\u0000${l.item}`;
  const b = new Map(before.map((l) => [key(l), l.monthly]));
  const a = new Map(after.map((l) => [key(l), l.monthly]));
  const rows = [...new Set([...before.map(key), ...after.map(key)])].map((k) => {
    const [group, item] = k.split("\u0000");
    return { group, item, before: b.get(k) ?? 0, after: a.get(k) ?? 0 };
  });
  return { before, after, rows, totalBefore: total(before), totalAfter: total(after) };
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

export function review(plan: PlanJson, options: ReviewOptions): Review {
  const root = options.root ?? indexRoot(options.tfDir ?? ".");
  const all = managedChanges(plan);
  const changes = all.filter((c) => !["no-op", "read"].includes(actionOf(c))).map((c) => reviewed(c, root));
  const byAddress = new Map(all.map((c) => [c.address, c]));
  // Drift as Terraform shows it: what changed outside Terraform in the attributes that matter to this plan (a resource
  // the plan changes, or an attribute the configuration reads), not the refresh's own normalisations (tags null → {},
  // computed values filled in).
  const relevant = new Map<string, Set<string>>();
  for (const a of plan.relevant_attributes ?? []) {
    const names = relevant.get(a.resource) ?? new Set<string>();
    names.add(String(a.attribute?.[0] ?? ""));
    relevant.set(a.resource, names);
  }
  const changing = new Set(changes.map((c) => c.address));
  const drift = (plan.resource_drift ?? [])
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
  const touched = protectedTouched(plan, root, options.allowDataLoss ?? []);
  const findings: Finding[] = [];
  for (const t of touched) {
    findings.push({
      kind: "data",
      severity: t.dataLoss && !t.allowed ? "refused" : "attention",
      address: t.address,
      text: t.dataLoss
        ? t.allowed
          ? `holds data and is ${t.action === "delete" ? "destroyed" : "replaced"}: allowed by ALLOW_DATA_LOSS`
          : `holds data and would be ${t.action === "delete" ? "destroyed" : "replaced"}: refused (ALLOW_DATA_LOSS="${t.address.replace(/\[[^\]]*\]$/, "")}" allows it, for one run)`
        : t.action === "create"
          ? "holds data; created"
          : `holds data; changed in place (${t.action})`,
    });
  }
  const dataAddresses = new Set(touched.map((t) => t.address));
  for (const r of changes) {
    const c = byAddress.get(r.address);
    if (!c) continue;
    for (const f of findingsOf(c, r.action, r.attributes)) if (!(f.kind === "destroy" && dataAddresses.has(r.address))) findings.push(f);
  }
  const cost = compareCost(plan, options.usage);
  const delta = cost.totalAfter - cost.totalBefore;
  if (delta >= 0.005 && cost.before.length > 0) {
    findings.push({
      kind: "cost",
      severity: "attention",
      text: `the bill rises by $${delta.toFixed(2)} a month ($${cost.totalBefore.toFixed(2)} → $${cost.totalAfter.toFixed(2)})`,
    });
  }
  const counts = { create: 0, update: 0, replace: 0, delete: 0, read: 0, "no-op": 0, move: 0 } as Record<Action, number>;
  for (const c of all) counts[actionOf(c)] += 1;
  const verdict: Verdict = findings.some((f) => f.severity === "refused") ? "refused" : findings.length ? "attention" : "safe";
  return {
    title: options.title ?? "review of the plan",
    summary: terraformSummary(plan),
    counts,
    changes,
    drift,
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
