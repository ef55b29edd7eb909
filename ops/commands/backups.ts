/** `ops backup|backups|restore|restored|bring-back`: AWS Backup of the experiments, and getting files back. */
import type { Command } from "commander";
import { listBackups, renderBackups, renderRestore, startBackup, startRestore } from "../backup";
import { table } from "../format";
import { bringBack, listRestoreDirs } from "../transfer";
import { platformOf, positiveNumber, print } from "./context";

export function registerBackups(p: Command): void {
  p.command("backup")
    .description("start an on-demand AWS Backup job of the experiments file system into the project's vault")
    .option("--no-wait", "start the job and return its id")
    .option("--delete-after-days <n>", "expire the recovery point after n days", positiveNumber("--delete-after-days"))
    .action(async (o: { wait: boolean; deleteAfterDays?: number }, cmd: Command) => {
      const { platform, aws, json } = platformOf(cmd);
      const r = await startBackup(aws, platform, { wait: o.wait, quiet: json, deleteAfterDays: o.deleteAfterDays });
      print(
        json,
        r,
        o.wait
          ? `recovery point ${r.recoveryPointArn}`
          : `backup job ${r.jobId} started (recovery point ${r.recoveryPointArn}); npm run ops -- backups`,
      );
    });

  p.command("backups")
    .description("the file system's recovery points, newest first, with size and age")
    .action(async (_o, cmd: Command) => {
      const { platform, aws, json } = platformOf(cmd);
      const points = await listBackups(aws, platform);
      print(json, points, renderBackups(points));
    });

  p.command("restore")
    .description("restore a recovery point into a NEW directory of the same file system (never over the live data)")
    .argument("<recovery-point>", "its id or ARN (npm run ops -- backups)")
    .option("--path <path...>", "restore only these paths of the experiments tree")
    .option("--no-wait", "start the job and return its id")
    .action(async (point: string, o: { wait: boolean; path?: string[] }, cmd: Command) => {
      const { platform, aws, json } = platformOf(cmd);
      const r = await startRestore(aws, platform, point, { wait: o.wait, quiet: json, paths: o.path });
      print(json, r, renderRestore(r, platform.fileSystemId));
    });

  p.command("restored")
    .description("the restore directories (aws-backup-restore_*) at the file system's root, newest first (runs the transfer task)")
    .action(async (_o, cmd: Command) => {
      const { platform, aws, json } = platformOf(cmd);
      const dirs = (await listRestoreDirs(aws, platform, { quiet: json })).sort((a, b) => b.mtime - a.mtime);
      print(
        json,
        dirs,
        dirs.length === 0
          ? "no restore directories on the file system"
          : table(
              ["directory", "modified (UTC)"],
              dirs.map((d) => [d.name, new Date(d.mtime * 1000).toISOString().slice(0, 19).replace("T", " ")]),
            ),
      );
    });

  p.command("bring-back")
    .description("copy restored files back into the experiments tree (newer files there are kept unless --force)")
    .argument("<restored-path>", "aws-backup-restore_<time>/app/experiments/<path>")
    .requiredOption("--to <path>", "where in the experiments tree")
    .option("--force", "overwrite files that are newer in the experiments")
    .action(async (source: string, o: { to: string; force?: boolean }, cmd: Command) => {
      const { platform, aws, json } = platformOf(cmd);
      const copied = await bringBack(aws, platform, source, o.to, { force: o.force, quiet: json });
      print(json, copied, `${copied.length} file(s) copied into the experiments:\n${copied.map((c) => `  ${c}`).join("\n")}`);
    });
}
