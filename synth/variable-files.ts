import * as fs from "node:fs";
import * as path from "node:path";
import { PLATFORM } from "../platform/config";

/** The files Terraform reads variables from without being told (terraform.tfvars, *.auto.tfvars, their .json forms). */
export const VARIABLE_FILE = /^(terraform\.tfvars|.+\.auto\.tfvars)(\.json)?$/;

/** Where an environment's variables are kept: `<envDir>/<environment>.tfvars`. */
export function environmentFile(envDir: string, environment: string): string {
  return path.join(envDir, `${environment}.tfvars`);
}

/**
 * Makes the cdktf CLI's stack folder `to` read the variables that
 * `make ... ENV=<environment>` reads (scripts/environment.sh), and no other
 * variable file. The cdktf CLI runs Terraform in its own stack folder, so
 * this is what makes `cdktf diff|deploy` apply what `make plan` would.
 *
 * - prod: every variable file of `from` (the team's terraform.tfvars …),
 *   then `<envDir>/prod.tfvars` when it exists;
 * - any other environment: only `<envDir>/<environment>.tfvars` (which must
 *   exist) and `environment = "<environment>"`; the root's own files are
 *   prod's and are not read.
 *
 * The environment's files are copied as `zz-<env>.auto.tfvars` and `zzz-environment…`, read after the
 * others, as the `-var-file` of the make targets is. Returns the files read.
 */
export function copyVariableFiles(from: string, to: string, environment: string = PLATFORM.liveEnvironment, envDir?: string): string[] {
  const live = environment === PLATFORM.liveEnvironment;
  const envFile = envDir === undefined ? undefined : environmentFile(envDir, environment);
  if (!live && (envFile === undefined || !fs.existsSync(envFile))) {
    throw new Error(
      `ENV=${environment}: ${envFile ?? `environments/${environment}.tfvars`} does not exist; an environment other than ${PLATFORM.liveEnvironment} keeps its variables there (start from environments/staging.tfvars)`,
    );
  }
  const copies: { source?: string; target: string; content?: string }[] = [];
  if (live) {
    const own = fs.existsSync(from) ? fs.readdirSync(from).filter((f) => VARIABLE_FILE.test(f)) : [];
    copies.push(...own.map((f) => ({ source: path.join(from, f), target: f })));
  } else {
    copies.push({ target: "zzz-environment.auto.tfvars.json", content: `${JSON.stringify({ environment })}\n` });
  }
  if (envFile !== undefined && fs.existsSync(envFile)) copies.push({ source: envFile, target: `zz-${environment}.auto.tfvars` });

  const wanted = copies.map((c) => c.target);
  for (const stale of fs.readdirSync(to).filter((f) => VARIABLE_FILE.test(f) && !wanted.includes(f))) fs.rmSync(path.join(to, stale));
  for (const copy of copies) {
    if (copy.source !== undefined) fs.copyFileSync(copy.source, path.join(to, copy.target));
    else fs.writeFileSync(path.join(to, copy.target), copy.content ?? "");
  }
  return copies.map((c) =>
    c.source === undefined ? `environment = "${environment}"` : path.relative(process.cwd(), c.source) || c.source,
  );
}
