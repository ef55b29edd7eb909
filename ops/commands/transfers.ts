/** `ops upload|download`: experiments to and from the file system, through S3 staging and a one-off task. */
import * as path from "node:path";
import type { Command } from "commander";
import { download, upload } from "../transfer";
import { renderPlan } from "../transfer-plan";
import { platformOf, positiveNumber, print } from "./context";

export function registerTransfers(p: Command): void {
  const transferOptions = (c: Command) =>
    c
      .option("--dry-run", "list what would move, move nothing")
      .option("--force", "overwrite files that are newer on the other side")
      .option("--timeout <seconds>", "give up waiting for the transfer task after this long", positiveNumber("--timeout"), 3600);

  transferOptions(
    p
      .command("upload")
      .description("copy a local directory into the experiments file system (through S3 staging and a one-off Fargate task)")
      .argument("<local-dir>", "e.g. experiments/ or experiments/run-42")
      .option("--to <path>", "where in the experiments tree (default: the directory's name; the root for a folder named experiments)"),
  ).action(async (localDir: string, o: { to?: string; dryRun?: boolean; force?: boolean; timeout: number }, cmd: Command) => {
    const { platform, aws, json } = platformOf(cmd);
    const base = path.basename(path.resolve(localDir));
    const to = o.to ?? (base === "experiments" ? "." : base);
    const s = await upload(aws, platform, localDir, to, { dryRun: o.dryRun, force: o.force, quiet: json, timeoutSeconds: o.timeout });
    print(json, s, renderPlan(s));
  });

  transferOptions(
    p
      .command("download")
      .description("copy a path of the experiments file system into a local directory")
      .argument("<remote-path>", "a path in the experiments tree ('.' for all of it)")
      .argument("<local-dir>", "where to write the files"),
  ).action(async (remote: string, localDir: string, o: { dryRun?: boolean; force?: boolean; timeout: number }, cmd: Command) => {
    const { platform, aws, json } = platformOf(cmd);
    const s = await download(aws, platform, remote, localDir, { dryRun: o.dryRun, force: o.force, quiet: json, timeoutSeconds: o.timeout });
    print(json, s, renderPlan(s));
  });
}
