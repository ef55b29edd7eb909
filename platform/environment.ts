/**
 * The environment model: the one place that knows, for an environment name,
 * which state it lives in, where Terraform keeps its backend, which plan file
 * it writes, which variable files it reads (in Terraform's order) and which
 * `-var` values it passes; and the checks on those files that every way into
 * the platform runs before anything changes (the wrapper scripts/terraform.sh,
 * `npm run ops`, the cdktf path in main.ts, the sandbox, the workflows).
 *
 *   prod (PLATFORM.liveEnvironment)  the live platform, byte for byte: state key
 *       terraform.tfstate, data dir <root>/.terraform, plan file tfplan, the root's
 *       own variable files, then environments/prod.tfvars when it exists.
 *   <name>  state key env/<name>/terraform.tfstate, data dir <root>/.terraform-<name>
 *       (TF_DATA_DIR), plan file tfplan-<name>, environments/<name>.tfvars (which
 *       must exist) and environment=<name>.
 *
 * Terraform reads the root's own variable files (terraform.tfvars, *.auto.tfvars …)
 * in every environment: a variable set there and not in environments/<name>.tfvars
 * would reach the other environment unseen, so that is refused (`leakedVariables`).
 *
 * No dependency on cdktf or the AWS SDK: the ops bundle and the synthesis both load it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
// HashiCorp's HCL parser (its WebAssembly loads on the first parse). A static import: the synthesis runs as a
// bundle in a vm.Script, where a dynamic import() has no loader.
import { parse } from "@cdktf/hcl2json";
import { PLATFORM } from "./config";

/** A mistake in the environment or its variable files: the message names it and the fix. */
export class EnvironmentError extends Error {}

/** The form of an environment name (the root's `environment` variable refuses any other). */
const NAME = new RegExp(PLATFORM.environmentName.pattern);

export interface EnvironmentOptions {
  /** The environment's name. @default PLATFORM.liveEnvironment */
  readonly name?: string;
  /** The Terraform root (deploy/terraform). */
  readonly tfDir: string;
  /** Where environments keep their variable files (environments/). */
  readonly envDir: string;
  /** Another state bucket than the root's (STATE_BUCKET; make setup-backend creates it). @default - the root's */
  readonly stateBucket?: string;
  /** The state bucket's region (STATE_REGION). @default - the root's */
  readonly stateRegion?: string;
}

export interface EnvironmentModel {
  readonly name: string;
  /** Whether this is the live platform (prod). */
  readonly live: boolean;
  readonly tfDir: string;
  readonly envDir: string;
  readonly stateBucket: string;
  readonly stateKey: string;
  readonly stateRegion: string;
  /** TF_DATA_DIR outside prod; prod uses Terraform's own `<root>/.terraform`. */
  readonly dataDir?: string;
  /** Extra process environment for Terraform (TF_DATA_DIR outside prod). */
  readonly terraformEnv: Readonly<Record<string, string>>;
  /** The plan file, in the root. */
  readonly planFile: string;
  /** The environment's own variable file, when it has one (always outside prod). */
  readonly envFile?: string;
  /** The variable files Terraform loads by itself from the root, in its order. */
  readonly rootVariableFiles: readonly string[];
  /** Every variable file, in the order Terraform applies them: the root's, then the environment's (-var-file). */
  readonly variableFiles: readonly string[];
  /** Variables set on the command line (`environment` outside prod). */
  readonly variables: Readonly<Record<string, string>>;
  /** `terraform init` arguments: the state key, bucket and region that differ from the root's. */
  readonly backendArgs: readonly string[];
  /** Arguments of plan/apply/destroy/import/console: the environment's -var-file and -var. */
  readonly varArgs: readonly string[];
}

/** The state key of an environment: the live platform's key for prod, `env/<name>/terraform.tfstate` for any other. */
export function stateKey(name: string): string {
  return name === PLATFORM.liveEnvironment ? PLATFORM.backend.key : `env/${name}/${PLATFORM.backend.key}`;
}

/** The data dir (TF_DATA_DIR) of an environment other than prod. */
export function dataDir(tfDir: string, name: string): string | undefined {
  return name === PLATFORM.liveEnvironment ? undefined : path.join(tfDir, `.terraform-${name}`);
}

/** The environment whose data dir this is (the inverse of `dataDir`). */
export function environmentOfDataDir(dir: string): string {
  return path.basename(dir).replace(/^\.terraform-/, "");
}

/** The environments that exist: prod, and one per environments/<name>.tfvars. */
export function environmentNames(envDir: string): string[] {
  const known = fs.existsSync(envDir)
    ? fs
        .readdirSync(envDir)
        .filter((n) => n.endsWith(".tfvars"))
        .map((n) => n.slice(0, -".tfvars".length))
        .sort()
    : [];
  return [PLATFORM.liveEnvironment, ...known.filter((n) => n !== PLATFORM.liveEnvironment)];
}

/** Whether a file name is one Terraform loads from the root by itself. */
export function isAutoVariableFile(name: string): boolean {
  return /^(terraform\.tfvars|.+\.auto\.tfvars)(\.json)?$/.test(name);
}

/**
 * The variable files Terraform loads from `dir` by itself, in its order:
 * terraform.tfvars, terraform.tfvars.json, then every *.auto.tfvars and
 * *.auto.tfvars.json in lexical order of their names.
 */
export function autoVariableFiles(dir: string): string[] {
  const names = fs.existsSync(dir) ? fs.readdirSync(dir).filter(isAutoVariableFile) : [];
  const first = ["terraform.tfvars", "terraform.tfvars.json"].filter((n) => names.includes(n));
  const auto = names.filter((n) => !first.includes(n)).sort();
  return [...first, ...auto].map((n) => path.join(dir, n));
}

/** Everything about one environment; refuses a malformed name and an environment without its file. */
export function resolveEnvironment(options: EnvironmentOptions): EnvironmentModel {
  const name = options.name || PLATFORM.liveEnvironment;
  const tfDir = path.resolve(options.tfDir);
  const envDir = path.resolve(options.envDir);
  if (!NAME.test(name)) {
    throw new EnvironmentError(`ENV=${name}: an environment name is ${PLATFORM.environmentName.rule} (prod, staging, dev2)`);
  }
  const live = name === PLATFORM.liveEnvironment;
  const file = path.join(envDir, `${name}.tfvars`);
  if (!live && !fs.existsSync(file)) {
    throw new EnvironmentError(
      `ENV=${name}: ${file} does not exist. Environments here: ${environmentNames(envDir).join(" ")}. A new one starts as a copy of environments/staging.tfvars.`,
    );
  }
  const envFile = fs.existsSync(file) ? file : undefined;
  const data = dataDir(tfDir, name);
  const key = stateKey(name);
  const backendArgs = [
    ...(key === PLATFORM.backend.key ? [] : [`-backend-config=key=${key}`]),
    ...(options.stateBucket ? [`-backend-config=bucket=${options.stateBucket}`] : []),
    ...(options.stateRegion ? [`-backend-config=region=${options.stateRegion}`] : []),
  ];
  const variables: Record<string, string> = live ? {} : { environment: name };
  const rootVariableFiles = autoVariableFiles(tfDir);
  return {
    name,
    live,
    tfDir,
    envDir,
    stateBucket: options.stateBucket || PLATFORM.backend.bucket,
    stateKey: key,
    stateRegion: options.stateRegion || PLATFORM.backend.region,
    dataDir: data,
    terraformEnv: data === undefined ? {} : { TF_DATA_DIR: data },
    planFile: live ? "tfplan" : `tfplan-${name}`,
    envFile,
    rootVariableFiles,
    variableFiles: [...rootVariableFiles, ...(envFile ? [envFile] : [])],
    variables,
    backendArgs,
    varArgs: [...(envFile ? [`-var-file=${envFile}`] : []), ...Object.entries(variables).flatMap(([k, v]) => ["-var", `${k}=${v}`])],
  };
}

/** The model from the process environment, as make passes it: ENV, TF_DIR, ENV_DIR, STATE_BUCKET, STATE_REGION. */
export function environmentFromProcess(
  env: NodeJS.ProcessEnv,
  defaults: { tfDir: string; envDir: string },
  name: string | undefined = env.ENV,
): EnvironmentModel {
  return resolveEnvironment({
    name,
    tfDir: env.TF_DIR || defaults.tfDir,
    envDir: env.ENV_DIR || defaults.envDir,
    stateBucket: env.STATE_BUCKET,
    stateRegion: env.STATE_REGION,
  });
}

/**
 * The sandbox's root (scripts/sandbox.sh): made again from `source` (the
 * synthesized deploy/terraform) before every command, so that it plans the
 * current root with the same variable files as prod. Copies the *.tf.json and
 * the variable files Terraform loads by itself, removes those `source` no
 * longer has; Terraform's own files (.terraform, lock file, plans) stay.
 * Returns the variable files it copied.
 */
export function syncRoot(source: string, target: string): string[] {
  const wanted = (name: string) => (name.endsWith(".tf.json") && name !== ALLOW_DATA_LOSS_OVERRIDE) || isAutoVariableFile(name);
  const from = fs.readdirSync(source).filter(wanted);
  fs.mkdirSync(target, { recursive: true });
  for (const stale of fs.readdirSync(target).filter((n) => wanted(n) && !from.includes(n))) fs.rmSync(path.join(target, stale));
  for (const name of from) fs.copyFileSync(path.join(source, name), path.join(target, name));
  return autoVariableFiles(source);
}

/* ------------------------------------------------------------ variable files */

/** One variable file, parsed: the variables it sets, with their values. */
export interface ParsedFile {
  readonly file: string;
  readonly values: Readonly<Record<string, unknown>>;
}

/** Parses one variable file, HCL or JSON, as Terraform does (HashiCorp's HCL parser, @cdktf/hcl2json). */
export async function parseVariableFile(file: string): Promise<ParsedFile> {
  const text = fs.readFileSync(file, "utf8");
  try {
    if (file.endsWith(".json")) return { file, values: JSON.parse(text) as Record<string, unknown> };
    return { file, values: (await parse(path.basename(file), text)) as Record<string, unknown> };
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

/* ------------------------------------------------------------ data protection */

/** The override file that lifts prevent_destroy for one run; removed when the run ends. */
export const ALLOW_DATA_LOSS_OVERRIDE = "zz_allow_data_loss_override.tf.json";

/** The resources that hold data ("type.name", lifecycle.prevent_destroy), read from the root's *.tf.json. */
export function protectedResources(tfDir: string): string[] {
  const found = new Set<string>();
  for (const name of fs.existsSync(tfDir) ? fs.readdirSync(tfDir) : []) {
    if (!name.endsWith(".tf.json") || name === ALLOW_DATA_LOSS_OVERRIDE) continue;
    const json = JSON.parse(fs.readFileSync(path.join(tfDir, name), "utf8")) as {
      resource?: Record<string, Record<string, { lifecycle?: { prevent_destroy?: boolean } }>>;
    };
    for (const [type, blocks] of Object.entries(json.resource ?? {})) {
      for (const [id, block] of Object.entries(blocks)) if (block.lifecycle?.prevent_destroy === true) found.add(`${type}.${id}`);
    }
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

/* ------------------------------------------------------------ held inputs */

/** The record of the held inputs in the state (FrozenInputs "identity" in the root stack). */
export const IDENTITY_RECORD = "terraform_data.platform_identity";

/** Inputs that may not change under a deployed platform, and why: the root's precondition and the wrappers say the same. */
export const HELD_INPUTS = {
  aws_region:
    "Terraform would look for the platform in the new region, find nothing, and plan a second platform there, " +
    "leaving this one, its experiments and artifacts, running and unmanaged. To move regions, deploy a new " +
    "environment there (its own state) and move the data.",
  environment:
    "Outside prod it is part of every name that is unique in the account (roles, bucket, repository, secret, cluster, ALB): " +
    "a new value replaces them, and the bucket, repository and secret with their data. Deploy another environment beside this one instead (ENV=<name>).",
  project_name:
    "It names the ALB, the security groups, the Service Connect namespace and the task roles: a new name " +
    "replaces them, changes the ALB's DNS name (every URL) and restarts the services.",
} as const;

/** The refusal of a held input's change (the root's precondition words, with the values filled in). */
export function heldMessage(name: keyof typeof HELD_INPUTS, held: string, value: string): string {
  return (
    `${name} is held at ${held} since the platform was created, and this plan sets it to ${value}. ` +
    `${HELD_INPUTS[name]} To take the new value on purpose, plan with -replace=${IDENTITY_RECORD}.`
  );
}

/** The held values recorded in a state (`terraform state pull`), or undefined when the platform has none yet. */
export function heldValues(state: unknown): Record<string, string> | undefined {
  const [type, name] = IDENTITY_RECORD.split(".");
  const resources = (
    state as { resources?: { mode: string; type: string; name: string; instances?: { attributes?: { input?: unknown } }[] }[] }
  )?.resources;
  const record = resources?.find((r) => r.mode === "managed" && r.type === type && r.name === name);
  const input = record?.instances?.[0]?.attributes?.input as { value?: Record<string, string> } | undefined;
  return input?.value;
}

/** The held inputs a plan would change, each as its refusal. */
export function heldChanges(held: Readonly<Record<string, string>> | undefined, values: Readonly<Record<string, unknown>>): string[] {
  if (held === undefined) return [];
  return (Object.keys(HELD_INPUTS) as (keyof typeof HELD_INPUTS)[])
    .filter((name) => held[name] !== undefined && values[name] !== undefined && String(values[name]) !== held[name])
    .map((name) => heldMessage(name, held[name], String(values[name])));
}
