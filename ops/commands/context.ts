/** What every command shares: the global options, the platform they name, and how results are printed. */
import * as path from "node:path";
import { type Command, InvalidArgumentError } from "commander";
import { syncRoot } from "../../platform/sandbox-root";
import { clients } from "../aws";
import { resolveEnvironment } from "../environment";
import { defaultTfDir, type PlatformFlags, readOutputs, resolvePlatform } from "../platform";

export type Globals = PlatformFlags & { json?: boolean; env: string };

export const positiveNumber = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`${name} must be a number >= 0; got "${v}"`);
  return n;
};

/** The global options, and the Terraform root they name (--tf-dir, then TF_DIR, then deploy/terraform). */
export function rootOf(cmd: Command): { g: Globals; tfDir: string } {
  const g = cmd.optsWithGlobals() as Globals;
  const tfDir = path.resolve(g.tfDir ?? defaultTfDir());
  // In the sandbox (scripts/sandbox.sh), its root is made again from the synthesized one first, as scripts/terraform.sh does.
  if (process.env.SANDBOX_SOURCE) syncRoot(process.env.SANDBOX_SOURCE, tfDir);
  return { g, tfDir };
}

export function platformOf(cmd: Command) {
  const { g, tfDir } = rootOf(cmd);
  const env = resolveEnvironment(g.env, tfDir);
  const outputs = g.fileSystem && g.cluster && g.bucket && g.region ? {} : readOutputs(tfDir, env.terraformEnv);
  const platform = resolvePlatform(outputs, g);
  return { platform, aws: clients(platform.region), json: Boolean(g.json), tfDir };
}

export function print(json: boolean, data: unknown, text: string): void {
  process.stdout.write(`${json ? JSON.stringify(data, null, 2) : text}\n`);
}
