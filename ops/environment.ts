/**
 * Which environment the commands act on: ENV (or --env), prod by default,
 * resolved by the one environment model (platform/environment.ts) that
 * make, the cdktf path and the wrapper use too.
 */
import * as path from "node:path";
import { type EnvironmentModel, EnvironmentError, resolveEnvironment as resolveModel } from "../platform/environment";
import { EXIT, OpsError } from "./errors";

export interface Environment {
  readonly name: string;
  /** Extra process environment for Terraform (TF_DATA_DIR outside prod). */
  readonly terraformEnv: Readonly<Record<string, string>>;
  /** The environment's own variable file, when it has one (always outside prod). */
  readonly variableFile?: string;
  /** Variables the environment sets on the command line (`environment` outside prod). */
  readonly variables: Readonly<Record<string, string>>;
  /** The whole model: state, plan file, variable files in Terraform's order. */
  readonly model: EnvironmentModel;
}

/** environments/ beside this project, unless ENV_DIR says otherwise. */
export function defaultEnvironmentsDir(): string {
  return process.env.ENV_DIR ?? path.join(__dirname, "..", "environments");
}

export function resolveEnvironment(name: string, tfDir: string, envDir: string = defaultEnvironmentsDir()): Environment {
  try {
    const model = resolveModel({ name, tfDir, envDir, stateBucket: process.env.STATE_BUCKET, stateRegion: process.env.STATE_REGION });
    return { name, terraformEnv: model.terraformEnv, variableFile: model.envFile, variables: model.variables, model };
  } catch (error) {
    if (error instanceof EnvironmentError) throw new OpsError(error.message.replace(/^ENV=/, "--env/ENV "), EXIT.usage);
    throw error;
  }
}
