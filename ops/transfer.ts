/**
 * Moving experiments to and from the experiments file system: a staging
 * prefix in the artifacts bucket, and the one-off transfer task
 * (`constructs/experiments-transfer.ts`) that mounts the file system through
 * its access point. The task reaches S3 only through presigned URLs made
 * here, with the caller's own credentials; whatever was staged is deleted,
 * every version of it (the bucket is versioned), whether the run succeeds or
 * not.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import { PassThrough } from "node:stream";
import { RunTaskCommand } from "@aws-sdk/client-ecs";
import { DeleteObjectsCommand, GetObjectCommand, ListObjectVersionsCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import * as tar from "tar";
import type { Clients } from "./aws";
import { EXIT, OpsError } from "./errors";
import { bytes } from "./format";
import type { Platform } from "./platform";
import { need } from "./platform";
import { elapsedSeconds, startedArn, taskResult, waitStopped } from "./one-off-task";
import { progress } from "./progress";
import {
  archives,
  conflictError,
  type FileEntry,
  localManifest,
  type PlannedFile,
  planCopy,
  remotePath,
  type TransferSummary,
} from "./transfer-plan";

/** Where staged files live in the artifacts bucket (deleted after each run). */
export const STAGING_PREFIX = "ops-staging/";
/** The transfer task's container (constructs/experiments-transfer.ts). */
const CONTAINER = "transfer";
/** How long presigned URLs stay valid: the longest a transfer may take. */
const URL_SECONDS = 6 * 3600;
export interface Staging {
  readonly prefix: string;
  key(name: string): string;
  getUrl(name: string): Promise<string>;
  putUrl(name: string): Promise<string>;
  cleanup(): Promise<number>;
}

function staging(aws: Clients, bucket: string): Staging {
  const prefix = `${STAGING_PREFIX}${new Date().toISOString().replace(/[:.]/g, "-")}-${randomBytes(4).toString("hex")}/`;
  return {
    prefix,
    key: (name) => `${prefix}${name}`,
    getUrl: (name) => getSignedUrl(aws.s3, new GetObjectCommand({ Bucket: bucket, Key: `${prefix}${name}` }), { expiresIn: URL_SECONDS }),
    putUrl: (name) => getSignedUrl(aws.s3, new PutObjectCommand({ Bucket: bucket, Key: `${prefix}${name}` }), { expiresIn: URL_SECONDS }),
    cleanup: async () => {
      let removed = 0;
      for (;;) {
        const listed = await aws.s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: prefix }));
        const versions = [...(listed.Versions ?? []), ...(listed.DeleteMarkers ?? [])].map((v) => ({ Key: v.Key, VersionId: v.VersionId }));
        if (versions.length === 0) return removed;
        await aws.s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: versions, Quiet: true } }));
        removed += versions.length;
      }
    },
  };
}

export interface TaskOptions {
  readonly quiet?: boolean;
  /** Give up waiting after this many seconds. @default 3600 */
  readonly timeoutSeconds?: number;
}

/** Runs one job in the transfer task, waits for it, and returns its result; the staged job and result are the caller's to clean. */
async function runJob(
  aws: Clients,
  platform: Platform,
  stage: Staging,
  job: Record<string, unknown>,
  options: TaskOptions,
): Promise<Record<string, unknown>> {
  need(platform, "clusterName", "transferFamily", "subnetIds", "securityGroupId", "bucket");
  const body = JSON.stringify({ ...job, result: await stage.putUrl("result.json") });
  await aws.s3.send(
    new PutObjectCommand({ Bucket: platform.bucket, Key: stage.key("job.json"), Body: body, ContentType: "application/json" }),
  );
  const started = await aws.ecs.send(
    new RunTaskCommand({
      cluster: platform.clusterName,
      taskDefinition: platform.transferFamily,
      launchType: "FARGATE",
      count: 1,
      startedBy: "npm-run-ops",
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: [...platform.subnetIds],
          securityGroups: [platform.securityGroupId as string],
          assignPublicIp: "DISABLED",
        },
      },
      overrides: {
        containerOverrides: [{ name: CONTAINER, environment: [{ name: "OPS_JOB_URL", value: await stage.getUrl("job.json") }] }],
      },
    }),
  );
  const arn = startedArn(started, "transfer task");
  const stopped = await waitStopped(aws, platform.clusterName as string, arn, {
    what: "transfer task",
    doing: String(job.action),
    timeoutSeconds: options.timeoutSeconds ?? 3600,
    quiet: options.quiet,
  });
  const { run } = stopped;
  const logs = `/ops/${platform.transferFamily}`;
  const result = await taskResult<Record<string, unknown>>(
    aws,
    { bucket: platform.bucket as string, key: stage.key("result.json") },
    { ...stopped, container: CONTAINER },
    { text: "stopped without finishing", logs },
  );
  if (result.ok !== true) {
    run.bar.fail(`transfer task ${run.id}: ${job.action} failed`);
    throw new OpsError(`the transfer task ${run.id} failed: ${String(result.error)} (logs: ${logs})`);
  }
  run.bar.succeed(`transfer task ${run.id}: ${job.action} done in ${elapsedSeconds(run)} s`);
  return result;
}

/** Runs `work` with a fresh staging prefix, and always deletes what it staged. */
export async function withStaging<T>(
  aws: Clients,
  platform: Platform,
  quiet: boolean | undefined,
  work: (stage: Staging) => Promise<T>,
): Promise<T> {
  need(platform, "bucket");
  const stage = staging(aws, platform.bucket);
  try {
    return await work(stage);
  } finally {
    const removed = await stage.cleanup();
    if (!quiet) process.stderr.write(`staging: removed ${removed} object version(s) under s3://${platform.bucket}/${stage.prefix}\n`);
  }
}

export interface TransferOptions extends TaskOptions {
  readonly force?: boolean;
  readonly dryRun?: boolean;
}

/**
 * The plan of a copy, and whether to go on: nothing moves on a dry run, nor when a file is newer on the
 * target side (unless forced), nor when everything is already there.
 */
function decide(
  direction: "upload" | "download",
  source: readonly FileEntry[],
  target: readonly FileEntry[],
  where: { remote: string; local: string },
  options: TransferOptions,
): { summary: TransferSummary; moving: PlannedFile[] } {
  const plan = planCopy(source, target, options.force);
  const moving = plan.filter((f) => f.move === "new" || f.move === "update");
  const summary: TransferSummary = { direction, ...where, files: plan, moved: 0, bytes: 0, dryRun: Boolean(options.dryRun) };
  if (!options.dryRun && plan.some((f) => f.move === "conflict")) {
    throw conflictError(plan, direction === "upload" ? "on the file system" : "locally");
  }
  return { summary, moving: options.dryRun ? [] : moving };
}

export async function upload(
  aws: Clients,
  platform: Platform,
  localDir: string,
  remote: string,
  options: TransferOptions,
): Promise<TransferSummary> {
  if (!fs.existsSync(localDir) || !fs.statSync(localDir).isDirectory())
    throw new OpsError(`local directory ${localDir} does not exist`, EXIT.usage);
  const target = remotePath(remote);
  const local = localManifest(localDir);
  if (local.length === 0) throw new OpsError(`local directory ${localDir} holds no files`, EXIT.usage);
  return withStaging(aws, platform, options.quiet, async (stage) => {
    const listed = await runJob(aws, platform, stage, { action: "list", path: target }, options);
    const { summary, moving } = decide("upload", local, listed.files as FileEntry[], { remote: target, local: localDir }, options);
    if (moving.length === 0) return summary;
    const total = moving.reduce((n, f) => n + f.size, 0);
    const bar = progress(`staging ${moving.length} file(s), ${bytes(total)}`, options.quiet);
    const key = stage.key("upload.tar");
    // tar writes a minipass stream; the SDK takes a Node stream: pipe one into the other.
    const body = new PassThrough();
    tar
      .c(
        { cwd: localDir, portable: true, noDirRecurse: true },
        moving.map((f) => f.path),
      )
      .pipe(body);
    const up = new Upload({ client: aws.s3, params: { Bucket: platform.bucket, Key: key, Body: body } });
    up.on("httpUploadProgress", (p) => bar.update(`staging ${moving.length} file(s): ${bytes(p.loaded ?? 0)} of the archive uploaded`));
    await up.done();
    bar.succeed(`staged ${moving.length} file(s), ${bytes(total)}`);
    const result = await runJob(
      aws,
      platform,
      stage,
      { action: "pull", path: target, archives: [await stage.getUrl("upload.tar")] },
      options,
    );
    return { ...summary, moved: Number(result.files), bytes: Number(result.bytes) };
  });
}

export async function download(
  aws: Clients,
  platform: Platform,
  remote: string,
  localDir: string,
  options: TransferOptions,
): Promise<TransferSummary> {
  const source = remotePath(remote);
  return withStaging(aws, platform, options.quiet, async (stage) => {
    const listed = (await runJob(aws, platform, stage, { action: "list", path: source }, options)).files as FileEntry[];
    if (listed.length === 0) throw new OpsError(`experiments:/${source} holds no files (or does not exist)`, EXIT.failed);
    const { summary, moving } = decide("download", listed, localManifest(localDir), { remote: source, local: localDir }, options);
    if (moving.length === 0) return summary;
    const groups = archives(moving);
    const names = groups.map((_, i) => `download-${String(i).padStart(4, "0")}.tar`);
    const jobArchives = await Promise.all(
      groups.map(async (files, i) => ({ url: await stage.putUrl(names[i]), files: files.map((f) => f.path) })),
    );
    await runJob(aws, platform, stage, { action: "push", path: source, archives: jobArchives }, options);
    fs.mkdirSync(localDir, { recursive: true });
    const total = moving.reduce((n, f) => n + f.size, 0);
    const bar = progress(`fetching ${moving.length} file(s), ${bytes(total)}`, options.quiet);
    let done = 0;
    for (const name of names) {
      const got = await aws.s3.send(new GetObjectCommand({ Bucket: platform.bucket, Key: stage.key(name) }));
      const body = got.Body as NodeJS.ReadableStream;
      body.on("data", (chunk: Buffer) => {
        done += chunk.length;
        bar.update(`fetching: ${bytes(done)} of about ${bytes(total)}`);
      });
      await new Promise<void>((resolve, reject) => {
        const extract = tar.x({ cwd: localDir, preserveOwner: false });
        body.pipe(extract as unknown as NodeJS.WritableStream).on("finish", () => resolve());
        body.on("error", reject);
        (extract as unknown as NodeJS.EventEmitter).on("error", reject);
      });
    }
    bar.succeed(`fetched ${moving.length} file(s), ${bytes(total)}`);
    return { ...summary, moved: moving.length, bytes: total };
  });
}

/** The aws-backup-restore_* directories at the file system's root (restores the services cannot see). */
export async function listRestoreDirs(aws: Clients, platform: Platform, options: TaskOptions): Promise<{ name: string; mtime: number }[]> {
  return withStaging(
    aws,
    platform,
    options.quiet,
    async (stage) => (await runJob(aws, platform, stage, { action: "restores" }, options)).restores as { name: string; mtime: number }[],
  );
}

/** Copies restored files (a path below the file system's root, inside an aws-backup-restore_* directory) back into the experiments tree. */
export async function bringBack(
  aws: Clients,
  platform: Platform,
  source: string,
  target: string,
  options: TransferOptions,
): Promise<string[]> {
  const clean = remotePath(source);
  if (!/^aws-backup-restore_[^/]+\//.test(`${clean}/`)) {
    throw new OpsError(
      `"${source}" is not inside a restore: give aws-backup-restore_<time>/<path> (see npm run ops -- restored)`,
      EXIT.usage,
    );
  }
  return withStaging(aws, platform, options.quiet, async (stage) => {
    const result = await runJob(
      aws,
      platform,
      stage,
      { action: "copy-back", source: clean, path: remotePath(target), force: Boolean(options.force) },
      options,
    );
    return result.copied as string[];
  });
}
