/** What the switch from the legacy HCL root changes: asserted by the migration suite, explained in docs/MIGRATION.md. */

/**
 * Every in-place update the switch makes on the live platform, each
 * explained in docs/MIGRATION.md. A new one makes this suite fail until it is
 * understood, documented and added here.
 */
export const EXPECTED_UPDATES = [
  "aws_ecs_service.api[0]", // deployment circuit breaker, min/max healthy percent
  "aws_ecs_service.mlflow[0]", // same, and the new task definition revision
  "aws_ecs_service.tensorboard[0]", // same, and the new task definition revision
  "aws_ecs_service.ui[0]", // same, and the new task definition revision
  "aws_efs_file_system.experiments", // provisioned throughput 10 -> 100 MiB/s (design document)
  "aws_iam_role_policy.ecs_task_execution_role_policy", // least privilege: scoped to the repo, log groups, secret
  "aws_iam_role_policy.ecs_task_role_policy", // ecsTaskRole becomes the API's own role
  "aws_lb.main", // drop invalid header fields
  "aws_lb_target_group.api[0]", // faster deregistration and health checks
  "aws_lb_target_group.mlflow[0]",
  "aws_lb_target_group.tensorboard[0]",
  "aws_lb_target_group.ui[0]",
  "aws_s3_bucket_lifecycle_configuration.mlflow_artifacts_lifecycle", // abort incomplete multipart uploads
  "aws_security_group.alb", // rule descriptions, egress only to the VPC
  "aws_security_group.ecs_tasks", // rule descriptions, Service Connect egress between tasks
  "aws_security_group.efs", // rule description, no egress
];

/** Task definitions replaced by a new revision: their container or volume settings change. */
export const EXPECTED_REPLACEMENTS = [
  "aws_ecs_task_definition.mlflow[0]", // own task role; no EFS volume (MLflow has no access)
  "aws_ecs_task_definition.tensorboard[0]", // own task role
  "aws_ecs_task_definition.ui[0]", // own task role; API_BASE_URL environment
];

/** New resources the switch creates (least privilege, TLS-only policies, backups). */
export const EXPECTED_CREATES = [
  "aws_efs_backup_policy.experiments",
  "aws_efs_file_system_policy.experiments",
  "aws_iam_role.mlflow_task_role",
  "aws_iam_role.tensorboard_task_role",
  "aws_iam_role.ui_task_role",
  "aws_iam_role_policy.mlflow_task_role_policy",
  "aws_iam_role_policy.tensorboard_task_role_policy",
  "aws_iam_role_policy.ui_task_role_policy",
  "aws_s3_bucket_policy.mlflow_artifacts_tls_only",
];

/** Terraform's plan summary line for the switch. */
export const EXPECTED_SUMMARY = `Plan: ${EXPECTED_CREATES.length + EXPECTED_REPLACEMENTS.length} to add, ${EXPECTED_UPDATES.length} to change, ${EXPECTED_REPLACEMENTS.length} to destroy.`;
