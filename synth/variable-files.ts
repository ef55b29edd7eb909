import * as fs from "node:fs";
import * as path from "node:path";

/** The files Terraform reads variables from without being told (terraform.tfvars, *.auto.tfvars, their .json forms). */
export const VARIABLE_FILE = /^(terraform\.tfvars|.+\.auto\.tfvars)(\.json)?$/;

/**
 * Makes `to` read the same variable files as `from`: copies every variable
 * file of `from` and removes any other one from `to`. The cdktf CLI runs
 * Terraform in its own stack folder; this gives it the user's
 * terraform.tfvars, so `cdktf diff|deploy` apply what
 * `terraform -chdir=deploy/terraform plan` would. Returns the files copied.
 */
export function copyVariableFiles(from: string, to: string): string[] {
  const wanted = fs.existsSync(from) ? fs.readdirSync(from).filter((f) => VARIABLE_FILE.test(f)) : [];
  for (const stale of fs.readdirSync(to).filter((f) => VARIABLE_FILE.test(f) && !wanted.includes(f))) fs.rmSync(path.join(to, stale));
  for (const file of wanted) fs.copyFileSync(path.join(from, file), path.join(to, file));
  return wanted.map((f) => path.join(path.relative(process.cwd(), from) || ".", f));
}
