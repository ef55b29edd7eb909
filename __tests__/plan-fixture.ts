/** Plan fragments shaped as `terraform show -json` writes them, on the committed root's variable defaults. */
import * as path from "node:path";
import { variableDefaults } from "../ops/cost";
import type { PlanJson, ResourceChange } from "../ops/review-plan";

/** The committed root. */
export const ROOT = path.join(__dirname, "..", "deploy", "terraform");
/** Its variables' defaults. */
export const defaults = variableDefaults(ROOT);

/** One resource change at `address`. */
export function change(
  address: string,
  actions: string[],
  before: unknown,
  after: unknown,
  extra: Partial<ResourceChange["change"]> = {},
): ResourceChange {
  const [type, rest] = [address.split(".")[0], address.split(".").slice(1).join(".")];
  return { address, mode: "managed", type, name: rest.replace(/\[.*$/, ""), change: { actions, before, after, ...extra } };
}

/** A plan of `changes` with the default variables. */
export const plan = (changes: ResourceChange[], extra: Partial<PlanJson> = {}): PlanJson => ({
  format_version: "1.2",
  variables: Object.fromEntries(Object.entries(defaults).map(([k, v]) => [k, { value: v }])),
  resource_changes: changes,
  ...extra,
});
