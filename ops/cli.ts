/**
 * `npm run ops -- <command>`: the platform's day-two commands (docs/OPERATIONS.md).
 * Commander parses the arguments; every failure is one line on stderr and a
 * non-zero exit (see errors.ts), never a stack trace (OPS_DEBUG=1 shows it).
 */
import * as path from "node:path";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { clients } from "./aws";
import { listBackups, renderBackups, renderRestore, startBackup, startRestore } from "./backup";
import { renderBackend, setupBackend, stateBackend } from "./backend";
import { resolveEnvironment } from "./environment";
import { pushKey, readKey, renderPush } from "./secrets";
import { alarmCount, loadValues, readThroughput, renderCost, throughputAdvice } from "./cost";
import { costLines, DEFAULT_USAGE, parseAssignment, total, type Usage } from "./cost-model";
import { EXIT, explain, OpsError } from "./errors";
import { table, usd } from "./format";
import { registerReview } from "./review-cli";
import { defaultTfDir, need, type PlatformFlags, readOutputs, resolvePlatform } from "./platform";
import { exitCodeOf, gatherStatus, renderStatus } from "./status";
import { bringBack, download, listRestoreDirs, renderPlan, upload } from "./transfer";

type Globals = PlatformFlags & { json?: boolean; env: string };

const positiveNumber = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`${name} must be a number >= 0; got "${v}"`);
  return n;
};

/** The global options, and the Terraform root they name (--tf-dir, then TF_DIR, then deploy/terraform). */
function rootOf(cmd: Command): { g: Globals; tfDir: string } {
  const g = cmd.optsWithGlobals() as Globals;
  return { g, tfDir: path.resolve(g.tfDir ?? defaultTfDir()) };
}

function platformOf(cmd: Command) {
  const { g, tfDir } = rootOf(cmd);
  const env = resolveEnvironment(g.env, tfDir);
  const outputs = g.fileSystem && g.cluster && g.bucket && g.region ? {} : readOutputs(tfDir, env.terraformEnv);
  const platform = resolvePlatform(outputs, g);
  return { platform, aws: clients(platform.region), json: Boolean(g.json), tfDir };
}

function print(json: boolean, data: unknown, text: string): void {
  process.stdout.write(`${json ? JSON.stringify(data, null, 2) : text}\n`);
}

export function program(): Command {
  const p = new Command("ops")
    .description("AutoVisionAI platform: status, backups, experiments transfers and costs")
    .option("--tf-dir <dir>", "the Terraform root to read outputs and variables from", undefined)
    .option("--env <name>", "the environment (its state and environments/<name>.tfvars), as make's ENV", process.env.ENV || "prod")
    .option("--region <region>", "AWS region (default: the platform's aws_region output, then AWS_REGION)")
    .option("--file-system <id>", "experiments file system id (default: efs_file_system_id output)")
    .option("--cluster <name>", "ECS cluster (default: ecs_cluster_name output)")
    .option("--bucket <name>", "artifacts bucket, for staging transfers (default: s3_bucket_name output)")
    .option("--json", "print JSON instead of tables")
    .showHelpAfterError()
    .exitOverride();

  p.command("status")
    .description("one screen: EFS, services, URLs, alarms; exit 0 healthy, 1 degraded, 2 not deployed")
    .action(async (_o, cmd: Command) => {
      const { platform, aws, json } = platformOf(cmd);
      const report = await gatherStatus(aws, platform);
      print(json, report, renderStatus(report));
      process.exitCode = exitCodeOf(report);
    });

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

  p.command("setup-backend")
    .description(
      "create the S3 bucket of every environment's Terraform state if missing, and set it up (versioned, encrypted, private, TLS only, old states expire); a second run changes nothing",
    )
    .option("--state-bucket <name>", "the bucket (default: STATE_BUCKET, then the backend in main.tf.json)")
    .option("--state-region <region>", "its region (default: STATE_REGION, then the backend in main.tf.json)")
    .action(async (o: { stateBucket?: string; stateRegion?: string }, cmd: Command) => {
      const { g, tfDir } = rootOf(cmd);
      const backend = stateBackend(tfDir, { bucket: o.stateBucket, region: o.stateRegion });
      const report = await setupBackend(backend);
      print(Boolean(g.json), report, renderBackend(report));
    });

  p.command("push-secrets")
    .description(
      "put the WANDB API key (from .env, WANDB_API_KEY or --stdin) into the environment's secret; never printed, never in the state",
    )
    .option("--stdin", "read the key from standard input (a pipe)")
    .option("--dotenv <file>", "dotenv file holding WANDB_API_KEY=… (not --env-file: Node 20 takes that flag for itself)", ".env")
    .option("--secret-name <name>", "the secret (default: the wandb_secret_name output)")
    .action(async (o: { stdin?: boolean; dotenv: string; secretName?: string }, cmd: Command) => {
      const { g, tfDir } = rootOf(cmd);
      // The key first: a missing or empty one stops here, before any AWS call.
      const key = await readKey({ stdin: o.stdin, envFile: path.resolve(o.dotenv) });
      const outputs = o.secretName && g.region ? {} : readOutputs(tfDir, resolveEnvironment(g.env, tfDir).terraformEnv);
      const secretName = o.secretName ?? (outputs.wandb_secret_name?.value as string | undefined);
      const region = g.region ?? (outputs.aws_region?.value as string | undefined) ?? process.env.AWS_REGION;
      if (!secretName || !region) {
        throw new OpsError(
          `environment ${g.env} is not deployed (terraform output has no wandb_secret_name/aws_region): make deploy-infra ENV=${g.env} first, or pass --secret-name and --region`,
          EXIT.notDeployed,
        );
      }
      const r = await pushKey(secretName, region, key);
      print(Boolean(g.json), r, renderPush(r));
    });

  p.command("cost")
    .description("the platform's monthly cost, line by line, from the variables Terraform uses (defaults + terraform.tfvars)")
    .option("--compare <name=value...>", "the difference a change of variables makes")
    .option("--usage", "read the file system's throughput from CloudWatch and say whether its provisioned throughput is worth it")
    .addOption(new Option("--days <n>", "with --usage: how many days to read").argParser(positiveNumber("--days")).default(14))
    .option("--efs-gb <n>", "data on the file system, GB", positiveNumber("--efs-gb"))
    .option("--logs-gb <n>", "logs ingested a month, GB", positiveNumber("--logs-gb"))
    .option("--nat-gb <n>", "data through the NAT gateway a month, GB", positiveNumber("--nat-gb"))
    .option("--artifacts-gb <n>", "MLflow artifacts stored, GB", positiveNumber("--artifacts-gb"))
    .option("--alarms <n>", "CloudWatch alarms (default: those the synthesized root declares)", positiveNumber("--alarms"))
    .action(
      async (
        o: {
          compare?: string[];
          usage?: boolean;
          days: number;
          efsGb?: number;
          logsGb?: number;
          natGb?: number;
          artifactsGb?: number;
          alarms?: number;
        },
        cmd: Command,
      ) => {
        const { g, tfDir } = rootOf(cmd);
        const env = resolveEnvironment(g.env, tfDir);
        const { values, files } = await loadValues(tfDir, env);
        const usage: Usage = {
          ...DEFAULT_USAGE,
          ...(o.efsGb !== undefined ? { efsGb: o.efsGb } : {}),
          ...(o.logsGb !== undefined ? { logsGb: o.logsGb } : {}),
          ...(o.natGb !== undefined ? { natGb: o.natGb } : {}),
          ...(o.artifactsGb !== undefined ? { artifactsGb: o.artifactsGb } : {}),
          alarms: o.alarms ?? alarmCount(tfDir),
        };
        const lines = costLines(values, usage);
        let compared: { lines: ReturnType<typeof costLines>; changes: string } | undefined;
        if (o.compare) {
          const changed = { ...values };
          for (const a of o.compare) {
            try {
              const [name, value] = parseAssignment(a, values);
              changed[name] = value;
            } catch (error) {
              throw new OpsError((error as Error).message, EXIT.usage);
            }
          }
          compared = { lines: costLines(changed, usage), changes: o.compare.join(", ") };
        }
        const source = `variables: defaults${files.length ? ` + ${files.map((f) => path.basename(f)).join(" + ")}` : ""}; usage assumed: ${usage.efsGb} GB on EFS, ${usage.logsGb} GB logs, ${usage.natGb} GB through NAT, ${usage.artifactsGb} GB artifacts, ${usage.alarms} alarm(s)`;
        let advice: string[] = [];
        if (o.usage) {
          const outputs = readOutputs(tfDir, env.terraformEnv);
          const platform = resolvePlatform(outputs, g);
          need(platform, "fileSystemId");
          const u = await readThroughput(clients(platform.region), platform.fileSystemId, o.days);
          advice = throughputAdvice(u, values);
        }
        print(
          Boolean(g.json),
          {
            lines,
            total: total(lines),
            compared: compared ? { lines: compared.lines, total: total(compared.lines), changes: compared.changes } : undefined,
            usage,
            advice,
          },
          [renderCost(lines, compared), source, ...(advice.length ? ["", ...advice] : [])].join("\n"),
        );
      },
    );

  registerReview(p, rootOf);

  return p;
}

export async function main(argv: string[] = process.argv): Promise<number> {
  try {
    await program().parseAsync(argv);
    return Number(process.exitCode ?? 0);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version print themselves and exit 0; usage errors were printed by commander.
      return error.exitCode === 0 ? 0 : EXIT.usage;
    }
    const e = explain(error, process.env.AWS_REGION);
    if (process.env.OPS_DEBUG === "1") console.error(error);
    process.stderr.write(`ops: ${e.message}\n`);
    return e.exitCode;
  }
}

if (require.main === module) {
  main().then((code) => {
    process.exitCode = code;
  });
}

export { usd };
