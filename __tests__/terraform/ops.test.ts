/**
 * `npm run ops -- <command>` against the emulator, on the default platform
 * applied in both phases (the run's shared applied platform, restored into
 * this suite's own emulator: see appliedPlatform in harness.ts).
 *
 * Moto runs no containers. Where a command starts the transfer task, this
 * suite plays Fargate's part: it runs the task definition's own command
 * (read back from the emulator, the exact text AWS would run) with a local
 * folder standing for the file system, then stops the task as ECS does when
 * its essential container exits. What it cannot show, and AWS enforces (the
 * file system policy, a restore's directory), is asserted from the
 * synthesized root in __tests__/ops.test.ts and said in docs/OPERATIONS.md.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../temp";
import { appliedPlatform, awsCall, checkTools, PROJECT_DIR, runCommand, timing, type Moto, type RunResult } from "./harness";

let moto: Moto;
let dir: string;
let efs: string; // stands for the file system's root
let work: string;
let outputs: Record<string, { value: unknown }>;

const PYTHON = process.env.PYTHON ?? "python3";

async function ops(args: readonly string[], env: Record<string, string> = {}): Promise<RunResult> {
  const run = await runCommand("node", ["ops/launch.js", "--tf-dir", dir, ...args], PROJECT_DIR, moto, {
    env: { OPS_POLL_MS: "300", ...env },
  });
  timing(`ops: npm run ops -- ${args.find((a) => !a.startsWith("-")) ?? ""}`, run.seconds);
  return run;
}

/** Plays Fargate for the transfer tasks started while `command` runs: runs each one's command, or fails it to start. */
async function withFargate(
  command: Promise<RunResult>,
  behaviour: "run" | "fail-to-start" = "run",
): Promise<{ result: RunResult; tasks: number }> {
  const cluster = outputs.ecs_cluster_name.value as string;
  const seen = new Set<string>();
  let finished = false;
  const result = command.finally(() => {
    finished = true;
  });
  while (!finished) {
    const arns = (awsCall(moto, "ecs", "list_tasks", { cluster, desiredStatus: "RUNNING" }).taskArns as string[]).filter(
      (a) => !seen.has(a),
    );
    for (const arn of arns) {
      seen.add(arn);
      const [task] = awsCall(moto, "ecs", "describe_tasks", { cluster, tasks: [arn] }).tasks as {
        taskDefinitionArn: string;
        overrides: { containerOverrides: { environment: { name: string; value: string }[] }[] };
      }[];
      if (behaviour === "fail-to-start") {
        awsCall(moto, "ecs", "stop_task", {
          cluster,
          task: arn,
          reason:
            "ResourceInitializationError: failed to invoke EFS utils commands to set up EFS volumes: mount.nfs4: access denied by server",
        });
        continue;
      }
      const definition = awsCall(moto, "ecs", "describe_task_definition", { taskDefinition: task.taskDefinitionArn }).taskDefinition as {
        containerDefinitions: { command: string[] }[];
      };
      const [program, flag, script] = definition.containerDefinitions[0].command;
      expect([program, flag]).toEqual(["python3", "-c"]);
      const env = Object.fromEntries(task.overrides.containerOverrides[0].environment.map((e) => [e.name, e.value]));
      fs.mkdirSync(path.join(efs, "app", "experiments"), { recursive: true });
      const run = spawnSync(PYTHON, ["-c", script], {
        encoding: "utf8",
        env: { PATH: process.env.PATH, ...env, OPS_EXPERIMENTS_DIR: path.join(efs, "app", "experiments"), OPS_RESTORES_DIR: efs },
      });
      awsCall(moto, "ecs", "stop_task", {
        cluster,
        task: arn,
        reason: `Essential container in task exited (${run.status}) ${run.stderr.trim()}`,
      });
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  return { result: await result, tasks: seen.size };
}

function stagedObjects(): unknown[] {
  const listed = awsCall(moto, "s3", "list_object_versions", { Bucket: outputs.s3_bucket_name.value, Prefix: "ops-staging/" });
  return [...((listed.Versions as unknown[]) ?? []), ...((listed.DeleteMarkers as unknown[]) ?? [])];
}

describe("npm run ops against the emulator", () => {
  beforeAll(async () => {
    checkTools();
    ({ moto, dir } = await appliedPlatform("ops"));
    // Tasks stay RUNNING until this suite stops them (moto would otherwise stop them by itself, with exit code 0).
    const set = await fetch(`${moto.endpoint}/moto-api/state-manager/set-transition`, {
      method: "POST",
      body: JSON.stringify({ model_name: "ecs::task", transition: { progression: "manual", times: 1_000_000 } }),
    });
    expect(set.ok).toBe(true);
    efs = tempDir("ops-efs");
    work = tempDir("ops-work");
    const shown = await runCommand("terraform", ["output", "-json"], dir, moto);
    outputs = JSON.parse(shown.stdout);
  });

  afterAll(async () => {
    await moto?.stop();
    for (const d of [dir, efs, work]) if (d) fs.rmSync(d, { recursive: true, force: true });
  });

  it("status: not deployed (exit 2) where Terraform has no state", async () => {
    const empty = tempDir("ops-empty");
    fs.copyFileSync(path.join(dir, "main.tf.json"), path.join(empty, "main.tf.json"));
    const run = await runCommand("node", ["ops/launch.js", "--tf-dir", empty, "status"], PROJECT_DIR, moto);
    expect(run.code).toBe(2);
    expect(run.stdout + run.stderr).toMatch(/not deployed|no AWS region|terraform -chdir=.* output failed/);
    fs.rmSync(empty, { recursive: true, force: true });
  });

  it("status: a wrong region is 'not deployed', with the region named (exit 2)", async () => {
    const run = await ops(["--region", "us-east-1", "status"]);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain(`file system ${outputs.efs_file_system_id.value} does not exist in us-east-1`);
  });

  it("status: one screen; degraded (exit 1) while targets or tasks are short, healthy (exit 0) when nothing is wanted that is missing", async () => {
    const first = await ops(["status"]);
    console.log(`[ops status, before targets]\n${first.stdout}`);
    expect(first.code).toBe(1);
    expect(first.stdout).toContain(`experiments file system ${outputs.efs_file_system_id.value}: available, provisioned 100 MiB/s`);
    expect(first.stdout).toContain("/app/experiments");
    expect(first.stdout).toMatch(/api: 0 healthy target\(s\) of 1 wanted/);
    // What ECS does for each running task of a service behind a target group: register its IP.
    const services = outputs.ecs_service_names.value as Record<string, string>;
    const described = awsCall(moto, "ecs", "describe_services", {
      cluster: outputs.ecs_cluster_name.value,
      services: Object.values(services),
    }).services as { loadBalancers: { targetGroupArn: string; containerPort: number }[] }[];
    described.forEach((s, i) => {
      for (const lb of s.loadBalancers)
        awsCall(moto, "elbv2", "register_targets", {
          TargetGroupArn: lb.targetGroupArn,
          Targets: [{ Id: `172.17.1.${10 + i}`, Port: lb.containerPort }],
        });
    });
    const second = JSON.parse((await ops(["--json", "status"])).stdout);
    // Moto starts no service tasks: with the targets healthy, only the running counts are short.
    expect([...second.problems].sort()).toEqual(
      Object.keys(services)
        .sort()
        .map((key) => `${key}: 0 of 1 tasks running`),
    );
    // Services scaled to zero want no task and no target: healthy.
    for (const name of Object.values(services))
      awsCall(moto, "ecs", "update_service", { cluster: outputs.ecs_cluster_name.value, service: name, desiredCount: 0 });
    const third = await ops(["status"]);
    console.log(`[ops status, services at 0]\n${third.stdout}`);
    const json = JSON.parse((await ops(["--json", "status"])).stdout);
    expect({ code: third.code, health: json.health, problems: json.problems }).toEqual({ code: 0, health: "healthy", problems: [] });
    expect(third.stdout).toContain("platform: HEALTHY (us-west-1)");
    expect(json.efs.mountTargets).toHaveLength(2);
    expect(json.services.map((s: { key: string }) => s.key).sort()).toEqual(["api", "mlflow", "tensorboard", "ui"]);
  });

  it("backup, backups, restore: an AWS Backup job into the project's vault, its recovery point, a restore into a new directory", async () => {
    const backup = await ops(["backup"]);
    console.log(`[ops backup]\n${backup.stderr}${backup.stdout}`);
    expect(backup.code, backup.stderr).toBe(0);
    expect(backup.stderr).toMatch(/backup job .*: COMPLETED/);
    const point = /recovery point (arn:aws:backup:\S+)/.exec(backup.stdout)?.[1] as string;
    expect(point).toBeTruthy();
    const vault = awsCall(moto, "backup", "list_recovery_points_by_backup_vault", { BackupVaultName: outputs.backup_vault_name.value });
    expect((vault.RecoveryPoints as { RecoveryPointArn: string }[]).map((p) => p.RecoveryPointArn)).toEqual([point]);
    const listed = await ops(["backups"]);
    console.log(`[ops backups]\n${listed.stdout}`);
    expect(listed.stdout).toContain(point.split(":").pop());
    expect(listed.stdout).toContain(outputs.backup_vault_name.value as string);
    const restore = await ops(["restore", point.split(":").pop() as string, "--path", "runs/exp-1"]);
    console.log(`[ops restore]\n${restore.stdout}`);
    expect(restore.code, restore.stderr).toBe(0);
    expect(restore.stdout).toContain("AWS Backup restores into a NEW directory at the root of");
    expect(restore.stdout).toContain("only /app/experiments/runs/exp-1");
    const unknown = await ops(["restore", "no-such-point"]);
    expect({ code: unknown.code, err: unknown.stderr.trim() }).toEqual({
      code: 64,
      err: 'ops: recovery point "no-such-point" is not one of the file system\'s (npm run ops -- backups lists them)',
    });
  });

  it("upload: --dry-run lists, a run moves the files with their times, staging is cleaned; newer remote files are kept unless --force", async () => {
    const local = path.join(work, "experiments");
    fs.mkdirSync(path.join(local, "run-1", "logs"), { recursive: true });
    fs.writeFileSync(path.join(local, "run-1", "metrics.json"), '{"loss": 0.1}');
    fs.writeFileSync(path.join(local, "run-1", "logs", "train.log"), "epoch 1\n");
    const old = new Date("2026-01-01T00:00:00Z");
    fs.utimesSync(path.join(local, "run-1", "metrics.json"), old, old);

    const dry = await withFargate(ops(["upload", local, "--dry-run"]));
    console.log(`[ops upload --dry-run]\n${dry.result.stdout}`);
    expect(dry.result.code, dry.result.stderr).toBe(0);
    expect(dry.result.stdout).toContain("2 new, 0 updated, 0 unchanged");
    expect(fs.existsSync(path.join(efs, "app", "experiments", "run-1"))).toBe(false);

    const up = await withFargate(ops(["upload", local]));
    console.log(`[ops upload]\n${up.result.stdout}\n${up.result.stderr}`);
    expect(up.result.code, up.result.stderr).toBe(0);
    expect(up.tasks).toBe(2); // list, then pull
    const landed = path.join(efs, "app", "experiments", "run-1", "metrics.json");
    expect(fs.readFileSync(landed, "utf8")).toBe('{"loss": 0.1}');
    expect(fs.statSync(landed).mtime.toISOString()).toBe(old.toISOString());
    expect(stagedObjects()).toEqual([]);

    const again = await withFargate(ops(["upload", local]));
    expect(again.result.stdout).toContain("0 new, 0 updated, 2 unchanged");

    fs.writeFileSync(landed, '{"loss": 0.05}'); // a newer result on the file system
    const refused = await withFargate(ops(["upload", local]));
    expect(refused.result.code).toBe(3);
    expect(refused.result.stderr.trim().split("\n").pop()).toMatch(
      /^ops: 1 file\(s\) are newer on the file system \(run-1\/metrics.json\): nothing was moved/,
    );
    expect(fs.readFileSync(landed, "utf8")).toBe('{"loss": 0.05}');
    const forced = await withFargate(ops(["upload", local, "--force"]));
    expect(forced.result.code, forced.result.stderr).toBe(0);
    expect(fs.readFileSync(landed, "utf8")).toBe('{"loss": 0.1}');
    expect(stagedObjects()).toEqual([]);
  });

  it("download: the files come back with their times, into a fresh folder", async () => {
    const target = path.join(work, "downloaded");
    const down = await withFargate(ops(["download", "run-1", target]));
    console.log(`[ops download]\n${down.result.stdout}`);
    expect(down.result.code, down.result.stderr).toBe(0);
    expect(fs.readFileSync(path.join(target, "logs", "train.log"), "utf8")).toBe("epoch 1\n");
    expect(fs.readFileSync(path.join(target, "metrics.json"), "utf8")).toBe('{"loss": 0.1}');
    expect(stagedObjects()).toEqual([]);
  });

  it("restored and bring-back: restore directories outside the access point, chosen files copied back into the experiments", async () => {
    // What AWS Backup leaves at the file system's root after a restore (moto has no file data to restore).
    const restored = path.join(efs, "aws-backup-restore_2026-11-29T12-00-00-000000Z", "app", "experiments", "run-0");
    fs.mkdirSync(restored, { recursive: true });
    fs.writeFileSync(path.join(restored, "model.pt"), "weights");
    const list = await withFargate(ops(["restored"]));
    console.log(`[ops restored]\n${list.result.stdout}`);
    expect(list.result.stdout).toContain("aws-backup-restore_2026-11-29T12-00-00-000000Z");
    const back = await withFargate(
      ops(["bring-back", "aws-backup-restore_2026-11-29T12-00-00-000000Z/app/experiments/run-0", "--to", "run-0"]),
    );
    console.log(`[ops bring-back]\n${back.result.stdout}`);
    expect(back.result.code, back.result.stderr).toBe(0);
    expect(fs.readFileSync(path.join(efs, "app", "experiments", "run-0", "model.pt"), "utf8")).toBe("weights");
    const outside = await ops(["bring-back", "run-0", "--to", "x"]);
    expect(outside.code).toBe(64);
  });

  it("a transfer task that fails to start: one line with its stopped reason, non-zero, staging cleaned", async () => {
    const failed = await withFargate(ops(["download", "run-1", path.join(work, "never")]), "fail-to-start");
    expect(failed.result.code).toBe(3);
    const lines = failed.result.stderr.trim().split("\n");
    expect(lines.pop()).toMatch(
      /^ops: the transfer task \S+ stopped without finishing: ResourceInitializationError: failed to invoke EFS utils commands/,
    );
    expect(failed.result.stderr).not.toMatch(/\n\s+at /);
    expect(stagedObjects()).toEqual([]);
  });

  it("cost --usage: reads MeteredIOBytes and PermittedThroughput and says what fits", async () => {
    const fsId = outputs.efs_file_system_id.value as string;
    const now = Date.now();
    // What EFS publishes: 24 hours of about 3 MiB/s metered, 100 MiB/s permitted.
    const data = Array.from({ length: 24 }, (_, i) => {
      const at = new Date(now - (i + 1) * 3600_000).toISOString();
      const dims = [{ Name: "FileSystemId", Value: fsId }];
      return [
        { MetricName: "MeteredIOBytes", Dimensions: dims, Timestamp: at, Value: 3 * 1024 ** 2 * 3600, Unit: "Bytes" },
        { MetricName: "PermittedThroughput", Dimensions: dims, Timestamp: at, Value: 100 * 1024 ** 2, Unit: "Bytes/Second" },
        { MetricName: "DataReadIOBytes", Dimensions: dims, Timestamp: at, Value: 1024 ** 3, Unit: "Bytes" },
        { MetricName: "DataWriteIOBytes", Dimensions: dims, Timestamp: at, Value: 0.5 * 1024 ** 3, Unit: "Bytes" },
      ];
    }).flat();
    for (let i = 0; i < data.length; i += 20)
      awsCall(moto, "cloudwatch", "put_metric_data", { Namespace: "AWS/EFS", MetricData: data.slice(i, i + 20) });
    const run = await ops(["cost", "--usage", "--days", "2"]);
    console.log(`[ops cost --usage]\n${run.stdout}`);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("busiest hour 3.00 MiB/s, permitted 100.0 MiB/s");
    expect(run.stdout).toContain("not worth it at this use: 4 MiB/s (busiest hour + 20%) would cost $26.40");
  });
});
