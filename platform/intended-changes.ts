/**
 * What the switch from the live HCL root changes on the live platform, and
 * why: every attribute the synthesized root changes, one entry each.
 *
 * The migration suite plans the synthesized root over the live platform's
 * state (the fixture in `__tests__/fixtures/legacy-root`) and fails on a
 * change this list does not name, and on an entry the plan no longer shows.
 * docs/MIGRATION.md is generated from it (`npm run docs`).
 *
 * Everything else keeps its live value: names, tags, environment variables,
 * secrets, health checks. Nothing is replaced but task definitions (a new
 * revision is how ECS changes a task); nothing is destroyed.
 */

import { ALARMS, alarmLogicalId, platformAlarmKinds, serviceAlarmKinds, type AlarmKind } from "./alarms";
import { SERVICES, type ServiceTable } from "./services";

export type IntendedKind = "create" | "update" | "replace";

export interface IntendedChange {
  /** Terraform address in the live state (or the new one, for a creation). */
  readonly address: string;
  /**
   * The attribute that changes: a top-level name (`drop_invalid_header_fields`),
   * a field of a block written once (`health_check.interval`), a part of a
   * container definition (`container_definitions/ui/environment/X`), or
   * `(resource)` for a creation.
   */
  readonly attribute: string;
  readonly kind: IntendedKind;
  /** One line: why. */
  readonly reason: string;
}

/** The services of the live platform (a service added later is a creation, not a change). */
export const LIVE_SERVICES = ["api", "ui", "mlflow", "tensorboard"] as const;
/** The live services that move from the shared `ecsTaskRole` to a role of their own: those the table gives no legacy role. */
const OWN_ROLE = LIVE_SERVICES.filter((key) => !(SERVICES as ServiceTable)[key].taskRole);

const create = (address: string, reason: string): IntendedChange => ({ address, attribute: "(resource)", kind: "create", reason });
const update = (address: string, attribute: string, reason: string): IntendedChange => ({ address, attribute, kind: "update", reason });

/**
 * What the observability unit adds to the live platform (`platform/alarms.ts`, `stacks/observability-unit.ts`):
 * creations only, with default variables (provisioned throughput, every service on the ALB,
 * no e-mail address), plus the ECS services' deployment alarms, an in-place update.
 */
export function observabilityChanges(liveServices: readonly string[], table: readonly AlarmKind[] = ALARMS): IntendedChange[] {
  // With the defaults: throughput mode provisioned (no burst-credit alarm), every live service keeps a task and is on the ALB.
  const live = table.filter((k) => k.onlyWhen !== "efs-bursting");
  return [
    create(
      "aws_kms_key.alerts",
      "a customer managed key for the alerts topic: CloudWatch and EventBridge cannot publish to a topic under aws/sns",
    ),
    create("aws_kms_alias.alerts", "alias/<project>-alerts names the alerts key"),
    create("aws_sns_topic.alerts", "the alerts topic every alarm and the task start failure alert notify (alerts_topic_arn)"),
    create("aws_sns_topic_policy.alerts", "lets this account's alarms and the task start failure rule publish to the alerts topic"),
    create("aws_cloudwatch_event_rule.task_start_failures", "ECS tasks stopped by an EFS mount, secret or image pull failure"),
    create("aws_cloudwatch_event_target.task_start_failures", "sends those to the alerts topic, naming the service and the reason"),
    create("aws_cloudwatch_dashboard.platform", "the <project>-platform dashboard: EFS, services, ALB on one page (dashboard_url)"),
    ...serviceAlarmKinds(live).flatMap((kind) =>
      liveServices.map((key) =>
        create(`aws_cloudwatch_metric_alarm.${alarmLogicalId(kind, key)}[0]`, `alarm (docs/ALARMS.md#${kind.id}): ${kind.meaning}`),
      ),
    ),
    ...platformAlarmKinds(live).map((kind) =>
      create(
        `aws_cloudwatch_metric_alarm.${alarmLogicalId(kind)}${kind.onlyWhen ? "[0]" : ""}`,
        `alarm (docs/ALARMS.md#${kind.id}): ${kind.meaning}`,
      ),
    ),
    ...liveServices.map(
      (key): IntendedChange => ({
        address: `aws_ecs_service.${key}[0]`,
        attribute: "alarms",
        kind: "update",
        reason: "a deploy rolls back when the service's deployment alarms fire during it (`deployment_alarms_rollback`)",
      }),
    ),
  ];
}

export const INTENDED_CHANGES: readonly IntendedChange[] = [
  // Storage: the design document's throughput; backups; TLS-only policies.
  update(
    "aws_efs_file_system.experiments",
    "provisioned_throughput_in_mibps",
    "10 -> 100 MiB/s, the design document's value (efs_provisioned_throughput_mibps); about $540-650 more a month; AWS then refuses a decrease for 24 h",
  ),
  create(
    "aws_efs_backup_policy.experiments",
    "daily AWS Backup of the experiments (efs_backup_enabled); the design document's 'backup important data'",
  ),
  create(
    "aws_efs_file_system_policy.experiments",
    "TLS only, and only the services' task roles, through the access point (the design's IAM authorization)",
  ),
  create("aws_s3_bucket_policy.mlflow_artifacts_tls_only", "the artifacts bucket refuses plain-HTTP requests"),
  update(
    "aws_s3_bucket_lifecycle_configuration.mlflow_artifacts_lifecycle",
    "rule",
    "a third rule aborts multipart uploads unfinished after 7 days; the two live rules stay as they are",
  ),

  // IAM: one task role per service, least privilege.
  ...OWN_ROLE.flatMap((key) => [
    create(`aws_iam_role.${key}_task_role`, `${key} gets a task role of its own instead of the shared ecsTaskRole`),
    create(`aws_iam_role_policy.${key}_task_role_policy`, `only what ${key} needs (the design's access matrix)`),
    {
      address: `aws_ecs_task_definition.${key}[0]`,
      attribute: "task_role_arn",
      kind: "replace",
      reason: `a new revision that runs ${key} with its own task role`,
    } satisfies IntendedChange,
    update(`aws_ecs_service.${key}[0]`, "task_definition", "rolls onto the new task definition revision"),
  ]),
  update(
    "aws_iam_role_policy.ecs_task_role_policy",
    "policy",
    "ecsTaskRole becomes the API's alone: mount and write through the access point, the artifacts bucket (was EFS root access on *)",
  ),
  update(
    "aws_iam_role_policy.ecs_task_execution_role_policy",
    "policy",
    "least privilege: ECR pull on the one repository, logs to the four log groups, the WANDB secret only (was * on everything)",
  ),

  // Deploys: roll back a failing deploy; drain and health-check faster.
  ...LIVE_SERVICES.flatMap((key) => [
    update(`aws_ecs_service.${key}[0]`, "deployment_circuit_breaker.enable", "stop a deploy whose tasks keep failing"),
    update(
      `aws_ecs_service.${key}[0]`,
      "deployment_circuit_breaker.rollback",
      "and roll back to the last working revision (deployment_circuit_breaker_rollback)",
    ),
    update(
      `aws_lb_target_group.${key}[0]`,
      "deregistration_delay",
      "300 -> 30 s: an old task stops 270 s sooner on every deploy (deregistration_delay_seconds)",
    ),
    update(`aws_lb_target_group.${key}[0]`, "health_check.interval", "30 -> 10 s between health checks (health_check_interval_seconds)"),
    update(
      `aws_lb_target_group.${key}[0]`,
      "health_check.healthy_threshold",
      "3 -> 2 passes: a new task is healthy after ~20 s instead of ~90 s (health_check_healthy_threshold)",
    ),
  ]),

  // MLflow keeps its tracking store on EFS (docs/ARCHITECTURE.md): its history outlives the task.
  create(
    "aws_efs_access_point.mlflow_store",
    "MLflow's tracking store: its own directory /app/mlruns on the experiments file system, 1000:1000, 0750",
  ),
  {
    address: "aws_ecs_task_definition.mlflow[0]",
    attribute: "volume",
    kind: "replace",
    reason: "the store's volume (mlflow-store, TLS and IAM), through its own access point",
  },
  {
    address: "aws_ecs_task_definition.mlflow[0]",
    attribute: "container_definitions/mlflow/mountPoints",
    kind: "replace",
    reason: "the store is mounted read-write at /app/mlruns, where MLflow already keeps it (--backend-store-uri)",
  },
  update(
    "aws_ecs_service.mlflow[0]",
    "deployment_maximum_percent",
    "200 -> 100: the old MLflow task stops before the new one starts (one writer)",
  ),
  update("aws_ecs_service.mlflow[0]", "deployment_minimum_healthy_percent", "100 -> 0: same; MLflow is away for the seconds of a deploy"),

  // Safe changes: the inputs that would rebuild or abandon the platform are held once it exists (docs/SAFE-CHANGES.md).
  create(
    "terraform_data.platform_identity",
    "records aws_region and project_name as they are, so that a later change of either is refused",
  ),
  create("terraform_data.platform_identity_check", "refuses a plan whose aws_region or project_name differs from the record"),

  // Cost and hardening options (docs/HARDENING.md): the free S3 gateway endpoint is on by default; Spot needs the cluster's providers.
  create(
    "aws_vpc_endpoint.s3[0]",
    "S3 traffic (artifacts, image layers) goes to S3 directly, not through the NAT gateway: free, and saves NAT data charges",
  ),
  update(
    "aws_ecs_cluster.main",
    "configuration",
    "ECS Exec session logging written out as DEFAULT (exec off, ecs_exec_enabled): the block can then switch to OVERRIDE and back",
  ),
  create(
    "aws_ecs_cluster_capacity_providers.main",
    "the cluster offers FARGATE and FARGATE_SPOT, for services given a Spot share (<service>_spot_percent, 0 by default: no service moves)",
  ),

  // Network: the ALB drops malformed headers; security groups say what each rule is for and allow no more than needed.
  update("aws_lb.main", "drop_invalid_header_fields", "requests with malformed headers are dropped (HTTP desync hardening)"),
  update("aws_security_group.alb", "ingress", "each rule gets a description (same ports, same sources: alb_ingress_cidr_blocks)"),
  update("aws_security_group.alb", "egress", "narrowed from anything anywhere to TCP inside the VPC: the ALB talks only to the tasks"),
  update("aws_security_group.efs", "ingress", "the NFS rule gets a description"),
  update("aws_security_group.efs", "egress", "the allow-all egress goes: NFS replies are stateful, the file system starts no connections"),

  // Observability (docs/ALARMS.md): the alerts topic, alarms, task start failure alert and dashboard are new; deploys watch alarms.
  ...observabilityChanges(LIVE_SERVICES),

  // Day-two commands (npm run ops, docs/OPERATIONS.md): on-demand backups, and the one-off transfer task.
  create("aws_backup_vault.experiments_backups", "the vault of on-demand backups of the experiments (npm run ops -- backup)"),
  create("aws_iam_role.backup_role", "the role AWS Backup assumes for on-demand backups and restores"),
  create("aws_iam_role_policy_attachment.backup_role_backup_policy", "AWS's managed policy for AWS Backup's backups"),
  create("aws_iam_role_policy_attachment.backup_role_restores_policy", "AWS's managed policy for AWS Backup's restores"),
  create(
    "aws_efs_access_point.restores",
    "read-only access, for the transfer task only, to AWS Backup's restore directories at the file system's root",
  ),
  create("aws_cloudwatch_log_group.experiments_transfer", "logs of the one-off experiments transfer task"),
  create("aws_iam_role.transfer_execution_role", "starts the transfer task (writes its logs)"),
  create("aws_iam_role_policy.transfer_execution_role_policy", "logs to the transfer task's log group only"),
  create("aws_iam_role.transfer_task_role", "the transfer task's own role, named in the experiments file system policy"),
  create("aws_iam_role_policy.transfer_task_role_policy", "mount the experiments (read/write) and the restores (read-only), nothing else"),
  create(
    "aws_ecs_task_definition.experiments_transfer[0]",
    "the one-off task that moves experiments to and from the file system (npm run ops -- upload|download); billed only while it runs",
  ),
];

/** The addresses the switch touches, by kind (a replaced resource counts once, as replaced). */
export function changedAddresses(changes: readonly IntendedChange[] = INTENDED_CHANGES): Record<IntendedKind, string[]> {
  const of = (kind: IntendedKind) => [...new Set(changes.filter((c) => c.kind === kind).map((c) => c.address))].sort();
  const replace = of("replace");
  return { create: of("create"), replace, update: of("update").filter((a) => !replace.includes(a)) };
}

/** The line Terraform prints under the plan of the switch. */
export function planSummary(changes: readonly IntendedChange[] = INTENDED_CHANGES): string {
  const by = changedAddresses(changes);
  return `Plan: ${by.create.length + by.replace.length} to add, ${by.update.length} to change, ${by.replace.length} to destroy.`;
}
