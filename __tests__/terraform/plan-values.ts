/**
 * Planned values, attribute by attribute: what `terraform show -json` of a
 * plan says each resource will hold, compared with another such record
 * (the live platform's `legacy-values.json`, or the state before a change).
 */
import type { PlanJson, StateModule } from "./harness";

export type Values = Record<string, unknown>;

/** One attribute that differs between two records of the same resource. */
export interface ValueDifference {
  readonly address: string;
  /** The top-level attribute (`tags`, `container_definitions` …), or `(resource)` when one side lacks the resource. */
  readonly attribute: string;
  readonly expected: unknown;
  readonly actual: unknown;
}

/** address → known planned values (Terraform leaves unknown values out of `planned_values`). */
export function plannedValues(plan: PlanJson): Record<string, Values> {
  return valuesOfModule(plan.planned_values?.root_module);
}

export function valuesOfModule(module: StateModule | undefined): Record<string, Values> {
  const out: Record<string, Values> = {};
  for (const r of module?.resources ?? []) {
    if (r.address.startsWith("data.")) continue;
    out[r.address] = r.values;
  }
  return out;
}

/** Key-order-insensitive deep equality of JSON values. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
  }
  if (a !== null && b !== null && typeof a === "object" && typeof b === "object") {
    const ka = Object.keys(a as Values).sort();
    const kb = Object.keys(b as Values).sort();
    return sameJson(ka, kb) && ka.every((k) => sameJson((a as Values)[k], (b as Values)[k]));
  }
  return false;
}

/**
 * Every attribute where `actual` differs from `expected`: a resource on one
 * side only, an attribute known on one side only, or a different value.
 */
export function compareValues(expected: Record<string, Values>, actual: Record<string, Values>): ValueDifference[] {
  const addresses = [...new Set([...Object.keys(expected), ...Object.keys(actual)])].sort();
  return addresses.flatMap((address) => {
    const e = expected[address];
    const a = actual[address];
    if (!e || !a) return [{ address, attribute: "(resource)", expected: e ? "present" : "absent", actual: a ? "present" : "absent" }];
    return attributeDifferences(address, e, a);
  });
}

/** The attributes of one resource that differ, or are known on one side only. */
function attributeDifferences(address: string, e: Values, a: Values): ValueDifference[] {
  const out: ValueDifference[] = [];
  for (const attribute of [...new Set([...Object.keys(e), ...Object.keys(a)])].sort()) {
    const inE = attribute in e;
    const inA = attribute in a;
    if (inE && inA && sameJson(e[attribute], a[attribute])) continue;
    out.push({
      address,
      attribute,
      expected: inE ? e[attribute] : "(unknown until apply)",
      actual: inA ? a[attribute] : "(unknown until apply)",
    });
  }
  return out;
}

/** One line per difference, with JSON strings (policies, container definitions) shown parsed. */
export function formatDifferences(differences: readonly ValueDifference[]): string {
  const show = (v: unknown) => {
    if (typeof v === "string" && /^[[{]/.test(v)) {
      try {
        return JSON.stringify(JSON.parse(v));
      } catch {
        /* not JSON */
      }
    }
    return JSON.stringify(v);
  };
  return differences
    .map((d) => `${d.address} ${d.attribute}:\n    expected ${show(d.expected)}\n    actual   ${show(d.actual)}`)
    .join("\n");
}

/* ------------------------------------------------------------------------ *
 * What a plan changes, attribute by attribute.
 * ------------------------------------------------------------------------ */

/** How a resource changes in a plan. */
export type ChangeKind = "create" | "update" | "replace" | "delete";

/** One changed attribute of one resource in a plan. */
export interface AttributeChange {
  readonly address: string;
  readonly kind: ChangeKind;
  /**
   * The attribute: a top-level name (`tags`, `health_check`), `(resource)`
   * for a creation or deletion, or a path inside a container definition
   * (`container_definitions/api/environment/PYTHONUNBUFFERED`).
   */
  readonly attribute: string;
  readonly before: unknown;
  /** The planned value, or `(known after apply)`. */
  readonly after: unknown;
}

const UNKNOWN = "(known after apply)";

const isEmpty = (v: unknown) =>
  v === null ||
  v === undefined ||
  v === "" ||
  (Array.isArray(v) && v.length === 0) ||
  (typeof v === "object" && v !== null && Object.keys(v).length === 0);

/**
 * Equality of a planned value with the value in state, leaving out the parts
 * the plan does not know yet (`marker` is the value's `after_unknown`), and
 * taking the empty forms ("" / null / [] / {}) as one: the provider plans
 * `null` where the emulator stored "".
 */
export function sameKnown(before: unknown, after: unknown, marker: unknown = false): boolean {
  if (marker === true) return true;
  if (isEmpty(before) && isEmpty(after)) return true;
  if (Array.isArray(before) && Array.isArray(after)) {
    const marks = Array.isArray(marker) ? marker : [];
    return before.length === after.length && before.every((b, i) => sameKnown(b, after[i], marks[i]));
  }
  if (isPlainObject(before) && isPlainObject(after)) {
    const marks = (isPlainObject(marker) || Array.isArray(marker) ? marker : {}) as Values;
    const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
    return [...keys].every((k) => sameKnown(before[k], after[k], marks[k]));
  }
  return sameJson(before, after);
}

const isPlainObject = (v: unknown): v is Values => v !== null && typeof v === "object" && !Array.isArray(v);

/** Lists of rules: a rule is compared whole, even when there is one. */
const RULE_LISTS = new Set(["ingress", "egress", "rule", "route"]);

/** A block written once (`health_check { … }`): a list holding one object. */
const singleBlock = (v: unknown): Values | undefined =>
  Array.isArray(v) && v.length === 1 && v[0] !== null && typeof v[0] === "object" && !Array.isArray(v[0]) ? (v[0] as Values) : undefined;

function kindOf(actions: readonly string[]): ChangeKind | undefined {
  const a = actions.join(",");
  if (a === "create") return "create";
  if (a === "update") return "update";
  if (a === "delete") return "delete";
  if (a === "delete,create" || a === "create,delete") return "replace";
  return undefined; // no-op, read
}

type Container = Record<string, unknown>;

/**
 * The parts of an ECS container definition, keyed `name/field[/item]`:
 * environment variables and secrets by name, health check fields one by one,
 * every other field whole. Empty lists and nulls are left out (ECS and the
 * provider add them on read), so that only real differences remain.
 */
export function containerParts(definitions: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const c of JSON.parse(definitions) as Container[]) {
    const name = String(c.name);
    for (const [field, value] of Object.entries(c)) {
      if (value === null || (Array.isArray(value) && value.length === 0)) continue;
      Object.assign(out, fieldParts(`${name}/${field}`, field, value));
    }
  }
  return out;
}

/** One field of a container definition, as parts keyed below `prefix` (`api/environment`). */
function fieldParts(prefix: string, field: string, value: unknown): Record<string, unknown> {
  if ((field === "environment" || field === "secrets") && Array.isArray(value)) {
    const items = value as { name: string; value?: string; valueFrom?: string }[];
    return Object.fromEntries(items.map((item) => [`${prefix}/${item.name}`, item.value ?? item.valueFrom]));
  }
  if (field === "healthCheck" && value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value as Values).map(([k, v]) => [`${prefix}/${k}`, v]));
  }
  if (field === "portMappings" && Array.isArray(value)) {
    // ECS fills in hostPort (= containerPort under awsvpc) and protocol tcp.
    return {
      [prefix]: (value as Values[]).map((m) => {
        const { hostPort, protocol, ...rest } = m;
        return {
          ...rest,
          ...(hostPort !== undefined && hostPort !== m.containerPort ? { hostPort } : {}),
          ...(protocol !== undefined && protocol !== "tcp" ? { protocol } : {}),
        };
      }),
    };
  }
  return { [prefix]: value };
}

type ResourceChange = NonNullable<PlanJson["resource_changes"]>[number];

/** Every attribute a plan changes, one entry each; no-ops are left out. */
export function attributeChanges(plan: PlanJson): AttributeChange[] {
  const out: AttributeChange[] = [];
  for (const rc of plan.resource_changes ?? []) {
    if (rc.address.startsWith("data.")) continue;
    const kind = kindOf(rc.change.actions);
    if (!kind) continue;
    if (kind === "create" || kind === "delete") {
      out.push({ address: rc.address, kind, attribute: "(resource)", before: rc.change.before, after: rc.change.after });
      continue;
    }
    out.push(...updatedAttributes(rc, kind));
  }
  return out;
}

/** Whether an attribute changes (an unknown counts, except a computed one a replacement renews without causing it). */
function changes(rc: ResourceChange, kind: ChangeKind, key: string, marker: unknown): boolean {
  const before = (rc.change.before ?? {}) as Values;
  const after = (rc.change.after ?? {}) as Values;
  if (marker !== true) return !sameKnown(before[key], after[key], marker);
  // On a replacement, the computed attributes (id, arn, revision …) are new without being a change of their own.
  const causes = (rc.change.replace_paths ?? []).some((p) => p[0] === key);
  return !(kind === "replace" && !(key in after) && !causes);
}

/** The attributes an update or a replacement changes. */
function updatedAttributes(rc: ResourceChange, kind: ChangeKind): AttributeChange[] {
  const out: AttributeChange[] = [];
  const before = (rc.change.before ?? {}) as Values;
  const after = (rc.change.after ?? {}) as Values;
  const unknown = (rc.change.after_unknown ?? {}) as Values;
  const push = (attribute: string, b: unknown, a: unknown) => out.push({ address: rc.address, kind, attribute, before: b, after: a });
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after), ...Object.keys(unknown)])].sort();
  for (const key of keys) {
    const marker = unknown[key];
    if (!changes(rc, kind, key, marker)) continue;
    if (marker === true) push(key, before[key], UNKNOWN);
    else if (key === "container_definitions" && typeof before[key] === "string" && typeof after[key] === "string")
      containerChanges(before[key] as string, after[key] as string, push);
    else if (!blockChanges(key, before[key], after[key], marker, push)) push(key, before[key], after[key]);
  }
  return out;
}

type Push = (attribute: string, before: unknown, after: unknown) => void;

/** Container definitions compared part by part (an environment variable, a health check field …). */
function containerChanges(beforeText: string, afterText: string, push: Push): void {
  const b = containerParts(beforeText);
  const a = containerParts(afterText);
  for (const part of [...new Set([...Object.keys(b), ...Object.keys(a)])].sort()) {
    if (!sameJson(b[part], a[part])) push(`container_definitions/${part}`, b[part], a[part]);
  }
}

/** One block written once (health_check): names the fields that change; false when the attribute is no such block. */
function blockChanges(key: string, before: unknown, after: unknown, marker: unknown, push: Push): boolean {
  const b = singleBlock(before);
  const a = singleBlock(after);
  if (!b || !a || RULE_LISTS.has(key)) return false;
  const marks = (singleBlock(marker) ?? {}) as Values;
  for (const field of [...new Set([...Object.keys(b), ...Object.keys(a)])].sort()) {
    if (!sameKnown(b[field], a[field], marks[field])) push(`${key}.${field}`, b[field], marks[field] === true ? UNKNOWN : a[field]);
  }
  return true;
}

/* ------------------------------------------------------------------------ *
 * A plan held against the list of intended changes.
 * ------------------------------------------------------------------------ */

export interface Intended {
  readonly address: string;
  readonly attribute: string;
  readonly kind: string;
}

export interface IntendedCheck {
  /** Changes the list does not name. */
  readonly unexpected: readonly AttributeChange[];
  /** Entries of the list the plan does not show. */
  readonly missing: readonly Intended[];
  /** What must never happen, listed or not: a live tag, environment variable, secret or health-check value lost, or a resource other than a task definition replaced or destroyed. */
  readonly forbidden: readonly string[];
}

const PROTECTED_PART = /^container_definitions\/[^/]+\/(environment|secrets|healthCheck)\//;

/** The live tags a change of `tags` or `tags_all` drops or changes. */
function lostTags(c: AttributeChange): string[] {
  if ((c.attribute !== "tags" && c.attribute !== "tags_all") || c.after === "(known after apply)") return [];
  const after = (c.after ?? {}) as Values;
  return Object.entries((c.before ?? {}) as Values)
    .filter(([tag, value]) => after[tag] !== value)
    .map(([tag, value]) => `${c.address} loses its live tag ${tag}=${String(value)}`);
}

/** What must never happen in one change: a replacement or deletion (task definitions aside), a live tag or protected container value lost. */
function forbiddenIn(c: AttributeChange): string[] {
  const out: string[] = [];
  if ((c.kind === "replace" || c.kind === "delete") && !c.address.startsWith("aws_ecs_task_definition.")) {
    out.push(`${c.address} would be ${c.kind === "delete" ? "destroyed" : "replaced"} (${c.attribute})`);
  }
  out.push(...lostTags(c));
  if (PROTECTED_PART.test(c.attribute) && c.before !== undefined) {
    out.push(`${c.address} ${c.attribute}: the live value ${JSON.stringify(c.before)} becomes ${JSON.stringify(c.after)}`);
  }
  return out;
}

/** What a plan does to the live platform, held against the intended changes. */
export function checkIntended(changes: readonly AttributeChange[], intended: readonly Intended[]): IntendedCheck {
  const key = (c: { address: string; attribute: string; kind: string }) => `${c.kind} ${c.address} ${c.attribute}`;
  const listed = new Set(intended.map(key));
  const seen = new Set(changes.map(key));
  return {
    unexpected: changes.filter((c) => !listed.has(key(c))),
    missing: intended.filter((i) => !seen.has(key(i))),
    forbidden: changes.flatMap(forbiddenIn),
  };
}
