/**
 * The platform's fixed facts: what the live platform's state and network
 * are, and which versions the root pins. What users tune per deployment is
 * a root variable instead (`platform/inputs.ts`).
 */
export const PLATFORM = {
  /** The CDKTF stack name; `cdktf deploy <name>` uses the same S3 state as deploy/terraform. */
  stackName: "autovisionai",
  /** Where the one state lives: the live platform's S3 backend (S3-native locking). */
  backend: { bucket: "autovisionai-terraform-state", key: "terraform.tfstate", region: "us-west-1" },
  /** The environment that is the live platform: its names and state key are the ones above, unchanged. */
  liveEnvironment: "prod",
  /** What an environment's name may be (it ends names such as <project>-alb-<environment>), and that rule in words. */
  environmentName: { pattern: "^[a-z][a-z0-9]{1,9}$", rule: "2-10 lower-case letters or digits, starting with a letter" },
  /** The Terraform version the root requires (S3-native locking needs 1.11). */
  requiredTerraformVersion: ">= 1.11.0",
  /** The AWS provider version pinned in `required_providers` (the bindings are @cdktf/provider-aws 20.1.0). */
  awsProviderVersion: "5.100.0",
  /** The VPC's address range; subnets are /24 slices of it. */
  vpcCidr: "172.17.0.0/16",
  /** Retention of the services' and the VPC flow logs' log groups, in days. */
  logRetentionDays: 30,
  /** Where the containers see the experiments share (the design document's mount point; docs/EFS.md). */
  experimentsPath: "/app/experiments",
  /** The value Terraform creates the WANDB secret with (the live platform's); the key is put by `make push-secrets`, never by Terraform. */
  wandbKeyPlaceholder: "placeholder-value-set-this-manually",
  /** MLflow's PostgreSQL database (mlflow_backend = postgres): its database, user, port, storage and major version. */
  mlflowDatabase: {
    name: "mlflow",
    username: "mlflow",
    port: 5432,
    allocatedStorageGb: 20,
    maxAllocatedStorageGb: 100,
    engineVersion: "16",
  },
} as const;
