import type { IResolvable, TerraformVariable } from "cdktf";
import type { Construct } from "constructs";
import { declareVariable, matches, oneOf, wholeNumberBetween, type Validation } from "../constructs/core/variables";
import type { PlatformConfig } from "./config";
import { SERVICE_NAMES, type ServiceName } from "./services-table";

/** The per-service root variables, as Terraform tokens. */
export interface ServiceInputs {
  readonly serviceName: string;
  readonly cpu: number;
  readonly memoryMiB: number;
  readonly port: number;
  readonly healthCheckPath: string;
  readonly desiredCount: number;
  readonly minCapacity: number;
  readonly maxCapacity: number;
  /** `var.<key>_public` for services that may stay off the ALB; `true` for the others. */
  readonly public: boolean | IResolvable;
}

/** Every root variable, as a Terraform token of its type. */
export interface PlatformInputs {
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
  /** `var.create_ecs_services` as a bool token. */
  readonly createEcsServices: boolean | IResolvable;
  /** The variable itself, for conditional expressions. */
  readonly createEcsServicesVariable: TerraformVariable;
  readonly scalingCpuTargetPercentage: number;
  readonly scalingCooldownSecondsIn: number;
  readonly scalingCooldownSecondsOut: number;
  readonly efsProvisionedThroughputMibps: number;
  readonly efsBackupEnabled: boolean | IResolvable;
  readonly albIngressCidrBlocks: string[];
  readonly deregistrationDelaySeconds: number;
  readonly healthCheckIntervalSeconds: number;
  readonly healthCheckTimeoutSeconds: number;
  readonly healthCheckHealthyThreshold: number;
  readonly healthCheckUnhealthyThreshold: number;
  readonly deploymentMinimumHealthyPercent: number;
  readonly deploymentMaximumPercent: number;
  readonly deploymentCircuitBreakerRollback: boolean | IResolvable;
  readonly albDeletionProtection: boolean | IResolvable;
  readonly albAccessLogsBucket: string;
  readonly vpcFlowLogsEnabled: boolean | IResolvable;
  readonly albCertificateArn: string;
  readonly albSslPolicy: string;
  readonly services: Readonly<Record<ServiceName, ServiceInputs>>;
}

/** Fargate's valid task sizes: CPU units → memory MiB (min, max, step). */
const FARGATE_SIZES: readonly (readonly [number, number, number, number])[] = [
  [256, 512, 2048, 512],
  [512, 1024, 4096, 1024],
  [1024, 2048, 8192, 1024],
  [2048, 4096, 16384, 1024],
  [4096, 8192, 30720, 1024],
  [8192, 16384, 61440, 4096],
  [16384, 32768, 122880, 8192],
];

function fargateMemory(key: ServiceName): Validation {
  const cpu = `var.${key}_cpu`;
  const mem = `var.${key}_memory`;
  // 256 CPU allows 512, 1024, 2048 (not 1536): its step is 512 but 1536 is not offered.
  const clauses = FARGATE_SIZES.map(([c, min, max, step]) =>
    c === 256
      ? `(${cpu} == 256 && contains([512, 1024, 2048], ${mem}))`
      : `(${cpu} == ${c} && ${mem} >= ${min} && ${mem} <= ${max} && ${mem} % ${step} == 0)`,
  );
  const allowed = FARGATE_SIZES.map(([c, min, max, step]) =>
    c === 256 ? "256: 512, 1024 or 2048" : `${c}: ${min}-${max} in steps of ${step}`,
  ).join("; ");
  return {
    condition: clauses.join(" || "),
    message: `${key}_memory must be a Fargate memory size for ${key}_cpu (cpu: memory MiB — ${allowed}).`,
  };
}

const NAME_29 = "^[a-zA-Z0-9]([a-zA-Z0-9-]{0,27}[a-zA-Z0-9])?$";

/**
 * Declares the root's variables (the 45 of the legacy contract plus the
 * design's new ones) with types, descriptions and validation, and returns
 * them as typed tokens for the stack units.
 */
export function declarePlatformVariables(scope: Construct, config: PlatformConfig): PlatformInputs {
  const d = config.defaults;
  const str = (name: string, def: string, description: string, ...validations: Validation[]) =>
    declareVariable(scope, name, { type: "string", default: def, description, validations }).stringValue;
  const num = (name: string, def: number, description: string, ...validations: Validation[]) =>
    declareVariable(scope, name, { type: "number", default: def, description, validations }).numberValue;
  const bool = (name: string, def: boolean, description: string) =>
    declareVariable(scope, name, { type: "bool", default: def, description });

  const services = {} as Record<ServiceName, ServiceInputs>;
  for (const key of SERVICE_NAMES) {
    const spec = config.services[key];
    // Each port is checked against the ports before it in the table: all pairs are covered and
    // the validations do not reference each other in a cycle (Terraform refuses cycles).
    const earlierPorts = SERVICE_NAMES.slice(0, SERVICE_NAMES.indexOf(key)).map((k) => `var.${k}_port`);
    services[key] = {
      serviceName: str(
        `${key}_service_name`,
        spec.serviceName,
        `ECS service name of the ${key} service; also its task family, its log group /ecs/<name> and its target group <name>-tg.`,
        matches(`${key}_service_name`, NAME_29, "1-29 letters, digits or hyphens, not starting or ending with a hyphen (the target group name <name>-tg has at most 32 characters)"),
      ),
      cpu: num(
        `${key}_cpu`,
        spec.cpu,
        `Fargate CPU units of one ${key} task (1024 = 1 vCPU). Billed per vCPU-hour.`,
        {
          condition: `contains([256, 512, 1024, 2048, 4096, 8192, 16384], var.${key}_cpu)`,
          message: `${key}_cpu must be one of 256, 512, 1024, 2048, 4096, 8192, 16384 (Fargate CPU units).`,
        },
      ),
      memoryMiB: num(`${key}_memory`, spec.memoryMiB, `Fargate memory of one ${key} task, in MiB. Billed per GB-hour.`, fargateMemory(key)),
      port: num(`${key}_port`, spec.port, `Container port of the ${key} service, and its HTTP listener port on the ALB.`, wholeNumberBetween(`${key}_port`, 1, 65535), ...(earlierPorts.length === 0 ? [] : [{
        condition: `!contains([${earlierPorts.join(", ")}], var.${key}_port)`,
        message: `${key}_port must differ from ${earlierPorts.map((p) => p.slice(4)).join(", ")}: each service has its own listener.`,
      }]), {
        condition: `!contains([80, 443], var.${key}_port)`,
        message: `${key}_port must not be 80 or 443: the ALB keeps those for HTTP and HTTPS.`,
      }),
      healthCheckPath: str(`${key}_health_check_path`, spec.healthCheckPath, `HTTP path the ALB and the container health check probe on the ${key} service.`, matches(`${key}_health_check_path`, "^/[^ ]*$", 'a path starting with "/" and without spaces')),
      desiredCount: num(`${key}_desired_count`, spec.desiredCount, `Number of ${key} tasks the service starts with. Each task is billed.`, wholeNumberBetween(`${key}_desired_count`, 0, 100)),
      minCapacity: num(`${key}_min_capacity`, spec.minCapacity, `Fewest ${key} tasks autoscaling keeps.`, wholeNumberBetween(`${key}_min_capacity`, 0, 100)),
      public: spec.optionalPublic
        ? declareVariable(scope, `${key}_public`, {
            type: "bool",
            default: true,
            description: `Serve ${key} on the public ALB (its own listener port). false keeps it inside the VPC (no listener or target group; reach it through Service Connect, a VPN or SSM port forwarding): ${key} has no login of its own.`,
          }).booleanValue
        : true,
      maxCapacity: num(`${key}_max_capacity`, spec.maxCapacity, `Most ${key} tasks autoscaling may start (each task is billed).`, wholeNumberBetween(`${key}_max_capacity`, 1, 100), {
        condition: `var.${key}_max_capacity >= var.${key}_min_capacity`,
        message: `${key}_max_capacity must be at least ${key}_min_capacity.`,
      }),
    };
  }

  const createEcsServicesVariable = bool(
    "create_ecs_services",
    d.createEcsServices,
    "true: the full platform. false: base infrastructure only (network, storage, cluster, ALB), no task definitions, services, target groups, listeners or autoscaling; used to push images before the first service deploy.",
  );

  return {
    awsRegion: str("aws_region", d.awsRegion, "AWS region of the whole platform.", matches("aws_region", "^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", 'an AWS region code such as "us-west-1"')),
    projectName: str("project_name", d.projectName, "Prefix of resource names and the Project tag.", matches("project_name", "^[a-z][a-z0-9-]{1,18}[a-z0-9]$", "3-20 lower-case letters, digits or hyphens, starting with a letter (it prefixes the ALB name, at most 32 characters)")),
    environment: str("environment", d.environment, "Environment tag of every resource.", oneOf("environment", ["dev", "staging", "prod"])),
    clusterName: str("cluster_name", d.clusterName, "ECS cluster name.", matches("cluster_name", "^[a-zA-Z0-9_-]{1,255}$", "1-255 letters, digits, hyphens or underscores")),
    azCount: num("az_count", d.azCount, "Availability zones to spread over: one private and one public subnet, and one EFS mount target, in each. The ALB needs at least 2.", wholeNumberBetween("az_count", 2, 6)),
    ecrRepositoryName: str("ecr_repository_name", d.ecrRepositoryName, "ECR repository holding the app, mlflow and tensorboard images.", matches("ecr_repository_name", "^[a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*)*$", "2-256 lower-case letters, digits and . _ - / separators, starting and ending with a letter or digit")),
    mlflowArtifactsBucket: str("mlflow_artifacts_bucket", d.mlflowArtifactsBucket, "S3 bucket for MLflow artifacts. Billed per GB stored; noncurrent versions expire after 90 days.", matches("mlflow_artifacts_bucket", "^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", "a valid S3 bucket name: 3-63 lower-case letters, digits, dots or hyphens, starting and ending with a letter or digit")),
    wandbSecretName: str("wandb_secret_name", d.wandbSecretName, "Secrets Manager secret holding the WANDB API key (its value is set by hand; $0.40 a month).", matches("wandb_secret_name", "^[a-zA-Z0-9/_+=.@-]{1,512}$", "1-512 letters, digits or /_+=.@- characters")),
    wandbEntity: str("wandb_entity", d.wandbEntity, "Weights & Biases entity (user or team) the services log to.", matches("wandb_entity", "^[^ ]+$", "a non-empty name without spaces")),
    envMode: str("env_mode", d.envMode, "ENV_MODE of the application containers.", oneOf("env_mode", ["dev", "test", "prod"])),
    createEcsServices: createEcsServicesVariable.booleanValue,
    createEcsServicesVariable,
    scalingCpuTargetPercentage: num("scaling_cpu_target_percentage", d.scalingCpuTargetPercentage, "Average CPU utilization (percent) autoscaling keeps each service at.", wholeNumberBetween("scaling_cpu_target_percentage", 1, 100)),
    scalingCooldownSecondsIn: num("scaling_cooldown_seconds_in", d.scalingCooldownSecondsIn, "Seconds after a scale-in before the next one.", wholeNumberBetween("scaling_cooldown_seconds_in", 0, 3600)),
    scalingCooldownSecondsOut: num("scaling_cooldown_seconds_out", d.scalingCooldownSecondsOut, "Seconds after a scale-out before the next one.", wholeNumberBetween("scaling_cooldown_seconds_out", 0, 3600)),
    efsProvisionedThroughputMibps: num(
      "efs_provisioned_throughput_mibps",
      d.efsProvisionedThroughputMibps,
      "Provisioned throughput of the experiments file system, in MiB/s. COST: about $6-7.20 per MiB/s-month, so 100 (the design's value) is about $600-720 a month and 10 about $60-72. AWS allows a decrease only once every 24 hours.",
      wholeNumberBetween("efs_provisioned_throughput_mibps", 1, 3414),
    ),
    efsBackupEnabled: bool("efs_backup_enabled", d.efsBackupEnabled, "Daily AWS Backup of the experiments file system (EFS automatic backups). COST: warm backup storage, about $0.05 per GB-month.").booleanValue,
    albIngressCidrBlocks: declareVariable(scope, "alb_ingress_cidr_blocks", {
      type: "list(string)",
      default: d.albIngressCidrBlocks,
      description: "CIDR blocks allowed to reach the ALB's listeners. The default is the whole internet, as today; narrow it to your office or VPN.",
      validations: [{
        condition: "length(var.alb_ingress_cidr_blocks) > 0 && alltrue([for c in var.alb_ingress_cidr_blocks : can(cidrhost(c, 0))])",
        message: "alb_ingress_cidr_blocks must be a non-empty list of IPv4 CIDR blocks such as \"203.0.113.0/24\".",
      }],
    }).listValue,
    deregistrationDelaySeconds: num("deregistration_delay_seconds", d.deregistrationDelaySeconds, "Seconds the ALB drains an old task before it stops (AWS default 300). Long-lived requests are cut after this.", wholeNumberBetween("deregistration_delay_seconds", 0, 3600)),
    healthCheckIntervalSeconds: num("health_check_interval_seconds", d.healthCheckIntervalSeconds, "Seconds between ALB health checks of a task.", wholeNumberBetween("health_check_interval_seconds", 5, 300)),
    healthCheckTimeoutSeconds: num("health_check_timeout_seconds", d.healthCheckTimeoutSeconds, "Seconds an ALB health check waits for an answer; less than the interval.", wholeNumberBetween("health_check_timeout_seconds", 2, 120), {
      condition: "var.health_check_timeout_seconds < var.health_check_interval_seconds",
      message: "health_check_timeout_seconds must be less than health_check_interval_seconds.",
    }),
    healthCheckHealthyThreshold: num("health_check_healthy_threshold", d.healthCheckHealthyThreshold, "Consecutive passing ALB health checks that mark a new task healthy.", wholeNumberBetween("health_check_healthy_threshold", 2, 10)),
    healthCheckUnhealthyThreshold: num("health_check_unhealthy_threshold", d.healthCheckUnhealthyThreshold, "Consecutive failing ALB health checks that mark a task unhealthy.", wholeNumberBetween("health_check_unhealthy_threshold", 2, 10)),
    deploymentMinimumHealthyPercent: num("deployment_minimum_healthy_percent", d.deploymentMinimumHealthyPercent, "Lowest share of desired tasks kept running during a deploy; 100 starts the new task before the old one stops.", wholeNumberBetween("deployment_minimum_healthy_percent", 0, 100)),
    deploymentMaximumPercent: num("deployment_maximum_percent", d.deploymentMaximumPercent, "Highest share of desired tasks running during a deploy; 200 lets a one-task service run old and new side by side (billed for the overlap).", wholeNumberBetween("deployment_maximum_percent", 100, 200)),
    deploymentCircuitBreakerRollback: bool("deployment_circuit_breaker_rollback", d.deploymentCircuitBreakerRollback, "Stop a deploy whose tasks keep failing and roll back to the last working task definition.").booleanValue,
    albDeletionProtection: bool("alb_deletion_protection", d.albDeletionProtection, "Protect the ALB from deletion. Off by default: on, it blocks terraform destroy and the destroy workflow until it is turned off again.").booleanValue,
    albAccessLogsBucket: str(
      "alb_access_logs_bucket",
      d.albAccessLogsBucket,
      "Existing S3 bucket (with the ELB log-delivery bucket policy) that receives ALB access logs; empty turns them off. COST: S3 storage of the logs, about $0.023 per GB-month.",
      { condition: `var.alb_access_logs_bucket == "" || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.alb_access_logs_bucket))`, message: "alb_access_logs_bucket must be empty (no access logs) or a valid S3 bucket name." },
    ),
    vpcFlowLogsEnabled: bool("vpc_flow_logs_enabled", d.vpcFlowLogsEnabled, "Send the VPC's flow logs (accepted and rejected traffic) to CloudWatch Logs, kept 30 days. COST: about $0.50 per GB ingested plus storage; a busy VPC logs several GB a day.").booleanValue,
    albCertificateArn: str(
      "alb_certificate_arn",
      d.albCertificateArn,
      "ACM certificate (for your domain, in the platform's region) that turns HTTPS on: the UI on 443, HTTP on 80 and on the UI port redirected to it, and the API, MLflow and TensorBoard ports served over HTTPS. Empty: HTTP only, as today. No extra cost (public ACM certificates are free).",
      { condition: `var.alb_certificate_arn == "" || can(regex("^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/[A-Za-z0-9-]+$", var.alb_certificate_arn))`, message: "alb_certificate_arn must be empty (HTTP only) or an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>)." },
    ),
    albSslPolicy: str("alb_ssl_policy", d.albSslPolicy, "TLS policy of the HTTPS listeners (TLS 1.2 and 1.3 by default).", matches("alb_ssl_policy", "^ELBSecurityPolicy-[A-Za-z0-9-]+$", "an ELB security policy name such as ELBSecurityPolicy-TLS13-1-2-2021-06")),
    services,
  };
}
