/**
 * The attributes a resource change changes, before → after, each value
 * masked when the plan marks it sensitive (before_sensitive /
 * after_sensitive) or when it is a secret by name, "(known after apply)"
 * where the plan cannot know it yet. JSON held in a string (IAM policies,
 * container definitions) is compared inside, so a policy change shows the
 * statement that changes, not two long strings.
 */
import type { ResourceChange } from "./review-plan";

export const MASK = "(sensitive)";
export const UNKNOWN = "(known after apply)";
/** Attribute names whose values are secrets whatever the plan says. */
const SECRET_NAME = /^(secret_string|secret_binary|password|.*_password|private_key|token)$/;

export interface AttributeChange {
  /** e.g. `ingress[0].cidr_blocks`, `policy:Statement[1].Action` (inside a JSON string). */
  readonly path: string;
  readonly before: string;
  readonly after: string;
  /** The plan replaces the resource because of this attribute. */
  readonly forcesReplacement: boolean;
}

type Leaf = { value: unknown; sensitive: boolean; unknown: boolean };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const child = (marks: unknown, key: string | number): unknown =>
  marks === true ? true : Array.isArray(marks) || isObject(marks) ? (marks as Record<string, unknown>)[key as string] : undefined;

function parsedJson(v: unknown): unknown {
  if (typeof v !== "string" || !/^\s*[[{]/.test(v)) return undefined;
  try {
    return JSON.parse(v);
  } catch {
    return undefined;
  }
}

const plain = (value: unknown): Leaf => ({ value, sensitive: false, unknown: false });

/** The last name in a path (`ingress[0].cidr_blocks` → `cidr_blocks`), for the secret-by-name rule. */
const leafName = (prefix: string): string =>
  prefix
    .split(/[.:]/)
    .pop()
    ?.replace(/\[\d+\]$/, "") ?? "";

const joinPath = (prefix: string, key: string | number): string =>
  typeof key === "number" ? `${prefix}[${key}]` : prefix === "" || prefix.endsWith(":") ? `${prefix}${key}` : `${prefix}.${key}`;

/** A leaf the plan marks sensitive or unknown as a whole (or a secret by name); undefined for any other value. */
function markedLeaf(value: unknown, sensitive: unknown, unknown: unknown, prefix: string): Leaf | undefined {
  if (sensitive === true || SECRET_NAME.test(leafName(prefix))) return { value, sensitive: true, unknown: unknown === true };
  if (unknown === true) return { value, sensitive: false, unknown: true };
  return undefined;
}

/** The children of a list of objects or of an object (with keys only the plan's unknown marks name); undefined for a plain value. */
function childEntries(value: unknown, unknown: unknown): [string | number, unknown][] | undefined {
  if (Array.isArray(value) && value.some((x) => typeof x === "object" && x !== null)) return value.map((x, i) => [i, x]);
  if (!isObject(value)) return undefined;
  const keys = new Set([...Object.keys(value), ...(isObject(unknown) ? Object.keys(unknown) : [])]);
  return [...keys].map((key) => [key, value[key]]);
}

/** Leaves of a value by path; lists of plain values stay one leaf (a CIDR list reads better whole). */
function flatten(value: unknown, sensitive: unknown, unknown: unknown, prefix: string, out: Map<string, Leaf>): void {
  const marked = markedLeaf(value, sensitive, unknown, prefix);
  if (marked) {
    out.set(prefix, marked);
    return;
  }
  const inner = parsedJson(value);
  if (inner !== undefined) {
    flatten(inner, undefined, undefined, `${prefix}:`, out);
    return;
  }
  const entries = childEntries(value, unknown);
  if (entries === undefined || entries.length === 0) {
    out.set(prefix, plain(value));
    return;
  }
  for (const [key, v] of entries) flatten(v, child(sensitive, key), child(unknown, key), joinPath(prefix, key), out);
}

export function show(leaf: Leaf | undefined): string {
  if (!leaf) return "—";
  if (leaf.sensitive) return MASK;
  if (leaf.unknown) return UNKNOWN;
  if (leaf.value === null || leaf.value === undefined) return "null";
  const text = typeof leaf.value === "string" ? leaf.value : JSON.stringify(leaf.value);
  return text.length > 120 ? `${text.slice(0, 117)}…` : text;
}

/** The leaves of one side of a change. */
export function leaves(value: unknown, sensitive: unknown, unknown?: unknown): Map<string, Leaf> {
  const out = new Map<string, Leaf>();
  flatten(value ?? {}, sensitive, unknown, "", out);
  return out;
}

/** The attributes whose value differs between before and after (sensitive ones shown masked, but listed when they change). */
export function attributeChanges(change: ResourceChange): AttributeChange[] {
  const c = change.change;
  const before = leaves(c.before, c.before_sensitive);
  const after = leaves(c.after, c.after_sensitive, c.after_unknown);
  const replacing = (c.replace_paths ?? []).map((p) => p.filter((x) => typeof x === "string").join("."));
  const out: AttributeChange[] = [];
  for (const key of new Set([...before.keys(), ...after.keys()])) {
    const b = before.get(key);
    const a = after.get(key);
    const same = b && a && !a.unknown && JSON.stringify(b.value) === JSON.stringify(a.value);
    if (same) continue;
    // An attribute that is absent on one side and null/empty on the other is no change a reviewer reads.
    const blank = (l: Leaf | undefined) =>
      !l ||
      l.value === null ||
      l.value === undefined ||
      l.value === "" ||
      (typeof l.value === "object" && Object.keys(l.value as object).length === 0);
    if (blank(b) && blank(a) && !a?.unknown) continue;
    const top = key.split(/[.[:]/)[0];
    out.push({
      path: key,
      before: show(b),
      after: show(a),
      forcesReplacement: replacing.some((p) => p === top || key.replace(/\[\d+\]/g, "").startsWith(p)),
    });
  }
  return out.sort((x, y) => x.path.localeCompare(y.path));
}
