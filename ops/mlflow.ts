/**
 * `mlflow migrate`: MLflow's history from its file store on EFS into its
 * PostgreSQL database (`mlflow_backend = "postgres"`), once, through a
 * one-off task of MLflow's own task definition: its image (MLflow and the
 * PostgreSQL driver), its store mount, its database secret, and the security
 * groups of the MLflow service (the database admits only those). A dry run
 * counts both sides and writes nothing; a migration counts the database
 * before and after. The file store is never changed.
 */
import { DescribeServicesCommand, RunTaskCommand } from "@aws-sdk/client-ecs";
import type { Clients } from "./aws";
import { EXIT, OpsError } from "./errors";
import { table } from "./format";
import { MLFLOW_MIGRATE_SCRIPT } from "./mlflow-migrate-script";
import { need, type Platform } from "./platform";
import { elapsedSeconds, startedArn, taskResult, waitStopped } from "./one-off-task";
import { withStaging } from "./transfer";

/** MLflow's key in the services table (and its container's name). */
const MLFLOW = "mlflow";

export interface Counts {
  readonly experiments: number;
  readonly runs: number;
}

export interface MigrateResult {
  readonly ok: boolean;
  readonly mode: "dry-run" | "migrate";
  readonly store: string;
  readonly source?: Counts;
  readonly before?: Counts;
  readonly after?: Counts;
  readonly error?: string;
}

export interface MigrateOptions {
  readonly dryRun: boolean;
  readonly quiet?: boolean;
  readonly timeoutSeconds: number;
}

/** Refuses, before any task starts, a platform whose MLflow is not on PostgreSQL. */
export function checkMigratable(platform: Platform): void {
  need(platform, "clusterName", "subnetIds", "bucket");
  if (!platform.mlflowDatabaseEndpoint) {
    throw new OpsError(
      'MLflow has no database: terraform output mlflow_database_endpoint is empty. Set mlflow_backend = "postgres", make deploy-services, then migrate',
      EXIT.notDeployed,
    );
  }
  if (!platform.serviceNames[MLFLOW] || !platform.taskDefinitionArns[MLFLOW]) {
    throw new OpsError(
      "the MLflow service is not deployed (no mlflow task definition in the outputs): make deploy-services first",
      EXIT.notDeployed,
    );
  }
}

export async function migrateMlflow(aws: Clients, platform: Platform, options: MigrateOptions): Promise<MigrateResult> {
  checkMigratable(platform);
  const mode = options.dryRun ? "dry-run" : "migrate";
  // The MLflow service's own network: its subnets and security groups (the database's clients' group among them).
  const [service] =
    (await aws.ecs.send(new DescribeServicesCommand({ cluster: platform.clusterName, services: [platform.serviceNames[MLFLOW]] })))
      .services ?? [];
  const network = service?.networkConfiguration?.awsvpcConfiguration;
  if (!network?.securityGroups?.length) {
    throw new OpsError(
      `the MLflow service ${platform.serviceNames[MLFLOW]} is not running in ${platform.clusterName}: make deploy-services first`,
      EXIT.notDeployed,
    );
  }
  return withStaging(aws, platform, options.quiet, async (stage) => {
    const started = await aws.ecs.send(
      new RunTaskCommand({
        cluster: platform.clusterName,
        taskDefinition: platform.taskDefinitionArns[MLFLOW],
        launchType: "FARGATE",
        count: 1,
        startedBy: "npm-run-ops",
        group: "mlflow-migrate",
        networkConfiguration: {
          awsvpcConfiguration: {
            subnets: network.subnets ?? [...platform.subnetIds],
            securityGroups: network.securityGroups,
            assignPublicIp: "DISABLED",
          },
        },
        overrides: {
          containerOverrides: [
            {
              name: MLFLOW,
              command: ["python", "-c", MLFLOW_MIGRATE_SCRIPT],
              environment: [
                { name: "OPS_MIGRATE_MODE", value: mode },
                { name: "OPS_RESULT_URL", value: await stage.putUrl("result.json") },
                { name: "OPS_ARTIFACT_ROOT", value: `s3://${platform.bucket}/` },
              ],
            },
          ],
        },
      }),
    );
    const arn = startedArn(started, "migration task");
    const stopped = await waitStopped(aws, platform.clusterName, arn, {
      what: "migration task",
      doing: mode,
      timeoutSeconds: options.timeoutSeconds,
      quiet: options.quiet,
    });
    const { run } = stopped;
    const result = await taskResult<MigrateResult>(
      aws,
      { bucket: platform.bucket, key: stage.key("result.json") },
      { ...stopped, container: MLFLOW },
      { text: "stopped without a result", logs: "the MLflow service's log group" },
    );
    if (!result.ok) {
      run.bar.fail(`migration task ${run.id}: ${mode} failed`);
      const counted = result.source ? ` (file store: ${result.source.experiments} experiment(s), ${result.source.runs} run(s))` : "";
      throw new OpsError(`the migration task ${run.id} failed: ${result.error}${counted}`);
    }
    run.bar.succeed(`migration task ${run.id}: ${mode} done in ${elapsedSeconds(run)} s`);
    return result;
  });
}

export function renderMigration(r: MigrateResult): string {
  const row = (what: string, c?: Counts) => [what, c?.experiments ?? "-", c?.runs ?? "-"];
  const rows = [row(`file store ${r.store}`, r.source), row("database, before", r.before)];
  if (r.mode === "migrate") rows.push(row("database, after", r.after));
  const lines = [table(["where", "experiments", "runs"], rows)];
  if (r.mode === "dry-run") {
    lines.push(
      "",
      (r.before?.runs ?? 0) > 0
        ? `dry run: the database already holds ${r.before?.runs} run(s); migrate refuses a database with runs`
        : "dry run: nothing written. Run again without --dry-run to copy the file store into the database.",
    );
  } else {
    lines.push("", `migrated; the file store ${r.store} is unchanged: remove it yourself once the database is trusted`);
  }
  return lines.join("\n");
}
