import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import type { EfsAccessPoint } from "@cdktf/provider-aws/lib/efs-access-point";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/secretsmanager-secret-version";
import { Fn, Op } from "cdktf";
import { Construct } from "constructs";
import { ArtifactsBucket } from "../constructs/artifacts-bucket";
import { OnDemandBackups } from "../constructs/on-demand-backups";
import { ContainerRegistry } from "../constructs/container-registry";
import { MlflowDatabase } from "../constructs/mlflow-database";
import { address } from "../constructs/terraform/addresses";
import { holdsData } from "../constructs/terraform/protect";
import { suppress } from "../constructs/terraform/suppress";
import { declareOutput } from "../constructs/terraform/variables";
import { EfsShare } from "../constructs/efs-share";
import { listing } from "../platform/text";
import { PLATFORM } from "../platform/config";
import type { NetworkUnit } from "./network-unit";
import type { PlatformInputs, PlatformNames, PlatformService } from "./platform-stack";

export interface StorageUnitProps {
  readonly inputs: PlatformInputs;
  readonly services: readonly PlatformService[];
  readonly names: PlatformNames;
  readonly network: NetworkUnit;
}

/**
 * The storage unit: everything that holds data and outlives the services.
 * The experiments file system (EFS), the MLflow artifacts bucket, the
 * image repository, the WANDB secret and the services' log groups.
 */
export class StorageUnit extends Construct {
  public readonly experiments: EfsShare;
  /** The artifacts bucket's name, known at plan time (with the environment's suffix outside prod). */
  public readonly bucketName: string;
  /** The access point of each service that has a store (`ServiceStore`), by service key. */
  public readonly stores: Readonly<Record<string, EfsAccessPoint>>;
  public readonly artifacts: ArtifactsBucket;
  public readonly registry: ContainerRegistry;
  /** The vault and role of on-demand backups of the experiments (`npm run ops -- backup|restore`). */
  public readonly backups: OnDemandBackups;
  /**
   * `<account>.dkr.ecr.<region>.amazonaws.com/<repository>`: the registry's URL as the live platform
   * writes it, known at plan time (images are `<this>:<tag>`).
   */
  public readonly imageRepository: string;
  public readonly wandbSecret: SecretsmanagerSecret;
  /**
   * How the task definitions name the secret: its ARN without the random
   * suffix, `arn:aws:secretsmanager:<region>:<account>:secret:<name>`, as the
   * live platform writes it (ECS resolves it; a different string would
   * replace the API's task definition for nothing).
   */
  public readonly wandbSecretReference: string;
  /** MLflow's PostgreSQL database, while mlflow_backend is postgres (or mlflow_database_retained). */
  public readonly mlflowDatabase: MlflowDatabase;
  /** Each service's `/ecs/<service name>` log group, by service key. */
  public readonly logGroups: Readonly<Record<string, CloudwatchLogGroup>>;
  /** `/ecs/<service name>` of each service by key, from the variables (known at plan time). */
  public readonly logGroupNames: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: StorageUnitProps) {
    super(scope, id);
    const { inputs, network, names } = props;
    const project = inputs.project_name;

    this.bucketName = names.scoped(inputs.mlflow_artifacts_bucket);
    this.experiments = this.experimentsShare(props);
    this.stores = this.storesFor(props);

    this.backups = new OnDemandBackups(this, "backups", {
      vaultName: names.scoped(`${project}-experiments-backups`),
      roleName: names.scoped(`${project}-backup-role`),
      tags: { Name: names.scoped(`${project}-experiments-backups`) },
    });

    this.artifacts = new ArtifactsBucket(this, "mlflow-artifacts", {
      bucketName: this.bucketName,
      tags: { Name: `${project}-mlflow-artifacts`, Purpose: "MLflow Artifacts Storage" },
    });
    this.registry = new ContainerRegistry(this, "registry", {
      repositoryName: names.scoped(inputs.ecr_repository_name),
      tags: { Name: `${project}-ecr` },
    });

    this.wandbSecret = this.wandbSecretFor(props);
    const account = address(new DataAwsCallerIdentity(this, "account"));
    this.imageRepository = `${account.accountId}.dkr.ecr.${inputs.aws_region}.amazonaws.com/${names.scoped(inputs.ecr_repository_name)}`;
    this.wandbSecretReference = `arn:aws:secretsmanager:${inputs.aws_region}:${account.accountId}:secret:${names.scoped(inputs.wandb_secret_name)}`;

    this.mlflowDatabase = new MlflowDatabase(this, "mlflow-database", {
      enabled: Fn.anytrue([Op.eq(inputs.mlflow_backend, "postgres"), inputs.mlflow_database_retained]),
      namePrefix: names.scoped(project),
      vpcId: network.network.vpc.id,
      subnetIds: network.network.privateSubnetIds,
      instanceClass: inputs.mlflow_db_instance_class,
      backupRetentionDays: inputs.mlflow_db_backup_retention_days,
      database: PLATFORM.mlflowDatabase,
      allocatedStorageGb: PLATFORM.mlflowDatabase.allocatedStorageGb,
      maxAllocatedStorageGb: PLATFORM.mlflowDatabase.maxAllocatedStorageGb,
      engineVersion: PLATFORM.mlflowDatabase.engineVersion,
    });

    const logs = this.logGroupsFor(props);
    this.logGroups = logs.groups;
    this.logGroupNames = logs.names;

    this.declareOutputs(props);
  }

  /** Each service's store: its own directory on the experiments file system (same backups), through its own access point. */
  private storesFor(props: StorageUnitProps): Record<string, EfsAccessPoint> {
    const project = props.inputs.project_name;
    const stores: Record<string, EfsAccessPoint> = {};
    for (const { key, spec } of props.services) {
      if (!spec.store) continue;
      stores[key] = this.experiments.addAccessPoint(`${key}-store`, {
        name: `${project}-${key}-store-access-point`,
        rootDirectory: spec.store.rootDirectory,
        posixUser: spec.store.posixUser,
        directoryPermissions: spec.store.permissions,
      });
      // A new root directory would point the service at an empty store: guarded like the data itself.
      holdsData(stores[key], spec.store.holds);
    }
    return stores;
  }

  /** Each service's `/ecs/<service name>` log group. */
  private logGroupsFor(props: StorageUnitProps): { groups: Record<string, CloudwatchLogGroup>; names: Record<string, string> } {
    const { names } = props;
    const project = props.inputs.project_name;
    const logGroups: Record<string, CloudwatchLogGroup> = {};
    const logGroupNames: Record<string, string> = {};
    for (const { key, spec, vars } of props.services) {
      logGroupNames[key] = names.scoped(`/ecs/${vars.serviceName}`);
      logGroups[key] = address(
        new CloudwatchLogGroup(this, `${key}-logs`, {
          name: logGroupNames[key],
          retentionInDays: PLATFORM.logRetentionDays,
          tags: { Name: `${project}-${key}-logs`, Service: spec.displayName },
        }),
      );
    }
    return { groups: logGroups, names: logGroupNames };
  }

  /** The WANDB API key's secret, set by hand after the first apply (its value is never in the configuration). */
  private wandbSecretFor(props: StorageUnitProps): SecretsmanagerSecret {
    const { inputs, names } = props;
    const project = inputs.project_name;
    const secret = address(
      new SecretsmanagerSecret(this, "wandb-secret", {
        name: names.scoped(inputs.wandb_secret_name),
        description: "WANDB API Key for AutoVisionAI",
        recoveryWindowInDays: 7,
        tags: { Name: `${project}-wandb-api-key`, Environment: inputs.environment },
      }),
    );
    holdsData(secret, "the WANDB API key set by hand");
    suppress(
      secret,
      "SECRET-ROTATION",
      "The WANDB API key is issued by Weights & Biases; no AWS rotation function can mint a new one. Rotate it in W&B and put the new value in this secret.",
    );
    suppress(
      secret,
      "KMS-CMK",
      "One third-party API key read only by the execution role: a customer key ($1/month plus a key policy to maintain) adds no protection over the AWS managed key here.",
    );
    const wandbSecretVersion = address(
      new SecretsmanagerSecretVersion(this, "wandb-secret-version", {
        secretId: secret.id,
        secretString: PLATFORM.wandbKeyPlaceholder,
        lifecycle: { ignoreChanges: ["secret_string"] },
      }),
    );
    holdsData(wandbSecretVersion, "the WANDB API key's value");
    return secret;
  }

  private declareOutputs(props: StorageUnitProps): void {
    const tags = [...new Set(props.services.map((s) => `:${s.spec.imageTag}`))];
    declareOutput(
      this,
      "ecr_repository_url",
      this.registry.repository.repositoryUrl,
      `URL of the ECR repository; images are pushed as <url>${listing(tags)}.`,
    );
    declareOutput(this, "efs_file_system_id", this.experiments.fileSystem.id, "ID of the experiments EFS file system (fs-…).");
    declareOutput(this, "ecr_repository_name", this.registry.repository.name, "Name of the ECR repository (for aws ecr commands).");
    declareOutput(
      this,
      "wandb_secret_name",
      this.wandbSecret.name,
      "Name of the Secrets Manager secret that holds the WANDB API key (set its value by hand).",
    );
    declareOutput(this, "s3_bucket_name", this.artifacts.bucket.id, "Name of the MLflow artifacts bucket.");
    declareOutput(
      this,
      "backup_vault_name",
      this.backups.vault.name,
      "AWS Backup vault of the on-demand backups of the experiments (npm run ops -- backup).",
    );
    declareOutput(this, "backup_role_arn", this.backups.role.arn, "IAM role AWS Backup assumes for on-demand backups and restores.");
  }

  /** The experiments file system, its access point, mount targets and backup policy. */
  private experimentsShare(props: StorageUnitProps): EfsShare {
    const { inputs, network, names } = props;
    const project = inputs.project_name;
    const share = new EfsShare(this, "experiments", {
      creationToken: names.scoped(`${project}-experiments`),
      name: names.scoped(`${project}-experiments-efs`),
      accessPointName: `${project}-experiments-access-point`,
      throughputMode: inputs.efs_throughput_mode,
      provisionedThroughputMibps: inputs.efs_provisioned_throughput_mibps,
      subnetIds: network.network.privateSubnetIds,
      mountTargetCount: inputs.az_count,
      securityGroupId: network.efsSecurityGroup.id,
      rootDirectory: PLATFORM.experimentsPath,
      posixUser: { uid: 1000, gid: 1000 },
      directoryPermissions: "755",
      backupEnabled: inputs.efs_backup_enabled,
    });
    suppress(
      share.fileSystem,
      "KMS-CMK",
      "kms_key_id forces a new file system: moving the live experiments to a customer key means a copy to a new file system, not an apply. At-rest encryption with the AWS managed key is on.",
    );
    return share;
  }
}
