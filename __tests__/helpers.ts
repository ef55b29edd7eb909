import * as path from "node:path";
import { App, TerraformStack, Testing } from "cdktf";
import { testTmp } from "./temp";
import contract from "./fixtures/legacy-contract.json";
import type { Construct } from "constructs";
import { buildPlatform } from "../main";
import { RULES } from "../synth/policy/rules";
import { renderRoot } from "../synth/root-writer";
import { LIVE_SERVICES } from "../platform/intended-changes";
import { SERVICES, type ServiceTable } from "../platform/services";

// biome-ignore lint/suspicious/noExplicitAny: parsed Terraform JSON, walked by path in assertions; its precise type would be the whole provider schema
export type Json = Record<string, any>;

export { LIVE_SERVICES };

/** The services of the live platform, as its contract names them (`<key>_service_name`). */
export const CONTRACT_SERVICES = Object.keys(contract.variables)
  .filter((name) => name.endsWith("_service_name"))
  .map((name) => name.slice(0, -"_service_name".length));

/**
 * The services table as the live platform runs it: the live services' entries only, whatever else the table
 * holds. The tests of the live contract and of the switch render this one, so that a service added to the
 * table fails none of them.
 */
export const LIVE_TABLE: ServiceTable = Object.fromEntries(LIVE_SERVICES.map((key) => [key, (SERVICES as ServiceTable)[key]]));

/** How names unique in an account or region carry the environment: "" in prod (platform-stack.ts, PlatformNames). */
export const SUFFIX = "${local.name_suffix}";

let defaultPlatform: Record<string, Json> | undefined;

/**
 * Renders the whole platform as the root writer does: file name → parsed JSON.
 * The default services' platform is rendered once per worker (the unit files
 * share a worker) and each caller gets its own copy.
 */
export function renderPlatform(services: ServiceTable = SERVICES): Record<string, Json> {
  if (services === SERVICES) {
    defaultPlatform ??= render(SERVICES);
    return structuredClone(defaultPlatform);
  }
  return render(services);
}

function render(services: ServiceTable): Record<string, Json> {
  const app = new App({ outdir: path.join(testTmp(), "cdktf.out") });
  const { root, units } = buildPlatform(app, services);
  const { files } = renderRoot(root, units, RULES);
  return Object.fromEntries(Object.entries(files).map(([name, text]) => [name, JSON.parse(text) as Json]));
}

/** All files of a rendered root merged into one Terraform JSON document (as Terraform reads a folder). */
export function mergeRoot(files: Record<string, Json>): Json {
  const merged: Json = {};
  for (const file of Object.values(files)) {
    for (const [section, body] of Object.entries(file)) {
      if (section === "//") continue;
      merged[section] =
        section === "resource" || section === "data" ? mergeByType(merged[section], body as Json) : { ...merged[section], ...body };
    }
  }
  return merged;
}

/** A resource (or data) section merged into another, type by type. */
function mergeByType(into: Json | undefined, section: Json): Json {
  const out: Json = { ...into };
  for (const [type, byName] of Object.entries(section)) out[type] = { ...out[type], ...(byName as Json) };
  return out;
}

/** Synthesizes what `build` creates in a fresh stack and returns the Terraform JSON. */
export function synthScope(build: (scope: Construct) => void): Json {
  const app = Testing.app();
  const stack = new TerraformStack(app, "test");
  build(stack);
  return JSON.parse(Testing.synth(stack)) as Json;
}

/** The resources of one type in a Terraform JSON document. */
export function resources(json: Json, type: string): Record<string, Json> {
  return (json.resource?.[type] ?? {}) as Record<string, Json>;
}
