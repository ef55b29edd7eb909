import * as fs from "node:fs";
import * as path from "node:path";
import {
  ALLOW_DATA_LOSS_OVERRIDE,
  allowDataLossOverride,
  allowedDataLoss,
  dataLossMessage,
  protectedResources,
} from "../platform/data-loss";
import { type EnvironmentModel, EnvironmentError, isAutoVariableFile } from "../platform/environment";

/**
 * Makes the cdktf CLI's stack folder `to` read the variables the wrapper
 * passes for the environment (platform/environment.ts), and no other file:
 * the root's own variable files under their names, then the environment's
 * file as `zz-<env>.auto.tfvars` and its `-var` values as
 * `zzz-environment.auto.tfvars.json`, read after the others as the wrapper's
 * `-var-file` and `-var` are. Returns the files read.
 */
export function copyVariableFiles(model: EnvironmentModel, to: string): string[] {
  const copies: { source?: string; target: string; content?: string }[] = model.rootVariableFiles.map((f) => ({
    source: f,
    target: path.basename(f),
  }));
  if (model.envFile !== undefined) copies.push({ source: model.envFile, target: `zz-${model.name}.auto.tfvars` });
  if (Object.keys(model.variables).length > 0) {
    copies.push({ target: "zzz-environment.auto.tfvars.json", content: `${JSON.stringify(model.variables)}\n` });
  }
  const wanted = copies.map((c) => c.target);
  for (const stale of fs.readdirSync(to).filter((f) => isAutoVariableFile(f) && !wanted.includes(f))) fs.rmSync(path.join(to, stale));
  for (const copy of copies) {
    if (copy.source !== undefined) fs.copyFileSync(copy.source, path.join(to, copy.target));
    else fs.writeFileSync(path.join(to, copy.target), copy.content ?? "");
  }
  return copies.map((c) =>
    c.source === undefined
      ? Object.entries(model.variables)
          .map(([k, v]) => `${k} = "${v}"`)
          .join(", ")
      : path.relative(process.cwd(), c.source) || c.source,
  );
}

/** The cdktf command this synthesis runs under (diff, deploy, destroy …), from the process's ancestors on Linux; undefined when unknown. */
export function cdktfCommand(pid: number = process.ppid): string | undefined {
  for (let i = 0; i < 6 && pid > 1; i++) {
    try {
      const args = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
      const at = args.findIndex((a) => /(^|\/)cdktf(\.js)?$/.test(a) || /cdktf-cli\/bundle\/bin\/cdktf/.test(a));
      if (at >= 0) return args.slice(at + 1).find((a) => /^[a-z]+$/.test(a));
      pid = Number(
        fs
          .readFileSync(`/proc/${pid}/stat`, "utf8")
          .replace(/^.*\) /, "")
          .split(" ")[1],
      );
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/**
 * ALLOW_DATA_LOSS on the cdktf path: lifts prevent_destroy in the stack folder for the
 * resources named ("all": every one) through an override file, for this run only (a later
 * synthesis without it removes the file). `cdktf destroy` without ALLOW_DATA_LOSS=all is
 * refused here, before Terraform runs, with the wrapper's words. Returns what was lifted.
 */
export function allowDataLossIn(stackDir: string, value: string | undefined, command: string | undefined): string[] {
  const known = protectedResources(stackDir);
  const file = path.join(stackDir, ALLOW_DATA_LOSS_OVERRIDE);
  fs.rmSync(file, { force: true });
  const allowed = allowedDataLoss(value, known);
  if (command === "destroy" && !allowed.all && allowed.addresses.length < known.length) {
    throw new EnvironmentError(dataLossMessage("cdktf destroy", known, "all"));
  }
  if (allowed.addresses.length === 0) return [];
  fs.writeFileSync(file, allowDataLossOverride(allowed.addresses, "the synthesis (main.ts)"));
  return allowed.addresses;
}
