/**
 * Data protection: the resources that hold data (lifecycle.prevent_destroy), the
 * override that lifts it for one run, what ALLOW_DATA_LOSS names, and the check of
 * a saved plan's deletions against it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { EnvironmentError } from "./environment";

/** The override file that lifts prevent_destroy for one run; removed when the run ends. */
export const ALLOW_DATA_LOSS_OVERRIDE = "zz_allow_data_loss_override.tf.json";

/** A root *.tf.json: the part the protection reads. */
interface RootResources {
  readonly resource?: Record<string, Record<string, { lifecycle?: { prevent_destroy?: boolean } }>>;
}

/** The resources of one root file that hold data ("type.name", lifecycle.prevent_destroy). */
function protectedIn(json: RootResources): string[] {
  return Object.entries(json.resource ?? {}).flatMap(([type, blocks]) =>
    Object.entries(blocks)
      .filter(([, block]) => block.lifecycle?.prevent_destroy === true)
      .map(([id]) => `${type}.${id}`),
  );
}

/** The resources that hold data ("type.name", lifecycle.prevent_destroy), read from the root's *.tf.json. */
export function protectedResources(tfDir: string): string[] {
  const found = new Set<string>();
  for (const name of fs.existsSync(tfDir) ? fs.readdirSync(tfDir) : []) {
    if (!name.endsWith(".tf.json") || name === ALLOW_DATA_LOSS_OVERRIDE) continue;
    const json = JSON.parse(fs.readFileSync(path.join(tfDir, name), "utf8")) as RootResources;
    for (const address of protectedIn(json)) found.add(address);
  }
  return [...found].sort();
}

/** The override's content: prevent_destroy off for the addresses ("type.name"). */
export function allowDataLossOverride(addresses: readonly string[], writer: string): string {
  const resource: Record<string, Record<string, unknown>> = {};
  for (const a of addresses) {
    const [type, name] = a.split(".");
    resource[type] = { ...resource[type], [name]: { lifecycle: { prevent_destroy: false } } };
  }
  return `${JSON.stringify({ "//": `Written by ${writer} for one run (ALLOW_DATA_LOSS); removed when it ends.`, resource }, null, 2)}\n`;
}

/**
 * What ALLOW_DATA_LOSS names: "all" (every protected resource) or addresses;
 * a name that holds no data is refused.
 */
export function allowedDataLoss(value: string | undefined, known: readonly string[]): { all: boolean; addresses: string[] } {
  const words = (value ?? "").split(/\s+/).filter(Boolean);
  if (words.length === 1 && words[0] === "all") return { all: true, addresses: [...known] };
  for (const w of words) {
    if (!known.includes(w)) {
      throw new EnvironmentError(`ALLOW_DATA_LOSS names ${w}, which holds no data here; the resources that do: ${known.join(" ")}`);
    }
  }
  return { all: false, addresses: [...new Set(words)].sort() };
}

/** A saved plan as `terraform show -json` gives it: the part the check reads. */
export interface ShownPlan {
  readonly resource_changes?: readonly { readonly address: string; readonly change: { readonly actions: readonly string[] } }[];
}

/** The protected resources ("type.name") a plan deletes or replaces, from its resource changes. */
export function dataLossOf(plan: ShownPlan, known: readonly string[]): string[] {
  const hit = new Set<string>();
  for (const rc of plan.resource_changes ?? []) {
    if (!rc.change.actions.includes("delete")) continue;
    const resource = rc.address.replace(/\[[^\]]*\]$/, "");
    if (known.includes(resource)) hit.add(resource);
  }
  return [...hit].sort();
}

/** The one refusal every path prints for data loss: every address, and the exact way past. */
export function dataLossMessage(what: string, addresses: readonly string[], allow: string = `"${addresses.join(" ")}"`): string {
  return (
    `refused: ${what} would destroy or replace ${addresses.join(" ")} which hold data (docs/SAFE-CHANGES.md says which inputs do this). ` +
    `Nothing was changed. If that is what you mean, run again with ALLOW_DATA_LOSS=${allow}.`
  );
}

/**
 * Checks a plan's data loss against ALLOW_DATA_LOSS: the plan may go ahead
 * when it loses no data, or when ALLOW_DATA_LOSS is "all" or names exactly
 * the resources it loses. Returns the refusal, or undefined.
 */
export function dataLossRefusal(hits: readonly string[], allowed: { all: boolean; addresses: readonly string[] }): string | undefined {
  if (allowed.all) return undefined;
  const same = hits.length === allowed.addresses.length && hits.every((h) => allowed.addresses.includes(h));
  if (same) return undefined;
  if (hits.length === 0) {
    return `ALLOW_DATA_LOSS names ${allowed.addresses.join(" ")}, and this plan destroys or replaces none of it: run again without ALLOW_DATA_LOSS. Nothing was changed.`;
  }
  const named = allowed.addresses.length ? ` (ALLOW_DATA_LOSS names ${allowed.addresses.join(" ")}: it must name exactly these)` : "";
  return `${dataLossMessage("this plan", hits)}${named}`;
}
