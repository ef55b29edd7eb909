/**
 * Where the platform is: `terraform -chdir=<dir> output -json`, as the team
 * reads it, with flags to override each value (or to work without Terraform).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { environmentOfDataDir } from "../platform/environment";
import { EXIT, OpsError } from "./errors";

export interface Platform {
  readonly region: string;
  readonly fileSystemId: string;
  readonly clusterName: string;
  /** ECS service name by service key (api, ui, …). */
  readonly serviceNames: Readonly<Record<string, string>>;
  readonly bucket: string;
  readonly albHostname?: string;
  /** URL by service key ("" for a service kept off the ALB). */
  readonly urls: Readonly<Record<string, string>>;
  readonly backupVault?: string;
  readonly backupRoleArn?: string;
  readonly transferFamily?: string;
  readonly subnetIds: readonly string[];
  readonly securityGroupId?: string;
  /** The task definition ARN (with its revision) the last apply registered, by service key; "" while the services do not exist. */
  readonly taskDefinitionArns: Readonly<Record<string, string>>;
  /** host:port of MLflow's PostgreSQL database; "" while MLflow keeps its file store. */
  readonly mlflowDatabaseEndpoint: string;
}

/** Flags that override what Terraform says. */
export interface PlatformFlags {
  readonly tfDir?: string;
  readonly region?: string;
  readonly fileSystem?: string;
  readonly cluster?: string;
  readonly bucket?: string;
}

export type Outputs = Record<string, { value: unknown }>;

/** The project's Terraform root (deploy/terraform beside this folder), unless --tf-dir or TF_DIR says otherwise. */
export function defaultTfDir(): string {
  return process.env.TF_DIR ?? path.join(__dirname, "..", "deploy", "terraform");
}

/** `terraform output -json`, or {} when the root has no state yet; a missing terraform is an error that says so. */
export function readOutputs(tfDir: string, terraformEnv: Readonly<Record<string, string>> = {}, run = spawnSync): Outputs {
  const dataDir = terraformEnv.TF_DATA_DIR;
  if (dataDir !== undefined && !fs.existsSync(dataDir)) {
    const env = environmentOfDataDir(dataDir);
    throw new OpsError(
      `environment ${env} is not initialised in ${tfDir} (no ${path.basename(dataDir)}/): run make init ENV=${env}`,
      EXIT.notDeployed,
    );
  }
  const result = run(process.env.TERRAFORM ?? "terraform", [`-chdir=${tfDir}`, "output", "-json", "-no-color"], {
    encoding: "utf8",
    env: { ...process.env, ...terraformEnv },
  });
  if (result.error) {
    throw new OpsError(
      `terraform is not on PATH (${(result.error as NodeJS.ErrnoException).code}): install it, or pass --file-system, --cluster, --bucket and --region`,
      EXIT.usage,
    );
  }
  if (result.status !== 0) {
    const why = String(result.stderr).replace(/\s+/g, " ").trim().slice(0, 300);
    throw new OpsError(`terraform -chdir=${tfDir} output failed: ${why} (run terraform init there first)`, EXIT.notDeployed);
  }
  const text = String(result.stdout).trim();
  return text ? (JSON.parse(text) as Outputs) : {};
}

const str = (o: Outputs, name: string): string | undefined => {
  const v = o[name]?.value;
  return typeof v === "string" && v !== "" ? v : undefined;
};

/** The platform from Terraform's outputs and the flags; `needs` names what the command cannot do without. */
export function resolvePlatform(outputs: Outputs, flags: PlatformFlags, env: NodeJS.ProcessEnv = process.env): Platform {
  const serviceNames = (outputs.ecs_service_names?.value ?? {}) as Record<string, string>;
  const urls: Record<string, string> = {};
  for (const key of Object.keys(serviceNames)) urls[key] = str(outputs, `${key}_url`) ?? "";
  const region = flags.region ?? str(outputs, "aws_region") ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region)
    throw new OpsError(
      "no AWS region: pass --region or set AWS_REGION (the platform is not deployed, or terraform output is empty)",
      EXIT.notDeployed,
    );
  return {
    region,
    fileSystemId: flags.fileSystem ?? str(outputs, "efs_file_system_id") ?? "",
    clusterName: flags.cluster ?? str(outputs, "ecs_cluster_name") ?? "",
    serviceNames,
    bucket: flags.bucket ?? str(outputs, "s3_bucket_name") ?? "",
    albHostname: str(outputs, "alb_hostname"),
    urls,
    backupVault: str(outputs, "backup_vault_name"),
    backupRoleArn: str(outputs, "backup_role_arn"),
    transferFamily: str(outputs, "experiments_transfer_task_family"),
    subnetIds: (outputs.private_subnet_ids?.value ?? []) as string[],
    securityGroupId: str(outputs, "ecs_tasks_security_group_id"),
    taskDefinitionArns: (outputs.ecs_task_definition_arns?.value ?? {}) as Record<string, string>,
    mlflowDatabaseEndpoint: str(outputs, "mlflow_database_endpoint") ?? "",
  };
}

/** Throws "not deployed" (exit 2) naming the first missing value and the flag that gives it. */
export function need(
  platform: Platform,
  ...what: (
    | "fileSystemId"
    | "clusterName"
    | "bucket"
    | "backupVault"
    | "backupRoleArn"
    | "transferFamily"
    | "securityGroupId"
    | "subnetIds"
  )[]
): void {
  const flag: Record<string, string> = {
    fileSystemId: "efs_file_system_id (or --file-system)",
    clusterName: "ecs_cluster_name (or --cluster)",
    bucket: "s3_bucket_name (or --bucket)",
    backupVault: "backup_vault_name",
    backupRoleArn: "backup_role_arn",
    transferFamily: "experiments_transfer_task_family",
    securityGroupId: "ecs_tasks_security_group_id",
    subnetIds: "private_subnet_ids",
  };
  for (const w of what) {
    const v = platform[w];
    if (v === undefined || v === "" || (Array.isArray(v) && v.length === 0)) {
      throw new OpsError(
        `the platform is not deployed: terraform output has no ${flag[w]}; deploy it (make deploy-infra, make deploy-services) or pass the flag`,
        EXIT.notDeployed,
      );
    }
  }
}
