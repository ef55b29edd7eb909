/**
 * Which environment the commands act on, the way scripts/environment.sh
 * decides it for make: ENV (or --env), prod by default. Outside prod,
 * Terraform keeps the environment's backend in `<root>/.terraform-<env>`
 * (TF_DATA_DIR) and its variables in `environments/<env>.tfvars`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { PLATFORM } from "../platform/config";
import { EXIT, OpsError } from "./errors";

/** The form of an environment name (the root's `environment` variable refuses any other). */
const NAME = new RegExp(PLATFORM.environmentName.pattern);

export interface Environment {
  readonly name: string;
  /** Extra process environment for Terraform (TF_DATA_DIR outside prod). */
  readonly terraformEnv: Readonly<Record<string, string>>;
  /** The environment's own variable file, when it has one (always outside prod). */
  readonly variableFile?: string;
  /** Variables the environment sets on the command line (`environment` outside prod). */
  readonly variables: Readonly<Record<string, string>>;
}

/** environments/ beside this project, unless ENV_DIR says otherwise. */
export function defaultEnvironmentsDir(): string {
  return process.env.ENV_DIR ?? path.join(__dirname, "..", "environments");
}

export function resolveEnvironment(name: string, tfDir: string, envDir: string = defaultEnvironmentsDir()): Environment {
  if (!NAME.test(name)) {
    throw new OpsError(`--env/ENV "${name}": an environment name is ${PLATFORM.environmentName.rule} (prod, staging, dev2)`, EXIT.usage);
  }
  const file = path.join(envDir, `${name}.tfvars`);
  if (name === PLATFORM.liveEnvironment) {
    return { name, terraformEnv: {}, variableFile: fs.existsSync(file) ? file : undefined, variables: {} };
  }
  if (!fs.existsSync(file)) {
    const known = fs.existsSync(envDir)
      ? fs
          .readdirSync(envDir)
          .filter((n) => n.endsWith(".tfvars"))
          .map((n) => n.slice(0, -7))
      : [];
    const names = [PLATFORM.liveEnvironment, ...known.filter((n) => n !== PLATFORM.liveEnvironment)].join(", ");
    throw new OpsError(`--env/ENV "${name}": ${file} does not exist. Environments here: ${names}`, EXIT.usage);
  }
  return {
    name,
    terraformEnv: { TF_DATA_DIR: path.join(tfDir, `.terraform-${name}`) },
    variableFile: file,
    variables: { environment: name },
  };
}
