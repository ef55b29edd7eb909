/**
 * `backup`, `backups`, `restore`: on-demand AWS Backup jobs of the
 * experiments file system into the project's vault (constructs/on-demand-backups.ts),
 * its recovery points (the daily automatic ones too), and restores into a new
 * directory of the same file system, never over the live data.
 */
import {
  DescribeBackupJobCommand,
  DescribeRestoreJobCommand,
  GetRecoveryPointRestoreMetadataCommand,
  ListRecoveryPointsByResourceCommand,
  StartBackupJobCommand,
  StartRestoreJobCommand,
} from "@aws-sdk/client-backup";
import { DescribeFileSystemsCommand } from "@aws-sdk/client-efs";
import type { Clients } from "./aws";
import { EXIT, OpsError } from "./errors";
import { age, bytes, table } from "./format";
import { need, type Platform } from "./platform";
import { pollMs, progress, sleep } from "./progress";

/** Where the services see the experiments on the file system (the access point's root). */
export const EXPERIMENTS_ROOT = "/app/experiments";
const DONE = ["COMPLETED", "FAILED", "ABORTED", "EXPIRED", "PARTIAL"];

async function fileSystemArn(aws: Clients, platform: Platform): Promise<string> {
  need(platform, "fileSystemId");
  const [fs] = (await aws.efs.send(new DescribeFileSystemsCommand({ FileSystemId: platform.fileSystemId }))).FileSystems ?? [];
  if (!fs?.FileSystemArn) throw new OpsError(`file system ${platform.fileSystemId} not found in ${platform.region}`, EXIT.notDeployed);
  return fs.FileSystemArn;
}

export interface BackupResult {
  readonly jobId: string;
  readonly recoveryPointArn?: string;
  readonly state: string;
  readonly sizeBytes?: number;
}

/** Waits for an AWS Backup job with progress; returns its last description, or throws unless it COMPLETED. */
async function waitForJob<T>(
  what: string,
  describe: () => Promise<T & { PercentDone?: string; StatusMessage?: string }>,
  stateOf: (job: T) => string | undefined,
  quiet: boolean | undefined,
): Promise<T> {
  const bar = progress(`${what}: started`, quiet);
  const began = Date.now();
  for (;;) {
    const job = await describe();
    const state = stateOf(job) ?? "UNKNOWN";
    bar.update(`${what}: ${state} ${job.PercentDone ?? ""}% (${Math.round((Date.now() - began) / 1000)} s)`);
    if (DONE.includes(state)) {
      if (state !== "COMPLETED") {
        bar.fail(`${what}: ${state}`);
        throw new OpsError(`${what} ended ${state}: ${job.StatusMessage ?? "no message"}`);
      }
      bar.succeed(`${what}: COMPLETED in ${Math.round((Date.now() - began) / 1000)} s`);
      return job;
    }
    await sleep(pollMs());
  }
}

export async function startBackup(
  aws: Clients,
  platform: Platform,
  options: { wait: boolean; quiet?: boolean; deleteAfterDays?: number },
): Promise<BackupResult> {
  need(platform, "backupVault", "backupRoleArn");
  const resourceArn = await fileSystemArn(aws, platform);
  const started = await aws.backup.send(
    new StartBackupJobCommand({
      BackupVaultName: platform.backupVault,
      ResourceArn: resourceArn,
      IamRoleArn: platform.backupRoleArn,
      IdempotencyToken: `ops-${Date.now()}`,
      Lifecycle: options.deleteAfterDays ? { DeleteAfterDays: options.deleteAfterDays } : undefined,
    }),
  );
  const jobId = started.BackupJobId as string;
  if (!options.wait) return { jobId, recoveryPointArn: started.RecoveryPointArn, state: "CREATED" };
  const job = await waitForJob(
    `backup job ${jobId}`,
    () => aws.backup.send(new DescribeBackupJobCommand({ BackupJobId: jobId })),
    (j) => j.State,
    options.quiet,
  );
  return { jobId, recoveryPointArn: job.RecoveryPointArn, state: "COMPLETED", sizeBytes: job.BackupSizeInBytes };
}

export interface RecoveryPoint {
  readonly arn: string;
  readonly id: string;
  readonly vault: string;
  readonly created: Date;
  readonly sizeBytes: number;
  readonly status: string;
}

/** Every recovery point of the experiments file system, newest first, in any vault (the daily automatic ones too). */
export async function listBackups(aws: Clients, platform: Platform): Promise<RecoveryPoint[]> {
  const resourceArn = await fileSystemArn(aws, platform);
  const points: RecoveryPoint[] = [];
  let token: string | undefined;
  do {
    const page = await aws.backup.send(new ListRecoveryPointsByResourceCommand({ ResourceArn: resourceArn, NextToken: token }));
    for (const p of page.RecoveryPoints ?? []) {
      points.push({
        arn: p.RecoveryPointArn as string,
        id: (p.RecoveryPointArn as string).split(":").pop() as string,
        vault: p.BackupVaultName ?? "?",
        created: new Date(p.CreationDate ?? 0),
        sizeBytes: Number(p.BackupSizeBytes ?? (p as { BackupSizeInBytes?: number }).BackupSizeInBytes ?? 0),
        status: p.Status ?? "?",
      });
    }
    token = page.NextToken;
  } while (token);
  return points.sort((a, b) => b.created.getTime() - a.created.getTime());
}

export function renderBackups(points: readonly RecoveryPoint[], now = new Date()): string {
  if (points.length === 0) return "no recovery points yet: npm run ops -- backup";
  return table(
    ["recovery point", "vault", "created (UTC)", "age", "size", "status"],
    points.map((p) => [
      p.id,
      p.vault,
      p.created.toISOString().slice(0, 19).replace("T", " "),
      age(p.created, now),
      bytes(p.sizeBytes),
      p.status,
    ]),
  );
}

export interface RestoreResult {
  readonly jobId: string;
  readonly status: string;
  readonly recoveryPointArn: string;
  readonly items: readonly string[];
}

export async function startRestore(
  aws: Clients,
  platform: Platform,
  point: string,
  options: { wait: boolean; quiet?: boolean; paths?: readonly string[] },
): Promise<RestoreResult> {
  need(platform, "backupRoleArn");
  const points = await listBackups(aws, platform);
  const found = points.find((p) => p.arn === point || p.id === point);
  if (!found) {
    throw new OpsError(`recovery point "${point}" is not one of the file system's (npm run ops -- backups lists them)`, EXIT.usage);
  }
  const metadata = await aws.backup.send(
    new GetRecoveryPointRestoreMetadataCommand({ BackupVaultName: found.vault, RecoveryPointArn: found.arn }),
  );
  const items = (options.paths ?? []).map((p) => `${EXPERIMENTS_ROOT}/${p.replace(/^\/+/, "")}`.replace(/\/+$/, ""));
  const started = await aws.backup.send(
    new StartRestoreJobCommand({
      RecoveryPointArn: found.arn,
      IamRoleArn: platform.backupRoleArn,
      ResourceType: "EFS",
      // Into the same file system, in a new directory: never over the live data (newFileSystem=false).
      Metadata: {
        ...metadata.RestoreMetadata,
        "file-system-id": platform.fileSystemId,
        newFileSystem: "false",
        ...(items.length > 0 ? { ItemsToRestore: JSON.stringify(items) } : {}),
      },
    }),
  );
  const jobId = started.RestoreJobId as string;
  if (!options.wait) return { jobId, status: "CREATED", recoveryPointArn: found.arn, items };
  await waitForJob(
    `restore job ${jobId}`,
    () => aws.backup.send(new DescribeRestoreJobCommand({ RestoreJobId: jobId })),
    (j) => j.Status,
    options.quiet,
  );
  return { jobId, status: "COMPLETED", recoveryPointArn: found.arn, items };
}

/** Where the restored files are, and why the services cannot see them. */
export function renderRestore(r: RestoreResult, fileSystemId: string): string {
  return [
    `restore job ${r.jobId}: ${r.status}`,
    `AWS Backup restores into a NEW directory at the root of ${fileSystemId}: /aws-backup-restore_<start time>/` +
      (r.items.length > 0 ? ` (only ${r.items.join(", ")})` : " (the whole file system)") +
      ". The live experiments are untouched.",
    `The services cannot see it: it lies outside the access point's root ${EXPERIMENTS_ROOT}. The experiments are under /aws-backup-restore_<start time>${EXPERIMENTS_ROOT}/.`,
    "  npm run ops -- restored                                         # the restore directories, newest first",
    `  npm run ops -- bring-back aws-backup-restore_<time>${EXPERIMENTS_ROOT}/<path> --to <path>   # copy chosen files back into the experiments`,
  ].join("\n");
}
