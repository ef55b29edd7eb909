import { SERVICES, type ServiceTable } from "./services-table";

/**
 * The one typed configuration of the AutoVisionAI platform. `main.ts` builds
 * it and hands it to the stack units. Values that users tune per deployment
 * are Terraform variables: what is here is their default (the legacy
 * contract's values, or the design document's where it differs). Values that
 * are fixed by the live platform (the state backend, the VPC range) are
 * plain constants.
 */
export interface PlatformConfig {
  /** Where the one state lives: the live platform's S3 backend. */
  readonly backend: {
    readonly bucket: string;
    readonly key: string;
    readonly region: string;
  };
  /** The Terraform version the root requires (S3-native locking needs 1.11). */
  readonly requiredTerraformVersion: string;
  /** The AWS provider version pinned in `required_providers`. */
  readonly awsProviderVersion: string;
  /** The CDKTF stack name; `cdktf deploy <name>` uses the same S3 state. */
  readonly stackName: string;
  /** The VPC's address range; subnets are /24 slices of it. */
  readonly vpcCidr: string;
  /** Retention of the `/ecs/<service>` log groups, in days. */
  readonly logRetentionDays: number;
  /** Root-variable defaults (see `stacks/variables.ts` for what each sets). */
  readonly defaults: PlatformDefaults;
  /** The four services. */
  readonly services: ServiceTable;
}

export interface PlatformDefaults {
  readonly awsRegion: string;
  readonly projectName: string;
  readonly environment: string;
  readonly clusterName: string;
  readonly azCount: number;
  readonly ecrRepositoryName: string;
  readonly mlflowArtifactsBucket: string;
  readonly wandbSecretName: string;
  readonly wandbEntity: string;
  readonly envMode: string;
  readonly createEcsServices: boolean;
  readonly scalingCpuTargetPercentage: number;
  readonly scalingCooldownSecondsIn: number;
  readonly scalingCooldownSecondsOut: number;
  /** EFS provisioned throughput in MiB/s: the design's 100 (about $600–720 a month). */
  readonly efsProvisionedThroughputMibps: number;
  readonly efsBackupEnabled: boolean;
  readonly albIngressCidrBlocks: readonly string[];
  readonly deregistrationDelaySeconds: number;
  readonly healthCheckIntervalSeconds: number;
  readonly healthCheckTimeoutSeconds: number;
  readonly healthCheckHealthyThreshold: number;
  readonly healthCheckUnhealthyThreshold: number;
  readonly deploymentMinimumHealthyPercent: number;
  readonly deploymentMaximumPercent: number;
  readonly deploymentCircuitBreakerRollback: boolean;
  readonly albDeletionProtection: boolean;
  readonly albAccessLogsBucket: string;
  readonly vpcFlowLogsEnabled: boolean;
  readonly albCertificateArn: string;
  readonly albSslPolicy: string;
}

export const DEFAULT_CONFIG: PlatformConfig = {
  backend: { bucket: "autovisionai-terraform-state", key: "terraform.tfstate", region: "us-west-1" },
  requiredTerraformVersion: ">= 1.11.0",
  awsProviderVersion: "5.100.0",
  stackName: "autovisionai",
  vpcCidr: "172.17.0.0/16",
  logRetentionDays: 30,
  defaults: {
    awsRegion: "us-west-1",
    projectName: "autovisionai",
    environment: "prod",
    clusterName: "autovisionai",
    azCount: 2,
    ecrRepositoryName: "autovisionai",
    mlflowArtifactsBucket: "autovision-mlflow-artifacts",
    wandbSecretName: "autovisionai/wandb-api-key",
    wandbEntity: "arthur-sobol-private",
    envMode: "prod",
    createEcsServices: true,
    scalingCpuTargetPercentage: 75,
    scalingCooldownSecondsIn: 300,
    scalingCooldownSecondsOut: 60,
    efsProvisionedThroughputMibps: 100,
    efsBackupEnabled: true,
    albIngressCidrBlocks: ["0.0.0.0/0"],
    deregistrationDelaySeconds: 30,
    healthCheckIntervalSeconds: 10,
    healthCheckTimeoutSeconds: 5,
    healthCheckHealthyThreshold: 2,
    healthCheckUnhealthyThreshold: 2,
    deploymentMinimumHealthyPercent: 100,
    deploymentMaximumPercent: 200,
    deploymentCircuitBreakerRollback: true,
    albDeletionProtection: false,
    albAccessLogsBucket: "",
    vpcFlowLogsEnabled: false,
    albCertificateArn: "",
    albSslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
  },
  services: SERVICES,
};
