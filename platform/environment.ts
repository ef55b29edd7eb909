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
