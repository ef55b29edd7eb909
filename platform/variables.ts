/**
 * The variable files of an environment (platform/environment.ts): parsed as Terraform
 * parses them, and the checks on them (prod's values leaking into another environment,
 * undeclared names), and the value of each variable as Terraform will see it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type * as Hcl from "@cdktf/hcl2json";
import { type EnvironmentModel, EnvironmentError } from "./environment";

/** One variable file, parsed: the variables it sets, with their values. */
export interface ParsedFile {
  readonly file: string;
  readonly values: Readonly<Record<string, unknown>>;
}

let hcl: typeof Hcl | undefined;
/**
 * HashiCorp's HCL parser, loaded on the first HCL file: loading it reads, unzips and starts its WebAssembly (half a
 * CPU-second), which the commands that parse no HCL file (status, backup, users, a JSON variable file) never pay.
 * require(), not import(): the synthesis runs as a bundle in a vm.Script, where a dynamic import() has no loader.
 */
function hclParse(file: string, text: string): Promise<unknown> {
  hcl ??= require("@cdktf/hcl2json") as typeof Hcl;
  return hcl.parse(file, text);
}

/** Parses one variable file, HCL or JSON, as Terraform does (HashiCorp's HCL parser, @cdktf/hcl2json). */
export async function parseVariableFile(file: string): Promise<ParsedFile> {
  const text = fs.readFileSync(file, "utf8");
  try {
    if (file.endsWith(".json")) return { file, values: JSON.parse(text) as Record<string, unknown> };
    return { file, values: (await hclParse(path.basename(file), text)) as Record<string, unknown> };
  } catch (error) {
    const why = String((error as Error).message ?? error).split("\n")[0];
    throw new EnvironmentError(`${file}: not a valid variable file (${why}); nothing was changed`);
  }
}

export async function parseVariableFiles(files: readonly string[]): Promise<ParsedFile[]> {
  const out: ParsedFile[] = [];
  for (const file of files) out.push(await parseVariableFile(file));
  return out;
}

/** A variable set by a file and not allowed there. */
export interface FoundVariable {
  readonly name: string;
  readonly file: string;
  /** For an undeclared one: the declared name it is closest to. */
  readonly closest?: string;
}

/**
 * Outside prod: the variables the root's own files set and the environment's
 * file does not (prod's value would reach the environment). Empty in prod.
 */
export function leakedVariables(model: EnvironmentModel, parsed: readonly ParsedFile[]): FoundVariable[] {
  if (model.live) return [];
  const own = new Set(Object.keys(parsed.find((p) => p.file === model.envFile)?.values ?? {}));
  return parsed
    .filter((p) => model.rootVariableFiles.includes(p.file))
    .flatMap((p) => Object.keys(p.values).map((name) => ({ name, file: p.file })))
    .filter((v) => !own.has(v.name));
}

export function leakMessage(model: EnvironmentModel, leaked: readonly FoundVariable[]): string {
  const list = leaked.map((v) => `${v.name} (${path.basename(v.file)})`).join(" ");
  return (
    `ENV=${model.name}: Terraform reads ${model.tfDir}'s own variable files in every environment, and they set ${list}, ` +
    `which ${model.envFile} does not: ${model.name} would take prod's values. Set each in ${model.envFile} (its value for ${model.name}), ` +
    "or move prod's settings to environments/prod.tfvars. Nothing was changed."
  );
}

/** Edit distance (insertions, deletions, substitutions). */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length];
}

/**
 * The declared name closest to `name`: the shortest one that holds every word of it
 * (efs_mibps: efs_provisioned_throughput_mibps), else the fewest edits away (mlflow_publc: mlflow_public).
 */
export function closestName(name: string, declared: readonly string[]): string | undefined {
  const words = name.split("_").filter(Boolean);
  const holding = declared.filter((d) => words.length > 1 && words.every((w) => d.split("_").includes(w)));
  if (holding.length > 0) return [...holding].sort((a, b) => a.length - b.length)[0];
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of declared) {
    const d = distance(name, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

/** The variables the files set that the root does not declare, each with the declared name closest to it. */
export function undeclaredVariables(parsed: readonly ParsedFile[], declared: readonly string[]): FoundVariable[] {
  const known = new Set(declared);
  return parsed.flatMap((p) =>
    Object.keys(p.values)
      .filter((name) => !known.has(name))
      .map((name) => ({ name, file: p.file, closest: closestName(name, declared) })),
  );
}

export function undeclaredMessage(undeclared: readonly FoundVariable[]): string {
  const list = undeclared.map((v) => `${v.name} (${path.basename(v.file)}${v.closest ? `; did you mean ${v.closest}?` : ""})`).join(", ");
  return `the variable files set variables this root does not declare: ${list}. Terraform would only warn and plan without them; fix each name. Nothing was changed.`;
}

/** The root's declared variables and their defaults, read from its *.tf.json. */
export function declaredVariables(tfDir: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of fs.existsSync(tfDir) ? fs.readdirSync(tfDir).sort() : []) {
    if (!name.endsWith(".tf.json") || name.endsWith("_override.tf.json")) continue;
    const json = JSON.parse(fs.readFileSync(path.join(tfDir, name), "utf8")) as { variable?: Record<string, { default?: unknown }> };
    for (const [v, block] of Object.entries(json.variable ?? {})) out[v] = block.default;
  }
  return out;
}

/**
 * The value of each variable as Terraform will see it: defaults, then
 * TF_VAR_<name>, then the files in order, then the command line's -var (strings).
 */
export function effectiveValues(
  defaults: Readonly<Record<string, unknown>>,
  parsed: readonly ParsedFile[],
  commandLine: Readonly<Record<string, string>>,
  env: NodeJS.ProcessEnv = {},
): Record<string, unknown> {
  const values: Record<string, unknown> = { ...defaults };
  for (const name of Object.keys(defaults)) if (env[`TF_VAR_${name}`] !== undefined) values[name] = env[`TF_VAR_${name}`];
  for (const p of parsed) Object.assign(values, p.values);
  return Object.assign(values, commandLine);
}

/**
 * The checks every way in runs on the environment's variable files before terraform does (scripts/terraform.sh,
 * make, and the cdktf path): only declared variables, and, outside prod, nothing prod's files set that the
 * environment's own file does not. Returns the parsed files.
 */
export async function checkVariableFiles(model: EnvironmentModel, declared: readonly string[]): Promise<ParsedFile[]> {
  const parsed = await parseVariableFiles(model.variableFiles);
  const leaked = leakedVariables(model, parsed);
  if (leaked.length > 0) throw new EnvironmentError(leakMessage(model, leaked));
  const undeclared = undeclaredVariables(parsed, declared);
  if (undeclared.length > 0) throw new EnvironmentError(undeclaredMessage(undeclared));
  return parsed;
}
