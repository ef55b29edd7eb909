/**
 * The inputs of a terraform command line as the wrapper (ops/terraform.ts) reads them: its -var and
 * -var-file values, and the root's declared variable types that command-line strings are read as.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ALLOW_DATA_LOSS_OVERRIDE } from "../platform/data-loss";
import { type ParsedFile, parseVariableFile } from "../platform/variables";

/** -var and -var-file of a command line, in their order: the values they set (files parsed). */
export async function commandLineValues(args: readonly string[]): Promise<{ files: ParsedFile[]; vars: Record<string, string> }> {
  const files: ParsedFile[] = [];
  const vars: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i].includes("=")
      ? [args[i].slice(0, args[i].indexOf("=")), args[i].slice(args[i].indexOf("=") + 1)]
      : [args[i]];
    if (flag !== "-var" && flag !== "-var-file") continue;
    const value = inline ?? args[++i];
    if (value === undefined) continue;
    if (flag === "-var-file") files.push(await parseVariableFile(path.resolve(value)));
    else {
      const eq = value.indexOf("=");
      if (eq > 0) vars[value.slice(0, eq)] = value.slice(eq + 1);
    }
  }
  return { files, vars };
}

/** A command-line or TF_VAR_ value (a string) as the variable's type reads it. */
export function typed(value: unknown, type: string | undefined): unknown {
  if (typeof value !== "string") return value;
  if (type === "number") return Number(value);
  if (type === "bool") return value === "true";
  if (type?.startsWith("list")) {
    try {
      return JSON.parse(value);
    } catch {
      return value;
    }
  }
  return value;
}

/** The declared type of each root variable, from its *.tf.json. */
export function variableTypes(tfDir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of fs.readdirSync(tfDir).filter((n) => n.endsWith(".tf.json") && n !== ALLOW_DATA_LOSS_OVERRIDE)) {
    const json = JSON.parse(fs.readFileSync(path.join(tfDir, name), "utf8")) as { variable?: Record<string, { type?: string }> };
    for (const [v, block] of Object.entries(json.variable ?? {})) out[v] = block.type ?? "";
  }
  return out;
}
