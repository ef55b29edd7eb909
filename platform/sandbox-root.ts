/** The sandbox's root (scripts/sandbox.sh), made again from the synthesized one before every command. */
import * as fs from "node:fs";
import * as path from "node:path";
import { ALLOW_DATA_LOSS_OVERRIDE } from "./data-loss";
import { autoVariableFiles, isAutoVariableFile } from "./environment";

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
