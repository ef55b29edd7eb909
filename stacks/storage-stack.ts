import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/secretsmanager-secret-version";
import { Construct } from "constructs";
import { ArtifactsBucket } from "../constructs/artifacts-bucket";
import { ContainerRegistry } from "../constructs/container-registry";
import { address } from "../constructs/core/addresses";
import { declareOutput } from "../constructs/core/variables";
import { EfsShare } from "../constructs/efs-share";
import { suppress } from "../constructs/core/policy/checker";
import type { PlatformConfig } from "./config";
import type { NetworkStack } from "./network-stack";
import { SERVICE_NAMES, type ServiceName } from "./services-table";
import type { PlatformInputs } from "./variables";

export interface StorageStackProps {
  readonly config: PlatformConfig;
  readonly inputs: PlatformInputs;
  readonly network: NetworkStack;
}

/** Where the containers see the experiments share (EFS_SETUP.md). */
export const EXPERIMENTS_PATH = "/app/experiments";

/** The placeholder the secret is created with (the live platform's); the real key is set by hand and never overwritten. */
export const WANDB_KEY_PLACEHOLDER = "placeholder-value-set-this-manually";

/**
 * The storage unit: everything that holds data and outlives the services.
 * The experiments file system (EFS), the MLflow artifacts bucket, the
 * image repository, the WANDB secret and the services' log groups.
 */
export class StorageStack extends Construct {
  public readonly experiments: EfsShare;
  public readonly artifacts: ArtifactsBucket;
  public readonly registry: ContainerRegistry;
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
  public readonly logGroups: Readonly<Record<ServiceName, CloudwatchLogGroup>>;
  /** `/ecs/<service name>` of each service, from the variables (known at plan time). */
  public readonly logGroupNames: Readonly<Record<ServiceName, string>>;

  constructor(scope: Construct, id: string, props: StorageStackProps) {
    super(scope, id);
    const { config, inputs, network } = props;
    const project = inputs.projectName;

    this.experiments = new EfsShare(this, "experiments", {
      creationToken: `${project}-experiments`,
      name: `${project}-experiments-efs`,
      accessPointName: `${project}-experiments-access-point`,
      provisionedThroughputMibps: inputs.efsProvisionedThroughputMibps,
      subnetIds: network.network.privateSubnetIds,
      mountTargetCount: inputs.azCount,
      securityGroupId: network.efsSecurityGroup.id,
      rootDirectory: EXPERIMENTS_PATH,
      posixUser: { uid: 1000, gid: 1000 },
      directoryPermissions: "755",
      backupEnabled: inputs.efsBackupEnabled,
    });

    suppress(
      this.experiments.fileSystem,
      "KMS-CMK",
      "kms_key_id forces a new file system: moving the live experiments to a customer key means a copy to a new file system, not an apply. At-rest encryption with the AWS managed key is on.",
    );

    this.artifacts = new ArtifactsBucket(this, "mlflow-artifacts", {
      bucketName: inputs.mlflowArtifactsBucket,
      tags: { Name: `${project}-mlflow-artifacts`, Purpose: "MLflow Artifacts Storage" },
    });
    this.registry = new ContainerRegistry(this, "registry", {
      repositoryName: inputs.ecrRepositoryName,
      tags: { Name: `${project}-ecr` },
    });

    this.wandbSecret = address(
      new SecretsmanagerSecret(this, "wandb-secret", {
        name: inputs.wandbSecretName,
        description: "WANDB API Key for AutoVisionAI",
        recoveryWindowInDays: 7,
        tags: { Name: `${project}-wandb-api-key`, Environment: inputs.environment },
      }),
    );
    const account = address(new DataAwsCallerIdentity(this, "account"));
    this.imageRepository = `${account.accountId}.dkr.ecr.${inputs.awsRegion}.amazonaws.com/${inputs.ecrRepositoryName}`;
    this.wandbSecretReference = `arn:aws:secretsmanager:${inputs.awsRegion}:${account.accountId}:secret:${inputs.wandbSecretName}`;
    suppress(
      this.wandbSecret,
      "SECRET-ROTATION",
      "The WANDB API key is issued by Weights & Biases; no AWS rotation function can mint a new one. Rotate it in W&B and put the new value in this secret.",
    );
    suppress(
      this.wandbSecret,
      "KMS-CMK",
      "One third-party API key read only by the execution role: a customer key ($1/month plus a key policy to maintain) adds no protection over the AWS managed key here.",
    );
    address(
      new SecretsmanagerSecretVersion(this, "wandb-secret-version", {
        secretId: this.wandbSecret.id,
        secretString: WANDB_KEY_PLACEHOLDER,
        lifecycle: { ignoreChanges: ["secret_string"] },
      }),
    );

    const logGroups = {} as Record<ServiceName, CloudwatchLogGroup>;
    const logGroupNames = {} as Record<ServiceName, string>;
    for (const key of SERVICE_NAMES) {
      logGroupNames[key] = `/ecs/${inputs.services[key].serviceName}`;
      logGroups[key] = address(
        new CloudwatchLogGroup(this, `${key}-logs`, {
          name: logGroupNames[key],
          retentionInDays: config.logRetentionDays,
          tags: { Name: `${project}-${key}-logs`, Service: config.services[key].displayName },
        }),
      );
    }
    this.logGroups = logGroups;
    this.logGroupNames = logGroupNames;

    declareOutput(
      this,
      "ecr_repository_url",
      this.registry.repository.repositoryUrl,
      "URL of the ECR repository; images are pushed as <url>:app, :mlflow and :tensorboard.",
    );
    declareOutput(this, "efs_file_system_id", this.experiments.fileSystem.id, "ID of the experiments EFS file system (fs-…).");
    declareOutput(
      this,
      "ecr_repository_name",
      this.registry.repository.name,
      "Name of the ECR repository (for aws ecr commands).",
    );
    declareOutput(
      this,
      "wandb_secret_name",
      this.wandbSecret.name,
      "Name of the Secrets Manager secret that holds the WANDB API key (set its value by hand).",
    );
    declareOutput(this, "s3_bucket_name", this.artifacts.bucket.id, "Name of the MLflow artifacts bucket.");
  }
}
