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
  const out: ValueDifference[] = [];
  const addresses = [...new Set([...Object.keys(expected), ...Object.keys(actual)])].sort();
  for (const address of addresses) {
    const e = expected[address];
    const a = actual[address];
    if (!e || !a) {
      out.push({ address, attribute: "(resource)", expected: e ? "present" : "absent", actual: a ? "present" : "absent" });
      continue;
    }
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
  if (
    before !== null &&
    after !== null &&
    typeof before === "object" &&
    typeof after === "object" &&
    !Array.isArray(before) &&
    !Array.isArray(after)
  ) {
    const marks = (marker !== null && typeof marker === "object" ? marker : {}) as Values;
    const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
    return [...keys].every((k) => sameKnown((before as Values)[k], (after as Values)[k], marks[k]));
  }
  return sameJson(before, after);
}

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
      if ((field === "environment" || field === "secrets") && Array.isArray(value)) {
        for (const item of value as { name: string; value?: string; valueFrom?: string }[]) {
          out[`${name}/${field}/${item.name}`] = item.value ?? item.valueFrom;
        }
      } else if (field === "healthCheck" && value !== null && typeof value === "object") {
        for (const [k, v] of Object.entries(value as Values)) out[`${name}/healthCheck/${k}`] = v;
      } else if (field === "portMappings" && Array.isArray(value)) {
        // ECS fills in hostPort (= containerPort under awsvpc) and protocol tcp.
        out[`${name}/portMappings`] = (value as Values[]).map((m) => {
          const { hostPort, protocol, ...rest } = m;
          return {
            ...rest,
            ...(hostPort !== undefined && hostPort !== m.containerPort ? { hostPort } : {}),
            ...(protocol !== undefined && protocol !== "tcp" ? { protocol } : {}),
          };
        });
      } else {
        out[`${name}/${field}`] = value;
      }
    }
  }
  return out;
}

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
    const before = (rc.change.before ?? {}) as Values;
    const after = (rc.change.after ?? {}) as Values;
    const unknown = (rc.change.after_unknown ?? {}) as Values;
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after), ...Object.keys(unknown)])].sort();
    for (const key of keys) {
      const marker = unknown[key];
      if (marker !== true && sameKnown(before[key], after[key], marker)) continue;
      // On a replacement, the computed attributes (id, arn, revision …) are new without being a change of their own.
      const causes = (rc.change.replace_paths ?? []).some((p) => p[0] === key);
      if (kind === "replace" && marker === true && !(key in after) && !causes) continue;
      const push = (attribute: string, b: unknown, a: unknown) => out.push({ address: rc.address, kind, attribute, before: b, after: a });
      if (marker === true) {
        push(key, before[key], UNKNOWN);
        continue;
      }
      if (key === "container_definitions" && typeof before[key] === "string" && typeof after[key] === "string") {
        const b = containerParts(before[key] as string);
        const a = containerParts(after[key] as string);
        for (const part of [...new Set([...Object.keys(b), ...Object.keys(a)])].sort()) {
          if (!sameJson(b[part], a[part])) push(`container_definitions/${part}`, b[part], a[part]);
        }
        continue;
      }
      // One block written once (health_check): name the fields that change.
      const b = singleBlock(before[key]);
      const a = singleBlock(after[key]);
      if (b && a && !RULE_LISTS.has(key)) {
        const marks = (singleBlock(marker) ?? {}) as Values;
        for (const field of [...new Set([...Object.keys(b), ...Object.keys(a)])].sort()) {
          if (!sameKnown(b[field], a[field], marks[field])) push(`${key}.${field}`, b[field], marks[field] === true ? UNKNOWN : a[field]);
        }
        continue;
      }
      push(key, before[key], after[key]);
    }
  }
  return out;
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

/** What a plan does to the live platform, held against the intended changes. */
export function checkIntended(changes: readonly AttributeChange[], intended: readonly Intended[]): IntendedCheck {
  const key = (c: { address: string; attribute: string; kind: string }) => `${c.kind} ${c.address} ${c.attribute}`;
  const listed = new Set(intended.map(key));
  const seen = new Set(changes.map(key));
  const forbidden: string[] = [];
  for (const c of changes) {
    if ((c.kind === "replace" || c.kind === "delete") && !c.address.startsWith("aws_ecs_task_definition.")) {
      forbidden.push(`${c.address} would be ${c.kind === "delete" ? "destroyed" : "replaced"} (${c.attribute})`);
    }
    if (c.attribute === "tags" || c.attribute === "tags_all") {
      const before = (c.before ?? {}) as Values;
      const after = (c.after ?? {}) as Values;
      for (const [tag, value] of Object.entries(before)) {
        if (c.after !== "(known after apply)" && after[tag] !== value)
          forbidden.push(`${c.address} loses its live tag ${tag}=${String(value)}`);
      }
    }
    if (PROTECTED_PART.test(c.attribute) && c.before !== undefined) {
      forbidden.push(`${c.address} ${c.attribute}: the live value ${JSON.stringify(c.before)} becomes ${JSON.stringify(c.after)}`);
    }
  }
  return {
    unexpected: changes.filter((c) => !listed.has(key(c))),
    missing: intended.filter((i) => !seen.has(key(i))),
    forbidden,
  };
}
