/**
 * A one-off ECS task that a command starts and waits for (the transfer task,
 * the MLflow migration): the check that it started, the wait until it stops
 * with its state on the progress line, and the result.json it leaves in the
 * command's staging prefix.
 */
import { DescribeTasksCommand, type RunTaskCommandOutput, type Task } from "@aws-sdk/client-ecs";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import type { Clients } from "./aws";
import { OpsError } from "./errors";
import { type Progress, pollMs, progress, sleep } from "./progress";

/** A started task being waited for. */
export interface TaskRun {
  /** e.g. "transfer task", "migration task": the words every message starts with. */
  readonly what: string;
  /** The task's id (the last part of its ARN). */
  readonly id: string;
  readonly bar: Progress;
  /** When the wait began (ms since the epoch). */
  readonly began: number;
}

export const elapsedSeconds = (run: TaskRun): number => Math.round((Date.now() - run.began) / 1000);

/** The ARN of the task a RunTask started, or an error with ECS's reason when it started none. */
export function startedArn(started: RunTaskCommandOutput, what: string): string {
  const arn = started.tasks?.[0]?.taskArn;
  if (arn) return arn;
  const failure = started.failures?.[0];
  throw new OpsError(`the ${what} did not start: ${failure?.reason ?? "no task returned"}${failure?.detail ? ` (${failure.detail})` : ""}`);
}

/** Why a stopped task did not finish, in one line (`container`: the container whose exit matters; default the first). */
export function stoppedWhy(task: Task, container?: string): string {
  const c = task.containers?.find((x) => x.name === container) ?? task.containers?.[0];
  const parts = [
    task.stoppedReason,
    task.stopCode ? `stop code ${task.stopCode}` : "",
    c?.reason,
    c?.exitCode !== undefined ? `exit code ${c.exitCode}` : "",
  ];
  return parts.filter(Boolean).join("; ") || "no reason given";
}

export interface WaitOptions {
  /** e.g. "transfer task". */
  readonly what: string;
  /** What the task does, shown after its id (e.g. "dry-run", "upload"). */
  readonly doing: string;
  readonly timeoutSeconds: number;
  readonly quiet?: boolean;
}

/** Waits until the task stops, its state on the progress line; past the timeout, names the command that stops it. */
export async function waitStopped(aws: Clients, cluster: string, arn: string, options: WaitOptions): Promise<{ run: TaskRun; task: Task }> {
  const id = arn.split("/").pop() ?? arn;
  const run: TaskRun = {
    what: options.what,
    id,
    bar: progress(`${options.what} ${id}: ${options.doing} starting`, options.quiet),
    began: Date.now(),
  };
  for (;;) {
    const task = (await aws.ecs.send(new DescribeTasksCommand({ cluster, tasks: [arn] }))).tasks?.[0];
    const state = task?.lastStatus ?? "UNKNOWN";
    run.bar.update(`${run.what} ${run.id}: ${options.doing} ${state} (${elapsedSeconds(run)} s)`);
    if (task && state === "STOPPED") return { run, task };
    if (Date.now() - run.began > options.timeoutSeconds * 1000) {
      run.bar.fail(`${run.what} ${run.id}: still ${state} after ${options.timeoutSeconds} s`);
      throw new OpsError(
        `the ${run.what} ${run.id} did not finish within ${options.timeoutSeconds} s; it keeps running: aws ecs stop-task --cluster ${cluster} --task ${run.id}`,
      );
    }
    await sleep(pollMs());
  }
}

/**
 * The JSON result a stopped task wrote to `key`; when it wrote none, an
 * error that says `missing.text` ("stopped without a result"), why the task
 * stopped, and where its logs are.
 */
export async function taskResult<T>(
  aws: Clients,
  where: { readonly bucket: string; readonly key: string },
  stopped: { readonly run: TaskRun; readonly task: Task; readonly container?: string },
  missing: { readonly text: string; readonly logs?: string },
): Promise<T> {
  const { run, task } = stopped;
  let text: string;
  try {
    const got = await aws.s3.send(new GetObjectCommand({ Bucket: where.bucket, Key: where.key }));
    text = await (got.Body as { transformToString(): Promise<string> }).transformToString();
  } catch (error) {
    if ((error as Error).name !== "NoSuchKey") throw error;
    run.bar.fail(`${run.what} ${run.id}: ${missing.text}`);
    const logs = missing.logs ? ` (logs: ${missing.logs})` : "";
    throw new OpsError(`the ${run.what} ${run.id} ${missing.text}: ${stoppedWhy(task, stopped.container)}${logs}`);
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new OpsError(
      `the ${run.what} ${run.id} left an unreadable result (${text.length} bytes): ${stoppedWhy(task, stopped.container)}`,
    );
  }
}
