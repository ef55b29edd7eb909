import type { AddressTable } from "../constructs/terraform/addresses";
import { observabilityAddresses } from "./alarms";
import type { ServiceTable } from "./services";

/** The network unit: the VPC, its subnets, gateways, routes, security groups and endpoints. */
const NETWORK_ADDRESSES: AddressTable = {
  "network/network/availability-zones": "available",
  "network/network/vpc": "main",
  "network/network/private-subnets": "private",
  "network/network/public-subnets": "public",
  "network/network/internet-gateway": "gw",
  "network/network/internet-route": "internet_access",
  "network/network/nat-eip": "nat",
  "network/network/nat-gateway": "main",
  "network/network/private-route-table": "private",
  "network/network/private-route-table-associations": "private",
  "network/alb-security-group": "alb",
  "network/ecs-tasks-security-group": "ecs_tasks",
  "network/efs-security-group": "efs",
  "network/endpoints/s3-gateway": "s3",
  "network/endpoints/interface": "interface",
  "network/endpoints/interface-security-group": "vpc_endpoints",
};

/** The storage unit: the experiments file system, the artifacts bucket, the registry, the secret, backups, logs, stores. */
function storageAddresses(serviceKeys: readonly string[]): AddressTable {
  return {
    "storage/experiments/file-system": "experiments",
    "storage/experiments/mount-targets": "experiments",
    "storage/experiments/access-point": "experiments",
    "storage/experiments/backup-policy": "experiments",
    "storage/mlflow-artifacts/bucket": "mlflow_artifacts",
    "storage/mlflow-artifacts/versioning": "mlflow_artifacts_versioning",
    "storage/mlflow-artifacts/encryption": "mlflow_artifacts_encryption",
    "storage/mlflow-artifacts/public-access-block": "mlflow_artifacts_pab",
    "storage/mlflow-artifacts/lifecycle": "mlflow_artifacts_lifecycle",
    "storage/mlflow-artifacts/tls-only-policy": "mlflow_artifacts_tls_only",
    "storage/registry/repository": "autovisionai",
    "storage/registry/lifecycle-policy": "autovisionai_policy",
    "storage/wandb-secret": "wandb_api_key",
    "storage/account": "current",
    "storage/wandb-secret-version": "wandb_api_key",
    "storage/backups/vault": "experiments_backups",
    "storage/backups/role/role": "backup_role",
    "storage/backups/role/attach-AWSBackupServiceRolePolicyForBackup": "backup_role_backup_policy",
    "storage/backups/role/attach-AWSBackupServiceRolePolicyForRestores": "backup_role_restores_policy",
    ...Object.fromEntries(serviceKeys.map((key) => [`storage/${key}-logs`, key])),
    ...Object.fromEntries(serviceKeys.map((key) => [`storage/experiments/${key}-store`, `${key}_store`])),
  };
}

/** The services unit's cluster and IAM, and the transfer task. */
function serviceIamAddresses(services: ServiceTable): AddressTable {
  const serviceKeys = Object.keys(services);
  return {
    "services/namespace": "service_connect",
    "services/cluster": "main",
    "services/exec-logs": "exec",
    "services/capacity-providers": "main",
    "services/iam/execution-role/role": "ecs_task_execution_role",
    "services/iam/execution-role/policy": "ecs_task_execution_role_policy",
    ...Object.fromEntries(
      serviceKeys.flatMap((key) => [
        [`services/iam/${key}-task-role/role`, `${key}_task_role`],
        [`services/iam/${key}-task-role/policy`, `${key}_task_role_policy`],
      ]),
    ),
    // A task role the live platform has (ecsTaskRole, the API's now) keeps its address (the entry's taskRole).
    ...Object.fromEntries(
      serviceKeys.flatMap((key) => {
        const legacy = services[key].taskRole;
        return legacy
          ? [
              [`services/iam/${key}-task-role/role`, legacy.logicalId],
              [`services/iam/${key}-task-role/policy`, `${legacy.logicalId}_policy`],
            ]
          : [];
      }),
    ),
    ...Object.fromEntries(serviceKeys.map((key) => [`services/iam/${key}-exec-policy`, `${key}_exec_policy`])),
    "services/iam/experiments-access/policy": "experiments",
    "services/transfer/restores-access-point": "restores",
    "services/transfer/log-group": "experiments_transfer",
    "services/transfer/execution-role/role": "transfer_execution_role",
    "services/transfer/execution-role/policy": "transfer_execution_role_policy",
    "services/transfer/task-role/role": "transfer_task_role",
    "services/transfer/task-role/policy": "transfer_task_role_policy",
    "services/transfer/task-definition": "experiments_transfer",
    "services/iam/autoscale-role/role": "ecs_auto_scale_role",
    "services/iam/autoscale-role/attach-AmazonEC2ContainerServiceAutoscaleRole": "ecs_auto_scale_role_policy",
  };
}

/** The public entry: the load balancer, each service's task, service and listener, HTTPS, sign-in, the firewall, autoscaling. */
function entryAddresses(serviceKeys: readonly string[]): AddressTable {
  return {
    "services/entry/load-balancer": "main",
    ...Object.fromEntries(
      serviceKeys.flatMap((key) => [
        [`services/${key}/task-definition`, key],
        [`services/${key}/service`, key],
        [`services/${key}/target-group`, key],
        [`services/${key}/listener`, key],
      ]),
    ),
    "services/entry/https/https-listener": "https",
    "services/entry/https/http-redirect-listener": "http_redirect",
    "services/entry/https/redirect-rule": "https_redirect",
    // sign-in and the web firewall (docs/SIGN-IN.md)
    "services/entry/sign-in/user-pool": "users",
    "services/entry/sign-in/client": "alb",
    "services/entry/sign-in/domain": "sign_in",
    "services/entry/oidc-client-secret/version": "oidc_client_secret",
    ...Object.fromEntries(
      serviceKeys.flatMap((key) => [
        [`services/entry/${key}-sign-in/cognito`, `${key}_sign_in_cognito`],
        [`services/entry/${key}-sign-in/oidc`, `${key}_sign_in_oidc`],
      ]),
    ),
    "services/entry/firewall/web-acl": "alb",
    "services/entry/firewall/association": "alb",
    "services/entry/firewall/logs": "waf",
    "services/entry/firewall/logging": "alb",
    "services/autoscaling/services": "ecs_services",
    "services/autoscaling/targets": "ecs_target",
    "services/autoscaling/cpu-policies": "ecs_cpu_scaling_policy",
  };
}

/**
 * Construct path (below the root stack) → Terraform logical id.
 *
 * Every resource of the legacy HCL root keeps its address here, so the live
 * state maps onto this configuration with nothing destroyed. New resources
 * get readable names in the same style. The address of each row is
 * `<resource type>.<logical id>`; count/for_each keys come from the
 * resource itself. Changing a value on the left of a live resource is a
 * rename: it needs a `moved` block.
 */
export function addressTable(services: ServiceTable): AddressTable {
  const serviceKeys = Object.keys(services);
  return {
    // the root: inputs held once the platform exists
    "identity/record": "platform_identity",
    "identity/check": "platform_identity_check",
    ...NETWORK_ADDRESSES,
    ...storageAddresses(serviceKeys),
    ...serviceIamAddresses(services),
    ...entryAddresses(serviceKeys),
    // observability unit: alerts topic, alarms, task start failures, dashboard
    ...observabilityAddresses(serviceKeys),
  };
}

/** Entries of `addressTable` whose element may be absent: a task role's inline policy with nothing to allow, a store or sign-in rules a service does not have. */
export function optionalAddresses(serviceKeys: readonly string[]): string[] {
  return serviceKeys.flatMap((key) => [
    `services/iam/${key}-task-role/policy`,
    `storage/experiments/${key}-store`,
    // Only the services a browser opens (signIn in the services table) have sign-in rules.
    `services/entry/${key}-sign-in/cognito`,
    `services/entry/${key}-sign-in/oidc`,
  ]);
}
