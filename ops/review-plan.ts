/**
 * What a saved plan says, read from Terraform's JSON plan representation
 * (`terraform show -json <plan>`): the actions on each address, which unit
 * of the root a resource belongs to, which resources hold data (the root's
 * `lifecycle.prevent_destroy`) and which of them the plan would destroy.
 * Pure functions over the plan and the root's files; every guard that reads
 * a plan (the review, the data-loss guard) starts here.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** One resource change of the JSON plan (the parts read here). */
export interface ResourceChange {
  readonly address: string;
  readonly mode?: "managed" | "data";
  readonly type: string;
  readonly name: string;
  readonly index?: string | number;
  readonly previous_address?: string;
  readonly action_reason?: string;
  readonly change: {
    readonly actions: readonly string[];
    readonly before: unknown;
    readonly after: unknown;
    readonly after_unknown?: unknown;
    readonly before_sensitive?: unknown;
    readonly after_sensitive?: unknown;
    readonly replace_paths?: readonly (readonly (string | number)[])[];
  };
}

export interface StateResourceJson {
  readonly address: string;
  readonly mode?: string;
  readonly type: string;
  readonly name: string;
  readonly index?: string | number;
  readonly values?: Record<string, unknown>;
}

interface ModuleJson {
  readonly resources?: readonly StateResourceJson[];
  readonly child_modules?: readonly ModuleJson[];
}

/** Terraform's JSON plan (format 1.x): the parts the review reads. */
export interface PlanJson {
  readonly format_version?: string;
  readonly terraform_version?: string;
  readonly variables?: Record<string, { readonly value?: unknown }>;
  readonly resource_changes?: readonly ResourceChange[];
  /** Changes made outside Terraform since the last apply, found by the plan's refresh. */
  readonly resource_drift?: readonly ResourceChange[];
  readonly prior_state?: { readonly values?: { readonly root_module?: ModuleJson } };
  readonly planned_values?: { readonly root_module?: ModuleJson };
  readonly errored?: boolean;
  /** The resource attributes that contributed to the plan (Terraform shows drift only for these). */
  readonly relevant_attributes?: readonly { readonly resource: string; readonly attribute?: readonly (string | number)[] }[];
}

/** A plan value read as an object ({} when it is none): plan JSON is untyped below the resource. */
export const obj = (v: unknown): Record<string, unknown> => (typeof v === "object" && v !== null ? (v as Record<string, unknown>) : {});
/** A plan value read as a list ([] when it is none). */
export const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** What a plan does to one address, in the words of `terraform plan`'s summary. */
export type Action = "create" | "update" | "replace" | "delete" | "read" | "no-op" | "move";

/** The plan's action list (["delete","create"] …) as one action. */
export function actionOf(change: ResourceChange): Action {
  const a = change.change.actions;
  if (a.includes("delete") && a.includes("create")) return "replace";
  if (a.includes("create")) return "create";
  if (a.includes("delete")) return "delete";
  if (a.includes("update")) return "update";
  if (a.includes("read")) return "read";
  return change.previous_address && change.previous_address !== change.address ? "move" : "no-op";
}

/** Parses and checks the text of `terraform show -json`: a clear error when it is not a plan. */
export function parsePlan(text: string, source: string): PlanJson {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${source} is not JSON: pass a saved plan (terraform plan -out=FILE) or its terraform show -json output`);
  }
  const plan = json as PlanJson;
  if (typeof json !== "object" || json === null || !("format_version" in json) || !Array.isArray(plan.resource_changes ?? [])) {
    throw new Error(`${source} is not a Terraform JSON plan (no format_version): produce it with terraform show -json FILE`);
  }
  if (plan.errored) throw new Error(`${source} is the plan of a failed terraform plan (errored: true): fix the plan's error first`);
  return plan;
}

/** Managed resource changes (data sources left out). */
export function managedChanges(plan: PlanJson): ResourceChange[] {
  return (plan.resource_changes ?? []).filter((c) => c.mode !== "data" && !c.address.startsWith("data."));
}

/** Each managed address and what the plan does to it (no-ops included). */
export function actionsByAddress(plan: PlanJson): Map<string, Action> {
  return new Map(managedChanges(plan).map((c) => [c.address, actionOf(c)]));
}

/** How many addresses each action touches, as `terraform plan` counts them (a replace is one add and one destroy there). */
export function countActions(plan: PlanJson): Record<Exclude<Action, "read" | "no-op">, number> {
  const counts = { create: 0, update: 0, replace: 0, delete: 0, move: 0 };
  for (const action of actionsByAddress(plan).values()) if (action in counts) counts[action as keyof typeof counts] += 1;
  return counts;
}

/** `Plan: X to add, Y to change, Z to destroy.`, as Terraform prints it for the same plan. */
export function terraformSummary(plan: PlanJson): string {
  const c = countActions(plan);
  return `Plan: ${c.create + c.replace} to add, ${c.update} to change, ${c.delete + c.replace} to destroy.`;
}

/** `type.name` of an address (instance keys and data/module prefixes dropped): the name `prevent_destroy` and ALLOW_DATA_LOSS use. */
export function resourceOf(address: string): string {
  return address.replace(/\[[^\]]*\]$/, "");
}

/** The root's `*.tf.json` files, by unit (the file name without `.tf.json`), left out: override files. */
function rootFiles(tfDir: string): { unit: string; json: { resource?: Record<string, Record<string, unknown>> } }[] {
  if (!fs.existsSync(tfDir)) throw new Error(`${tfDir} does not exist: pass the Terraform root (--tf-dir)`);
  return fs
    .readdirSync(tfDir)
    .filter((n) => n.endsWith(".tf.json") && !n.endsWith("_override.tf.json") && n !== "override.tf.json")
    .sort()
    .map((n) => ({ unit: n.slice(0, -".tf.json".length), json: JSON.parse(fs.readFileSync(path.join(tfDir, n), "utf8")) }));
}

/** What the root knows of its resources: the unit (file) each is declared in, and those that hold data. */
export interface RootIndex {
  /** `type.name` → unit (network, storage, services, observability, main …). */
  readonly units: ReadonlyMap<string, string>;
  /** `type.name` of every resource with lifecycle.prevent_destroy = true: the ones that hold data. */
  readonly protectedResources: readonly string[];
}

export function indexRoot(tfDir: string): RootIndex {
  const units = new Map<string, string>();
  const protectedResources: string[] = [];
  for (const { unit, json } of rootFiles(tfDir)) {
    for (const [type, blocks] of Object.entries(json.resource ?? {})) {
      for (const [name, block] of Object.entries(blocks)) {
        units.set(`${type}.${name}`, unit);
        if ((block as { lifecycle?: { prevent_destroy?: unknown } }).lifecycle?.prevent_destroy === true) {
          protectedResources.push(`${type}.${name}`);
        }
      }
    }
  }
  return { units, protectedResources: protectedResources.sort() };
}

/** The unit an address belongs to ("other" when the root does not declare it, e.g. a resource only the state still holds). */
export function unitOf(address: string, root: RootIndex): string {
  return root.units.get(resourceOf(address)) ?? "other";
}

export interface ProtectedTouch {
  readonly address: string;
  readonly action: Action;
  /** The plan destroys it (delete or replace): its data would be lost. */
  readonly dataLoss: boolean;
  /** ALLOW_DATA_LOSS names it (its `type.name`, its address, or `all`). */
  readonly allowed: boolean;
}

/** ALLOW_DATA_LOSS's words (space- or comma-separated). */
export function parseAllowDataLoss(text: string | undefined): string[] {
  return (text ?? "").split(/[\s,]+/).filter(Boolean);
}

/** The data-holding resources the plan touches (anything but no-op), each with whether it loses data and whether that is allowed. */
export function protectedTouched(plan: PlanJson, root: RootIndex, allowDataLoss: readonly string[] = []): ProtectedTouch[] {
  const held = new Set(root.protectedResources);
  return managedChanges(plan)
    .filter((c) => held.has(resourceOf(c.address)))
    .map((c) => ({ c, action: actionOf(c) }))
    .filter(({ action }) => action !== "no-op" && action !== "read")
    .map(({ c, action }) => ({
      address: c.address,
      action,
      dataLoss: action === "delete" || action === "replace",
      allowed: allowDataLoss.includes("all") || allowDataLoss.includes(c.address) || allowDataLoss.includes(resourceOf(c.address)),
    }));
}

/** Every resource instance of a module tree (prior state or planned values). */
export function resourcesIn(module: ModuleJson | undefined): StateResourceJson[] {
  if (!module) return [];
  return [...(module.resources ?? []), ...(module.child_modules ?? []).flatMap(resourcesIn)].filter(
    (r) => r.mode !== "data" && !r.address.startsWith("data."),
  );
}

/** The resources before the plan (its refreshed prior state) and after it (planned values). */
export function priorResources(plan: PlanJson): StateResourceJson[] {
  return resourcesIn(plan.prior_state?.values?.root_module);
}
export function plannedResources(plan: PlanJson): StateResourceJson[] {
  return resourcesIn(plan.planned_values?.root_module);
}

/** The value the plan gives each root variable. */
export function planVariables(plan: PlanJson): Record<string, unknown> {
  return Object.fromEntries(Object.entries(plan.variables ?? {}).map(([name, v]) => [name, v.value]));
}

/** True when the plan changes nothing (no action but no-op/read, nothing moved). */
export function isEmpty(plan: PlanJson): boolean {
  return [...actionsByAddress(plan).values()].every((a) => a === "no-op" || a === "read");
}
