/**
 * Every root variable of the platform, in one table: name, type, default,
 * description, validation and, where it changes the bill, its cost. The
 * variable blocks in deploy/terraform, the typed references the stacks use,
 * the README's tables and the defaults all come from here; nothing is
 * written twice. Defaults are the live platform's (legacy-values.json), or
 * the design document's where it differs.
 *
 * Each service of `platform/services.ts` adds its own variables
 * (`<key>_cpu` …) from `serviceInputs`, with the defaults of its entry.
 */
import { ALB_SSL_POLICIES, ecrRepositoryName, INTERFACE_ENDPOINT_SERVICES, s3BucketName } from "../constructs/terraform/aws-rules";
import {
  input,
  matches,
  oneOf,
  wholeNumberBetween,
  type Input,
  type Rule,
  type RuleContext,
  tested,
  type Validation,
} from "../constructs/terraform/input-rules";
import { PLATFORM } from "./config";
import { SERVICE_VARIABLE_SUFFIXES, type ServiceInputName, serviceInputs, serviceVariableName } from "./service-inputs";
import type { ServiceTable } from "./services";

/** An e-mail address, as SNS takes it: something@domain.tld, no spaces (RE2 syntax). */
const EMAIL = "^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$";

/** An ACM certificate ARN, in any partition (RE2 syntax, as Terraform's regex). */
const CERTIFICATE_ARN = "^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/[A-Za-z0-9-]+$";

/** An IPv4 CIDR block's network address, as Terraform's cidrsubnet(c, 0, 0) gives it (undefined when not a block). */
export function networkOf(cidr: string): string | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!m || Number(m[5]) > 32 || m.slice(1, 5).some((o) => Number(o) > 255)) return undefined;
  const ip = m.slice(1, 5).reduce((acc, o) => acc * 256 + Number(o), 0);
  const size = 2 ** (32 - Number(m[5]));
  const net = ip - (ip % size);
  return `${[24, 16, 8, 0].map((shift) => Math.floor(net / 2 ** shift) % 256).join(".")}/${m[5]}`;
}

/** The design's provisioned throughput, MiB/s: the default, and the one value allowed beside another throughput mode. */
const EFS_DEFAULT_MIBPS = 100;

/** The sign-in modes of `sign_in`. */
export const SIGN_IN_MODES = ["none", "cognito", "oidc"] as const;

/** An OIDC endpoint: an https URL while sign_in is "oidc" (anything, unused, otherwise). */
const oidcUrl: Rule = (name) => ({
  condition: `var.sign_in != "oidc" || can(regex("^https://[a-zA-Z0-9.-]+(:[0-9]+)?(/[^ ]*)?$", var.${name}))`,
  message: `${name} must be an https URL such as "https://login.example.com/oauth2/token" while sign_in is "oidc"`,
});

/* ------------------------------------------------------------------ platform */

export const PLATFORM_INPUTS = {
  create_ecs_services: input.bool({
    default: true,
    description:
      "true: the full platform. false: base infrastructure only (network, storage, cluster, ALB), no task definitions, services, target groups, listeners or autoscaling; used to push images before the first service deploy.",
  }),
  aws_region: input.string({
    default: "us-west-1",
    description: "AWS region of the whole platform.",
    validations: [matches("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", 'an AWS region code such as "us-west-1"')],
  }),
  project_name: input.string({
    default: "autovisionai",
    description: "Prefix of resource names and the Project tag.",
    validations: [
      matches(
        "^[a-z][a-z0-9-]{1,18}[a-z0-9]$",
        "3-20 lower-case letters, digits or hyphens, starting with a letter (it prefixes the ALB name, at most 32 characters)",
      ),
    ],
  }),
  environment: input.string({
    default: "prod",
    description:
      "The environment (make … ENV=<name> sets it): the Environment tag of every resource and, outside prod, a suffix of every name " +
      "unique in the account or region (roles, bucket, repository, secret, cluster, ALB …), so that environments live side by side.",
    validations: [
      matches(PLATFORM.environmentName.pattern, `${PLATFORM.environmentName.rule} (it ends names such as <project>-alb-<environment>)`),
      (name) => ({
        condition: `var.${name} == "prod" || length(var.project_name) + length(var.${name}) <= 27`,
        message: `${name} and project_name must be at most 27 characters together outside prod: the ALB is named <project_name>-alb-<environment>, at most 32`,
      }),
      (name) => ({
        condition: `var.${name} == "prod" || length(var.mlflow_artifacts_bucket) + length(var.${name}) <= 62`,
        message: `${name} and mlflow_artifacts_bucket must be at most 62 characters together outside prod: the bucket is named <mlflow_artifacts_bucket>-<environment>, at most 63`,
      }),
    ],
  }),
  cluster_name: input.string({
    default: "autovisionai",
    description: "ECS cluster name.",
    validations: [matches("^[a-zA-Z0-9_-]{1,255}$", "1-255 letters, digits, hyphens or underscores")],
  }),
  az_count: input.number({
    default: 2,
    description:
      "Availability zones to spread over: one private and one public subnet, and one EFS mount target, in each. The ALB needs at least 2.",
    validations: [wholeNumberBetween(2, 6)],
  }),
  ecr_repository_name: input.string({
    default: "autovisionai",
    description: "ECR repository holding the services' images (one tag per image of the services table).",
    validations: [ecrRepositoryName],
  }),
  mlflow_artifacts_bucket: input.string({
    default: "autovision-mlflow-artifacts",
    description: "S3 bucket for MLflow artifacts; noncurrent versions expire after 90 days.",
    cost: "S3 storage per GB-month (about $0.026 in us-west-1), tiered down to STANDARD_IA at 30 days and GLACIER at 60.",
    validations: [s3BucketName()],
  }),
  wandb_secret_name: input.string({
    default: "autovisionai/wandb-api-key",
    description: "Secrets Manager secret holding the WANDB API key (its value is set by hand).",
    cost: "$0.40 a month per secret, plus $0.05 per 10,000 reads (one per task start).",
    validations: [matches("^[a-zA-Z0-9/_+=.@-]{1,512}$", "1-512 letters, digits or /_+=.@- characters")],
  }),
  wandb_entity: input.string({
    default: "arthur-sobol-private",
    description: "Weights & Biases entity (user or team) the services log to.",
    validations: [matches("^[^ ]+$", "a non-empty name without spaces")],
  }),
  env_mode: input.string({
    default: "prod",
    description: "ENV_MODE of the application containers.",
    validations: [oneOf(["dev", "test", "prod"])],
  }),
  scaling_cpu_target_percentage: input.number({
    default: 75,
    description: "Average CPU utilization (percent) autoscaling keeps each service at.",
    validations: [wholeNumberBetween(1, 100)],
  }),
  scaling_cooldown_seconds_in: input.number({
    default: 300,
    description: "Seconds after a scale-in before the next one.",
    validations: [wholeNumberBetween(0, 3600)],
  }),
  scaling_cooldown_seconds_out: input.number({
    default: 60,
    description: "Seconds after a scale-out before the next one.",
    validations: [wholeNumberBetween(0, 3600)],
  }),
  efs_throughput_mode: input.string({
    default: "provisioned",
    description:
      "How the experiments file system buys throughput: provisioned (a fixed rate, efs_provisioned_throughput_mibps; the design's), " +
      "elastic (scales with use, AWS's advice for spiky work such as training bursts) or bursting (a baseline that grows with the data " +
      "stored, plus burst credits). Switching is an in-place update; AWS allows a switch away from provisioned once every 24 hours.",
    cost:
      "provisioned: see efs_provisioned_throughput_mibps, billed whether used or not; elastic: about $0.03 per GB read and $0.06 per GB " +
      "written, nothing while idle; bursting: no throughput charge (about 50 KiB/s per GiB stored, bursts to 100 MiB/s on credits).",
    validations: [oneOf(["provisioned", "elastic", "bursting"])],
  }),
  efs_provisioned_throughput_mibps: input.number({
    default: EFS_DEFAULT_MIBPS,
    description:
      "Provisioned throughput of the experiments file system, in MiB/s, when efs_throughput_mode is provisioned. AWS allows a decrease only once every 24 hours.",
    cost: "about $6-7.20 per MiB/s-month, billed whether used or not: 100 (the design's value) is about $600-720 a month, the live platform's 10 about $60-72.",
    validations: [
      wholeNumberBetween(1, 3414),
      // Any other value with another mode would be accepted and silently ignored (AWS bills no provisioned throughput then).
      tested(
        (name) => ({
          condition: `var.efs_throughput_mode == "provisioned" || var.${name} == ${EFS_DEFAULT_MIBPS}`,
          message: `${name} applies only when efs_throughput_mode is "provisioned" (it is "\${var.efs_throughput_mode}"): remove ${name}, or set efs_throughput_mode = "provisioned"`,
        }),
        (name, values) => values.efs_throughput_mode === "provisioned" || values[name] === EFS_DEFAULT_MIBPS,
      ),
    ],
  }),
  efs_backup_enabled: input.bool({
    default: true,
    description: "Daily AWS Backup of the experiments file system (EFS automatic backups).",
    cost: "warm backup storage, about $0.05 per GB-month of backed-up data.",
  }),
  alb_ingress_cidr_blocks: input.list({
    default: ["0.0.0.0/0"],
    description:
      "CIDR blocks allowed to reach the ALB's listeners. The default is the whole internet, as today; narrow it to your office or VPN.",
    validations: [
      (name) => ({
        condition: `length(var.${name}) > 0 && alltrue([for c in var.${name} : can(cidrhost(c, 0))])`,
        message: `${name} must be a non-empty list of IPv4 CIDR blocks such as "203.0.113.0/24".`,
      }),
      tested(
        (name) => ({
          // The provider refuses a block with host bits set, deep in the security group rules: say so here, with the fix.
          condition: `alltrue([for c in var.${name} : try(cidrsubnet(c, 0, 0) == c, true)])`,
          message: `${name} must give each block by its network address, with no host bits set: write \${jsonencode([for c in var.${name} : try(cidrsubnet(c, 0, 0), c)])}`,
        }),
        (name, values) => ((values[name] ?? []) as string[]).every((c) => (networkOf(c) ?? c) === c),
        (name, values) =>
          `${name} must give each block by its network address, with no host bits set: write ${JSON.stringify(((values[name] ?? []) as string[]).map((c) => networkOf(c) ?? c))}`,
      ),
    ],
  }),
  deregistration_delay_seconds: input.number({
    default: 30,
    description: "Seconds the ALB drains an old task before it stops (AWS default 300). Long-lived requests are cut after this.",
    validations: [wholeNumberBetween(0, 3600)],
  }),
  health_check_interval_seconds: input.number({
    default: 10,
    description: "Seconds between ALB health checks of a task.",
    validations: [wholeNumberBetween(5, 300)],
  }),
  health_check_timeout_seconds: input.number({
    default: 5,
    description: "Seconds an ALB health check waits for an answer; less than the interval.",
    validations: [
      wholeNumberBetween(2, 120),
      (name) => ({
        condition: `var.${name} < var.health_check_interval_seconds`,
        message: `${name} must be less than health_check_interval_seconds.`,
      }),
    ],
  }),
  health_check_healthy_threshold: input.number({
    default: 2,
    description: "Consecutive passing ALB health checks that mark a new task healthy.",
    validations: [wholeNumberBetween(2, 10)],
  }),
  health_check_unhealthy_threshold: input.number({
    default: 2,
    description: "Consecutive failing ALB health checks that mark a task unhealthy.",
    validations: [wholeNumberBetween(2, 10)],
  }),
  deployment_minimum_healthy_percent: input.number({
    default: 100,
    description: "Lowest share of desired tasks kept running during a deploy; 100 starts the new task before the old one stops.",
    validations: [wholeNumberBetween(0, 100)],
  }),
  deployment_maximum_percent: input.number({
    default: 200,
    description: "Highest share of desired tasks running during a deploy; 200 lets a one-task service run old and new side by side.",
    cost: "old and new tasks are both billed for the minutes of a deploy.",
    validations: [wholeNumberBetween(100, 200), roomToDeploy],
  }),
  mlflow_backend: input.string({
    default: "file",
    description:
      "Where MLflow keeps its tracking store (experiments, runs, parameters, metrics, tags): file (its file store on the experiments file system, as today) " +
      "or postgres (a PostgreSQL database on RDS, encrypted, private, backed up, its password managed by RDS in Secrets Manager). MLflow deprecated " +
      "its file store, and from 3.13 refuses to start on one: switch before upgrading MLflow, then move the history with npm run ops -- mlflow migrate " +
      "(docs/ARCHITECTURE.md). The MLflow image needs a PostgreSQL driver (psycopg2). Switching changes MLflow's task definition (a new revision).",
    cost: "postgres: about $12 a month for db.t4g.micro (mlflow_db_instance_class) plus about $2.30 for its 20 GB of gp3 storage; backups up to the storage's size are free.",
    validations: [oneOf(["file", "postgres"])],
  }),
  mlflow_database_retained: input.bool({
    default: false,
    description:
      "Keep MLflow's PostgreSQL database while mlflow_backend is file: after a rollback to the file store, the runs logged in the database stay there " +
      "(the database is protected: a plan that would delete it is refused).",
    cost: "the database's price, as with mlflow_backend = postgres.",
  }),
  mlflow_db_instance_class: input.string({
    default: "db.t4g.micro",
    description:
      "RDS instance class of MLflow's PostgreSQL database (with mlflow_backend = postgres). db.t4g.micro: 2 vCPU (burstable), 1 GiB.",
    cost: "db.t4g.micro about $0.016 an hour (about $12 a month); each size up doubles it.",
    validations: [matches("^db\\.[a-z0-9]+\\.[a-z0-9]+$", 'an RDS instance class such as "db.t4g.micro"')],
  }),
  mlflow_db_backup_retention_days: input.number({
    default: 7,
    description: "Days of automated backups (point-in-time recovery) of MLflow's PostgreSQL database.",
    cost: "backup storage up to the database's allocated size is free; beyond, about $0.095 per GB-month.",
    validations: [wholeNumberBetween(1, 35)],
  }),
  alb_stickiness_duration_seconds: input.number({
    default: 86400,
    description:
      "Seconds a browser stays on the same task (the ALB's lb_cookie stickiness) on the target groups that have stickiness: the UI's whenever ui_max_capacity > 1 (Streamlit keeps each session in one server process over a websocket, so a browser sent to another task loses its session), and those of alb_sticky_services. One day by default.",
    validations: [wholeNumberBetween(1, 604800)],
  }),
  alb_sticky_services: input.list({
    default: [],
    description:
      "Other services whose target groups also get lb_cookie stickiness (alb_stickiness_duration_seconds), for servers that keep sessions in memory. Empty: only the UI, and only while it can run more than one task. No extra cost.",
    validations: [
      (name, { groups }) => ({
        condition: `alltrue([for s in var.${name} : contains(${JSON.stringify(groups[ALL_SERVICES] ?? [])}, s)])`,
        message: `${name} must list services of the platform: ${(groups[ALL_SERVICES] ?? []).join(", ")}`,
      }),
    ],
  }),
  deployment_circuit_breaker_rollback: input.bool({
    default: true,
    description: "Stop a deploy whose tasks keep failing and roll back to the last working task definition.",
  }),
  alb_deletion_protection: input.bool({
    default: false,
    description:
      "Protect the ALB from deletion. Off by default: on, it blocks terraform destroy and the destroy workflow until it is turned off again.",
  }),
  alb_access_logs_bucket: input.string({
    default: "",
    description: "Existing S3 bucket (with the ELB log-delivery bucket policy) that receives ALB access logs; empty turns them off.",
    cost: "S3 storage of the logs, about $0.023-0.026 per GB-month.",
    validations: [s3BucketName({ emptyAllowed: "no access logs" })],
  }),
  vpc_flow_logs_enabled: input.bool({
    default: false,
    description: "Send the VPC's flow logs (accepted and rejected traffic) to CloudWatch Logs, kept 30 days.",
    cost: "about $0.50 per GB ingested plus storage; a busy VPC logs several GB a day.",
  }),
  alb_certificate_arn: input.string({
    default: "",
    description:
      "ACM certificate (for your domain, in the platform's region) that turns HTTPS on: the HTTPS entry service (the services table's httpsEntry) on 443, HTTP on 80 and on its own port redirected to it, and every other service's port served over HTTPS. Empty: HTTP only, as today. No extra cost (public ACM certificates are free).",
    validations: [
      (name) => ({
        condition: `var.${name} == "" || can(regex("${CERTIFICATE_ARN}", var.${name}))`,
        message: `${name} must be empty (HTTP only) or an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>).`,
      }),
      (name) => ({
        // An ALB uses certificates from its own region only. (Checked only once the ARN is well formed.)
        // Terraform's || evaluates both sides: try() keeps the right one safe for "" and malformed values.
        condition: `!can(regex("${CERTIFICATE_ARN}", var.${name})) || try(split(":", var.${name})[3], var.aws_region) == var.aws_region`,
        message: `${name} must be a certificate in aws_region (\${var.aws_region}): an ALB uses certificates from its own region; request or import it there in ACM`,
      }),
    ],
  }),
  alb_ssl_policy: input.string({
    default: "ELBSecurityPolicy-TLS13-1-2-2021-06",
    description: "TLS policy of the HTTPS listeners (TLS 1.2 and 1.3 by default).",
    validations: [
      (name) => ({
        condition: `contains(${JSON.stringify(ALB_SSL_POLICIES)}, var.${name})`,
        message: `${name} must be one of the ALB's predefined TLS policies: ${ALB_SSL_POLICIES.join(", ")}`,
      }),
    ],
  }),
  s3_gateway_endpoint_enabled: input.bool({
    default: true,
    description:
      "An S3 gateway endpoint on the private route table: the tasks' S3 traffic (MLflow's artifacts, ECR image layers) goes to S3 directly instead of through the NAT gateway.",
    cost: "free (gateway endpoints have no charge); it saves the NAT gateway's data processing, about $0.045-0.048 per GB.",
  }),
  vpc_interface_endpoints: input.list({
    default: [],
    description:
      "AWS services the private subnets reach through interface endpoints (private DNS) instead of the NAT gateway: any of ecr.api, ecr.dkr, logs, secretsmanager, ssmmessages.",
    cost: "each endpoint about $0.011 per AZ-hour (about $16 a month across two zones) plus $0.01 per GB; worth it only when that traffic costs more through the NAT gateway.",
    validations: [
      (name) => ({
        condition: `alltrue([for s in var.${name} : contains(${JSON.stringify([...INTERFACE_ENDPOINT_SERVICES])}, s)]) && length(distinct(var.${name})) == length(var.${name})`,
        message: `${name} must list each service once, from ${INTERFACE_ENDPOINT_SERVICES.join(", ")}`,
      }),
    ],
  }),
  ecs_exec_enabled: input.bool({
    default: false,
    description:
      "ECS Exec: open a shell in a running task (make shell SERVICE=<key>) to check a mount or the network from inside. On, the task roles get the SSM channel permissions and every session is logged to /ecs/<project>-exec.",
    cost: "no charge for the sessions; their logs are billed as CloudWatch Logs (about $0.50 per GB ingested).",
  }),
  // Observability (docs/ALARMS.md): who hears of an alarm, and the thresholds a team tunes.
  alarm_emails: input.list({
    default: [],
    description:
      "E-mail addresses that receive the platform's alerts: every alarm going to ALARM and back to OK, and ECS tasks that fail to start (EFS mount, secret, image pull). Each address must confirm the subscription from the e-mail AWS sends. Empty: alerts reach only the alerts topic (output alerts_topic_arn).",
    cost: "SNS e-mail: the first 1,000 e-mails a month are free, then $2 per 100,000; each address gets one e-mail per alarm state change.",
    validations: [
      (name) => ({
        condition: `alltrue([for e in var.${name} : can(regex(${JSON.stringify(EMAIL)}, e))])`,
        message: `${name} must be a list of e-mail addresses such as "ml-team@example.com"`,
      }),
      (name) => ({
        condition: `length(distinct(var.${name})) == length(var.${name})`,
        message: `${name} must not name an address twice`,
      }),
    ],
  }),
  alarm_cpu_percent: input.number({
    default: 90,
    description: "CPU utilization (percent of the task's CPU) above which a service's cpu-high alarm fires, after 5 minutes.",
    validations: [wholeNumberBetween(1, 100)],
  }),
  alarm_memory_percent: input.number({
    default: 90,
    description: "Memory utilization (percent of the task's memory) above which a service's memory-high alarm fires, after 5 minutes.",
    validations: [wholeNumberBetween(1, 100)],
  }),
  alarm_target_5xx_count: input.number({
    default: 5,
    description: "HTTP 5xx answers from one service's tasks in 5 minutes above which its target-5xx alarm fires.",
    validations: [wholeNumberBetween(0, 1000000)],
  }),
  alarm_alb_5xx_count: input.number({
    default: 5,
    description: "HTTP 5xx answers of the ALB itself (no healthy task, timeouts) in 5 minutes above which the elb-5xx alarm fires.",
    validations: [wholeNumberBetween(0, 1000000)],
  }),
  alarm_efs_io_limit_percent: input.number({
    default: 95,
    description: "Percent of the experiments file system's I/O limit at or above which the io-limit alarm fires, after 15 minutes.",
    validations: [wholeNumberBetween(1, 100)],
  }),
  alarm_efs_throughput_percent: input.number({
    default: 80,
    description:
      "Percent of the experiments file system's permitted throughput (MeteredIOBytes against PermittedThroughput) at or above which the throughput-high alarm fires, after 15 minutes.",
    validations: [wholeNumberBetween(1, 100)],
  }),
  alarm_efs_burst_credit_minutes: input.number({
    default: 60,
    description:
      "Minutes of bursting at 100 MiB/s the experiments file system must keep in burst credits; fewer fires the burst-credits-low alarm (bursting mode only).",
    validations: [wholeNumberBetween(1, 1440)],
  }),
  deployment_alarms_rollback: input.bool({
    default: true,
    description:
      "Watch each service's deployment alarms (no running task, unhealthy or no healthy targets, target 5xx) during a deploy, and roll the deploy back when one fires.",
  }),
  // Sign-in in front of the team's tools and the web firewall (docs/SIGN-IN.md).
  sign_in: input.string({
    default: "none",
    description:
      "Sign-in in front of the tools a browser opens (the services marked signIn in the services table): none (anyone who reaches the ALB, as today), " +
      "cognito (a user pool the platform creates; users added with npm run ops -- users add) or oidc (the team's identity provider, oidc_* inputs). " +
      "The ALB authenticates every request first and forwards only signed-in users; the API's port keeps its exposure. Needs HTTPS (alb_certificate_arn).",
    cost: "cognito: no charge for the first 10,000 monthly active users (Cognito's free tier), then about $0.015 per user; oidc: no AWS charge.",
    validations: [
      oneOf(SIGN_IN_MODES),
      (name) => ({
        condition: `var.${name} == "none" || var.alb_certificate_arn != ""`,
        message: `${name} = "cognito" or "oidc" needs HTTPS: set alb_certificate_arn (an ACM certificate in aws_region; the ALB authenticates on HTTPS listeners only), or keep ${name} = "none"`,
      }),
    ],
  }),
  sign_in_domain: input.string({
    default: "",
    description:
      "The host name the team opens the tools on (a DNS name pointing at the ALB, covered by alb_certificate_arn): sign-in returns there (https://<host>/oauth2/idpresponse). Empty: the ALB's DNS name.",
    validations: [
      matches(
        "^$|^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$",
        'empty (the ALB\'s DNS name) or a lower-case DNS name such as "ml.example.com"',
      ),
    ],
  }),
  cognito_mfa: input.string({
    default: "ON",
    description:
      "Multi-factor sign-in of the Cognito user pool (sign_in = cognito): ON (every user registers an authenticator app at first sign-in), OPTIONAL (users who registered one are asked for it) or OFF.",
    validations: [oneOf(["ON", "OPTIONAL", "OFF"])],
  }),
  cognito_self_sign_up: input.bool({
    default: false,
    description:
      "Let anyone who reaches the sign-in page create an account in the Cognito user pool. false: only administrators add users (npm run ops -- users add).",
  }),
  cognito_deletion_protection: input.bool({
    default: true,
    description:
      "Cognito refuses to delete the user pool (it holds the users) while this is on. Turn it off, and apply, before removing the pool on purpose (sign_in away from cognito with ALLOW_DATA_LOSS, or make destroy).",
  }),
  oidc_issuer: input.string({
    default: "",
    description: "sign_in = oidc: the identity provider's issuer (https URL, as in its /.well-known/openid-configuration).",
    validations: [oidcUrl],
  }),
  oidc_authorization_endpoint: input.string({
    default: "",
    description: "sign_in = oidc: the identity provider's authorization endpoint (https URL).",
    validations: [oidcUrl],
  }),
  oidc_token_endpoint: input.string({
    default: "",
    description: "sign_in = oidc: the identity provider's token endpoint (https URL).",
    validations: [oidcUrl],
  }),
  oidc_user_info_endpoint: input.string({
    default: "",
    description: "sign_in = oidc: the identity provider's user info endpoint (https URL).",
    validations: [oidcUrl],
  }),
  oidc_client_id: input.string({
    default: "",
    description: "sign_in = oidc: the client id of the ALB's application at the identity provider.",
    validations: [
      (name) => ({
        condition: `var.sign_in != "oidc" || can(regex("^[^ ]{1,256}$", var.${name}))`,
        message: `${name} must be the client id of the ALB's application at the identity provider (no spaces) while sign_in is "oidc"`,
      }),
    ],
  }),
  oidc_client_secret_name: input.string({
    default: "",
    description:
      "sign_in = oidc: name or ARN of the Secrets Manager secret holding the client secret (its current value is read at plan time; Terraform keeps it in the state, docs/SIGN-IN.md).",
    validations: [
      (name) => ({
        condition: `var.sign_in != "oidc" || can(regex("^[a-zA-Z0-9/_+=.@:-]{1,2048}$", var.${name}))`,
        message: `${name} must name the Secrets Manager secret (name or ARN) holding the client secret while sign_in is "oidc"`,
      }),
    ],
  }),
  waf_enabled: input.bool({
    default: false,
    description:
      "An AWS WAF web ACL on the ALB: AWS managed rule groups (common rule set, known bad inputs, Amazon IP reputation list), a per-IP rate limit (waf_rate_limit) and its requests logged to CloudWatch Logs (aws-waf-logs-<project>, kept 30 days).",
    cost: "$5 a month per web ACL + $1 a month per rule or rule group (4 here) + $0.60 per million requests, plus the logs' ingestion (about $0.50 per GB).",
  }),
  waf_rate_limit: input.number({
    default: 2000,
    description:
      "waf_enabled: requests one IP address may send in any 5 minutes before the web ACL blocks it (until its rate falls again).",
    validations: [wholeNumberBetween(10, 2000000000)],
  }),
} as const;

/**
 * A rolling deploy must be able to start a new task: ECS runs at most
 * floor(n x maximum %) tasks and keeps at least ceil(n x minimum healthy %)
 * running, so for every task count n a service can have (its desired count
 * and every count between its min and max capacity) the first must exceed
 * the second, or the deploy waits for ever.
 */
function roomToDeploy(name: string, { groups }: RuleContext): Validation {
  const keys = groups[ROLLING_SERVICES] ?? [];
  const counts = keys.map((k) => `[var.${k}_desired_count], range(var.${k}_min_capacity, var.${k}_max_capacity + 1)`).join(", ");
  const stuck = `[for n in distinct(concat(${counts})) : n if n > 0 && floor(n * var.${name} / 100) <= ceil(n * var.deployment_minimum_healthy_percent / 100)]`;
  const n = `try(${stuck}[0], 0)`;
  return {
    condition: `length(${stuck}) == 0`,
    message:
      `${name} must leave room to start a new task during a deploy: a service of \${${n}} task(s) may then run at most ` +
      `\${floor(${n} * var.${name} / 100)} task(s) but must keep \${ceil(${n} * var.deployment_minimum_healthy_percent / 100)} ` +
      `running (deployment_minimum_healthy_percent \${var.deployment_minimum_healthy_percent}), so its new task never starts; ` +
      `raise ${name} (200 always leaves room) or lower deployment_minimum_healthy_percent`,
  };
}

/* ------------------------------------------------------------------ services */

/** The group of services that deploy by the deployment percents (those with a store stop, then start: see ServiceStore). */
export const ROLLING_SERVICES = "rollingServices";
/** The group of every service's key. */
export const ALL_SERVICES = "services";

/** The rule groups the services table defines (RuleContext.groups). */
export function inputGroups(services: ServiceTable): Record<string, string[]> {
  return { [ROLLING_SERVICES]: Object.keys(services).filter((key) => !services[key].store), [ALL_SERVICES]: Object.keys(services) };
}

/** Every root variable: each service's (in table order), then the platform's. */
export function inputTable(services: ServiceTable): Record<string, Input> {
  const keys = Object.keys(services);
  const table: Record<string, Input> = {};
  keys.forEach((key, i) => {
    const inputs = serviceInputs(key, services[key], keys.slice(0, i));
    for (const name of Object.keys(SERVICE_VARIABLE_SUFFIXES) as ServiceInputName[]) {
      const spec = inputs[name];
      if (spec) table[serviceVariableName(key, name)] = spec;
    }
  });
  return { ...table, ...PLATFORM_INPUTS };
}
