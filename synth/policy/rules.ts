/**
 * AutoVisionAI's policy rules over the synthesized root, in the spirit of
 * cdk-nag's AwsSolutions pack, checkov's Terraform AWS checks and AWS
 * Security Hub FSBP (see docs/POLICY.md for the mapping). "Must" rules are
 * cheap and have no downside; "tradeoff" rules pass when the setting is a
 * Terraform variable (the choice is the user's, documented with its cost),
 * and fail when it is silently hard-coded off.
 */
import type { Finding, PolicyRule, TerraformJson } from "./checker";
import { readJsonencode, readJsonencodeBranches } from "./hcl-object";

type Body = Record<string, unknown>;

function resources(root: TerraformJson, type: string): [string, Body][] {
  return Object.entries(root.resource?.[type] ?? {});
}

function finding(ruleId: string, type: string, name: string, message: string): Finding {
  return { ruleId, address: `${type}.${name}`, message };
}

/** The value of `${var.x}` (its default), or the value itself. */
function resolve(root: TerraformJson, value: unknown): unknown {
  if (typeof value === "string") {
    const m = /^\$\{var\.(\w+)\}$/.exec(value);
    if (m) return root.variable?.[m[1]]?.default;
  }
  return value;
}

/** True when a value is decided by a Terraform variable (the user's choice), not a literal. */
function isVariable(value: unknown): boolean {
  return typeof value === "string" && /^\$\{.*\bvar\.\w+.*\}$/.test(value);
}

const asList = (v: unknown): unknown[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);
const first = (v: unknown): Body => (asList(v)[0] ?? {}) as Body;

interface Statement {
  Effect?: string;
  Principal?: unknown;
  Action?: unknown;
  Resource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}
function statements(policy: unknown): Statement[] {
  const doc = readJsonencode(policy) as { Statement?: unknown } | undefined;
  return asList(doc?.Statement) as Statement[];
}

function deniesWithoutTls(policy: unknown): boolean {
  return statements(policy).some((s) => s.Effect === "Deny" && String(s.Condition?.Bool?.["aws:SecureTransport"]) === "false");
}

interface Container {
  name?: string;
  environment?: { name: string }[] | string;
  secrets?: unknown[];
  logConfiguration?: { logDriver?: string; options?: Record<string, unknown> };
  privileged?: boolean;
}
/**
 * The names of a container's plain environment variables: a list, or the source text of an expression that
 * builds one (`concat([…], cond ? […] : [])`), whose `name = "…"` entries are read from the text.
 */
function environmentNames(environment: Container["environment"] | string | undefined): string[] {
  if (typeof environment === "string") return [...environment.matchAll(/\bname\s*=\s*"([^"]+)"/g)].map((m) => m[1]);
  return (environment ?? []).map((e) => e.name);
}

function containers(taskDefinition: Body): Container[] {
  // Both setups of a task definition written as `cond ? jsonencode(A) : jsonencode(B)`.
  return readJsonencodeBranches(taskDefinition.container_definitions).flatMap((v) => asList(v)) as Container[];
}

/** Which resource of `type` points at `${target}` through `attribute`. */
function pointing(root: TerraformJson, type: string, attribute: string, target: string): Body | undefined {
  return resources(root, type).find(([, b]) => b[attribute] === target)?.[1];
}

/**
 * Findings for each resource of `type` that no `companion` resource points at
 * (its `attribute` = `${type.name.<targetAttribute>}`), or whose companion
 * fails `accept`.
 */
function withoutCompanion(
  root: TerraformJson,
  ruleId: string,
  type: string,
  companion: { type: string; attribute: string; targetAttribute?: string; accept?: (body: Body) => boolean },
  message: string,
): Finding[] {
  return resources(root, type)
    .filter(([name]) => {
      const found = pointing(root, companion.type, companion.attribute, `\${${type}.${name}.${companion.targetAttribute ?? "id"}}`);
      return !found || (companion.accept !== undefined && !companion.accept(found));
    })
    .map(([name]) => finding(ruleId, type, name, message));
}

/** Actions that AWS defines only on "*" (no resource-level permissions; the Service Authorization Reference). */
const STAR_ONLY_ACTIONS = new Set([
  "ecr:GetAuthorizationToken",
  "logs:CreateLogGroup",
  "logs:DescribeLogGroups",
  "sts:GetCallerIdentity",
  // ECS Exec's channels (AWS's ECS Exec guide: the task role needs them on "*").
  "ssmmessages:CreateControlChannel",
  "ssmmessages:CreateDataChannel",
  "ssmmessages:OpenControlChannel",
  "ssmmessages:OpenDataChannel",
]);

const AUTHENTICATE = new Set(["authenticate-cognito", "authenticate-oidc"]);

/** The listener rules attached to listener `name` (their listener_arn names `aws_lb_listener.<name>[…]` or `.<name>.`). */
function rulesOf(root: TerraformJson, name: string): Body[] {
  return resources(root, "aws_lb_listener_rule")
    .filter(([, r]) => new RegExp(`aws_lb_listener\\.${name}[[.]`).test(String(r.listener_arn)))
    .map(([, r]) => r);
}
const actionsOf = (body: Body, key: "action" | "default_action") => asList(body[key]) as Body[];
const forwardTarget = (body: Body, key: "action" | "default_action") =>
  actionsOf(body, key).find((a) => a.type === "forward")?.target_group_arn as string | undefined;
/** A rule that signs the user in before it forwards. */
const signsIn = (r: Body) => actionsOf(r, "action").some((a) => AUTHENTICATE.has(String(a.type)));

/** Listeners whose default action forwards to a target group: the services' own doors. */
function forwardingListeners(root: TerraformJson): [string, Body][] {
  return resources(root, "aws_lb_listener").filter(([, b]) => forwardTarget(b, "default_action") !== undefined);
}

/**
 * The tools people open in a browser: the target groups some sign-in rule forwards to. Every listener that
 * forwards to one of them (a tool's own port, and the 443 of the entry) is a tool's door.
 */
function toolTargets(root: TerraformJson): Set<string> {
  return new Set(
    resources(root, "aws_lb_listener_rule")
      .filter(([, r]) => signsIn(r))
      .map(([, r]) => forwardTarget(r, "action"))
      .filter((t): t is string => t !== undefined),
  );
}

export const RULES: readonly PolicyRule[] = [
  {
    id: "S3-NO-PUBLIC",
    rationale: "All four public-access blocks on every bucket, and no bucket policy that allows everyone.",
    check: (root) =>
      resources(root, "aws_s3_bucket").flatMap(([name]) => {
        const pab = pointing(root, "aws_s3_bucket_public_access_block", "bucket", `\${aws_s3_bucket.${name}.id}`);
        const flags = ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"];
        const out: Finding[] = [];
        if (!pab || flags.some((f) => pab[f] !== true)) {
          out.push(finding("S3-NO-PUBLIC", "aws_s3_bucket", name, "needs a public access block with all four flags true"));
        }
        const policy = pointing(root, "aws_s3_bucket_policy", "bucket", `\${aws_s3_bucket.${name}.id}`);
        if (
          policy &&
          statements(policy.policy).some(
            (s) => s.Effect === "Allow" && (s.Principal === "*" || JSON.stringify(s.Principal) === '{"AWS":"*"}'),
          )
        ) {
          out.push(finding("S3-NO-PUBLIC", "aws_s3_bucket", name, "bucket policy allows Principal *"));
        }
        return out;
      }),
  },
  {
    id: "S3-ENCRYPTION",
    rationale: "Every bucket encrypts at rest by default configuration.",
    check: (root) =>
      withoutCompanion(
        root,
        "S3-ENCRYPTION",
        "aws_s3_bucket",
        { type: "aws_s3_bucket_server_side_encryption_configuration", attribute: "bucket" },
        "has no server-side encryption configuration",
      ),
  },
  {
    id: "S3-TLS-ONLY",
    rationale: "A bucket policy denies requests made without TLS (aws:SecureTransport false).",
    check: (root) =>
      withoutCompanion(
        root,
        "S3-TLS-ONLY",
        "aws_s3_bucket",
        { type: "aws_s3_bucket_policy", attribute: "bucket", accept: (p) => deniesWithoutTls(p.policy) },
        "no bucket policy denies aws:SecureTransport false",
      ),
  },
  {
    id: "S3-VERSION-LIFECYCLE",
    rationale: "Versioning on, old versions expire and unfinished uploads are aborted, so data is recoverable without growing for ever.",
    check: (root) =>
      resources(root, "aws_s3_bucket").flatMap(([name]) => {
        const target = `\${aws_s3_bucket.${name}.id}`;
        const versioning = pointing(root, "aws_s3_bucket_versioning", "bucket", target);
        const lifecycle = pointing(root, "aws_s3_bucket_lifecycle_configuration", "bucket", target);
        const rules = asList(lifecycle?.rule) as Body[];
        const ok =
          first(versioning?.versioning_configuration).status === "Enabled" &&
          rules.some((r) => asList(r.noncurrent_version_expiration).length > 0) &&
          rules.some((r) => asList(r.abort_incomplete_multipart_upload).length > 0);
        return ok
          ? []
          : [
              finding(
                "S3-VERSION-LIFECYCLE",
                "aws_s3_bucket",
                name,
                "needs versioning, noncurrent expiry and abort-incomplete-upload rules",
              ),
            ];
      }),
  },
  {
    id: "EFS-ENCRYPT",
    rationale: "File systems are encrypted at rest, and every task volume on EFS uses transit encryption.",
    check: (root) => [
      ...resources(root, "aws_efs_file_system")
        .filter(([, b]) => b.encrypted !== true)
        .map(([name]) => finding("EFS-ENCRYPT", "aws_efs_file_system", name, "encrypted is not true")),
      ...resources(root, "aws_ecs_task_definition").flatMap(([name, b]) =>
        (asList(b.volume) as Body[])
          .filter((v) => v.efs_volume_configuration && first(v.efs_volume_configuration).transit_encryption !== "ENABLED")
          .map(() => finding("EFS-ENCRYPT", "aws_ecs_task_definition", name, "EFS volume without transit encryption")),
      ),
    ],
  },
  {
    id: "EFS-TLS-ONLY",
    rationale: "A file system policy denies any access without TLS.",
    check: (root) =>
      withoutCompanion(
        root,
        "EFS-TLS-ONLY",
        "aws_efs_file_system",
        { type: "aws_efs_file_system_policy", attribute: "file_system_id", accept: (p) => deniesWithoutTls(p.policy) },
        "no file system policy denies aws:SecureTransport false",
      ),
  },
  {
    id: "EFS-AP-SCOPED",
    rationale: "Access points pin a non-root directory and a POSIX identity.",
    check: (root) =>
      resources(root, "aws_efs_access_point")
        .filter(([, b]) => !b.posix_user || !first(b.root_directory).path || first(b.root_directory).path === "/")
        .map(([name]) => finding("EFS-AP-SCOPED", "aws_efs_access_point", name, "needs a posix_user and a root directory other than /")),
  },
  {
    id: "EFS-BACKUP",
    rationale: "Every file system has a backup policy (on by default, a variable because backups cost storage).",
    check: (root) =>
      withoutCompanion(
        root,
        "EFS-BACKUP",
        "aws_efs_file_system",
        { type: "aws_efs_backup_policy", attribute: "file_system_id" },
        "has no backup policy",
      ),
  },
  {
    id: "SG-RESTRICTED",
    rationale: "No security group is open to the world except the ALB's on its listener ports; every rule says what it is for.",
    check: (root) =>
      resources(root, "aws_security_group").flatMap(([name, b]) => {
        const out: Finding[] = [];
        for (const direction of ["ingress", "egress"] as const) {
          for (const r of asList(b[direction]) as Body[]) {
            if (!r.description)
              out.push(
                finding("SG-RESTRICTED", "aws_security_group", name, `${direction} rule ${r.from_port}-${r.to_port} has no description`),
              );
          }
        }
        for (const r of asList(b.ingress) as Body[]) {
          const cidrs = asList(resolve(root, r.cidr_blocks));
          if (cidrs.includes("0.0.0.0/0") || asList(r.ipv6_cidr_blocks).includes("::/0")) {
            out.push(finding("SG-RESTRICTED", "aws_security_group", name, `ingress ${r.from_port}-${r.to_port} is open to the internet`));
          }
        }
        return out;
      }),
  },
  {
    id: "IAM-LEAST-PRIV",
    rationale:
      'No wildcard actions; resources scoped except for actions AWS defines only on "*"; policies as aws_iam_role_policy, not inline_policy blocks.',
    check: (root) => [
      ...["aws_iam_role_policy", "aws_iam_policy"].flatMap((type) =>
        resources(root, type).flatMap(([name, b]) =>
          statements(b.policy)
            .filter((s) => s.Effect === "Allow")
            .flatMap((s) => {
              const actions = asList(s.Action).map(String);
              const out: Finding[] = [];
              if (actions.some((a) => a === "*" || a.endsWith(":*")))
                out.push(finding("IAM-LEAST-PRIV", type, name, `wildcard action ${actions.join(", ")}`));
              if (asList(s.Resource).includes("*") && actions.some((a) => !STAR_ONLY_ACTIONS.has(a))) {
                out.push(
                  finding("IAM-LEAST-PRIV", type, name, `${actions.filter((a) => !STAR_ONLY_ACTIONS.has(a)).join(", ")} on Resource *`),
                );
              }
              return out;
            }),
        ),
      ),
      ...resources(root, "aws_iam_role")
        .filter(([, b]) => b.inline_policy !== undefined)
        .map(([name]) => finding("IAM-LEAST-PRIV", "aws_iam_role", name, "uses an inline_policy block")),
    ],
  },
  {
    id: "ECS-SECRETS",
    rationale: "Credentials reach containers only through `secrets` (Secrets Manager), never plain `environment`.",
    check: (root) =>
      resources(root, "aws_ecs_task_definition").flatMap(([name, b]) =>
        containers(b).flatMap((c) =>
          environmentNames(c.environment)
            .filter((e) => /(KEY|SECRET|TOKEN|PASSWORD|CREDENTIAL)/i.test(e))
            .map((e) => finding("ECS-SECRETS", "aws_ecs_task_definition", name, `${c.name}: ${e} is a plain environment variable`)),
        ),
      ),
  },
  {
    id: "ECS-LOGGING",
    rationale: "Every container logs with awslogs to a managed log group.",
    check: (root) =>
      resources(root, "aws_ecs_task_definition").flatMap(([name, b]) =>
        containers(b)
          .filter((c) => c.logConfiguration?.logDriver !== "awslogs" || !c.logConfiguration.options?.["awslogs-group"])
          .map((c) => finding("ECS-LOGGING", "aws_ecs_task_definition", name, `${c.name}: no awslogs log group`)),
      ),
  },
  {
    id: "LOG-RETENTION",
    rationale: "Every log group has an explicit retention, so logs neither vanish nor grow for ever.",
    check: (root) =>
      resources(root, "aws_cloudwatch_log_group")
        .filter(([, b]) => !b.retention_in_days)
        .map(([name]) => finding("LOG-RETENTION", "aws_cloudwatch_log_group", name, "no retention_in_days")),
  },
  {
    id: "ECS-PRIVATE",
    rationale: "Tasks run in private subnets without public IPs (outbound through the NAT gateway).",
    check: (root) =>
      resources(root, "aws_ecs_service")
        .filter(([, b]) => first(b.network_configuration).assign_public_ip !== false)
        .map(([name]) => finding("ECS-PRIVATE", "aws_ecs_service", name, "assign_public_ip is not false")),
  },
  {
    id: "ECS-HARDENING",
    rationale: "No privileged containers; services on the LATEST Fargate platform.",
    check: (root) => [
      ...resources(root, "aws_ecs_task_definition").flatMap(([name, b]) =>
        containers(b)
          .filter((c) => c.privileged === true)
          .map((c) => finding("ECS-HARDENING", "aws_ecs_task_definition", name, `${c.name} is privileged`)),
      ),
      ...resources(root, "aws_ecs_service")
        .filter(([, b]) => b.launch_type === "FARGATE" && b.platform_version !== undefined && b.platform_version !== "LATEST")
        .map(([name]) => finding("ECS-HARDENING", "aws_ecs_service", name, "platform_version is pinned below LATEST")),
    ],
  },
  {
    id: "ECS-INSIGHTS",
    rationale: "Container Insights on every cluster.",
    check: (root) =>
      resources(root, "aws_ecs_cluster")
        .filter(
          ([, b]) =>
            !(asList(b.setting) as Body[]).some((s) => s.name === "containerInsights" && ["enabled", "enhanced"].includes(String(s.value))),
        )
        .map(([name]) => finding("ECS-INSIGHTS", "aws_ecs_cluster", name, "Container Insights is off")),
  },
  {
    id: "ECS-EXEC-LOGGED",
    rationale: "A service that may open ECS Exec sessions runs in a cluster that logs every session (execute_command_configuration).",
    check: (root) =>
      resources(root, "aws_ecs_service")
        .filter(([, b]) => b.enable_execute_command !== undefined && b.enable_execute_command !== false)
        .filter(([, b]) => {
          const cluster = resources(root, "aws_ecs_cluster").find(([name]) => String(b.cluster).includes(`aws_ecs_cluster.${name}.`))?.[1];
          // Logging OVERRIDE, literally or whenever exec is on (a conditional that yields OVERRIDE).
          const logging = first(first(cluster?.configuration).execute_command_configuration).logging;
          return !String(logging ?? "").includes("OVERRIDE");
        })
        .map(([name]) => finding("ECS-EXEC-LOGGED", "aws_ecs_service", name, "may open exec sessions, but its cluster does not log them")),
  },
  {
    id: "ECS-ROLES",
    rationale: "The execution role is not a task role, and each service has its own task role.",
    check: (root) => {
      const seen = new Map<string, string>();
      return resources(root, "aws_ecs_task_definition").flatMap(([name, b]) => {
        const out: Finding[] = [];
        const role = String(b.task_role_arn ?? "");
        if (!role) out.push(finding("ECS-ROLES", "aws_ecs_task_definition", name, "no task role"));
        if (role && role === b.execution_role_arn)
          out.push(finding("ECS-ROLES", "aws_ecs_task_definition", name, "task role is the execution role"));
        const other = seen.get(role);
        if (role && other) out.push(finding("ECS-ROLES", "aws_ecs_task_definition", name, `shares its task role with ${other}`));
        seen.set(role, name);
        return out;
      });
    },
  },
  {
    id: "ALB-HEADERS",
    rationale: "Load balancers drop invalid HTTP header fields (desync mitigation).",
    check: (root) =>
      resources(root, "aws_lb")
        .filter(([, b]) => b.drop_invalid_header_fields !== true)
        .map(([name]) => finding("ALB-HEADERS", "aws_lb", name, "drop_invalid_header_fields is not true")),
  },
  {
    id: "ECR-HYGIENE",
    rationale: "Repositories scan on push and have a lifecycle policy.",
    check: (root) =>
      resources(root, "aws_ecr_repository")
        .filter(
          ([name, b]) =>
            first(b.image_scanning_configuration).scan_on_push !== true ||
            !pointing(root, "aws_ecr_lifecycle_policy", "repository", `\${aws_ecr_repository.${name}.name}`),
        )
        .map(([name]) => finding("ECR-HYGIENE", "aws_ecr_repository", name, "needs scan on push and a lifecycle policy")),
  },
  {
    id: "ALB-DELETION",
    rationale:
      "Tradeoff: deletion protection blocks the team's destroy workflow, so it is a variable (alb_deletion_protection), never a silent false.",
    check: (root) =>
      resources(root, "aws_lb")
        .filter(([, b]) => b.enable_deletion_protection !== true && !isVariable(b.enable_deletion_protection))
        .map(([name]) => finding("ALB-DELETION", "aws_lb", name, "deletion protection is hard-coded off")),
  },
  {
    id: "ALB-TLS",
    rationale:
      "Tradeoff: HTTPS needs the team's domain and an ACM certificate, so every plain-HTTP listener either redirects or turns to HTTPS behind a variable (alb_certificate_arn).",
    check: (root) =>
      resources(root, "aws_lb_listener")
        .filter(([, b]) => b.protocol === "HTTP" && !isVariable(b.protocol))
        .filter(([name, b]) => {
          const redirects = (asList(b.default_action) as Body[]).some((a) => a.type === "redirect");
          const ruled = resources(root, "aws_lb_listener_rule").some(
            ([, r]) =>
              String(r.listener_arn).includes(`aws_lb_listener.${name}[`) &&
              (asList(r.action) as Body[]).some((a) => a.type === "redirect"),
          );
          return !redirects && !ruled;
        })
        .map(([name]) => finding("ALB-TLS", "aws_lb_listener", name, "plain HTTP with no way to HTTPS")),
  },
  {
    id: "ALB-SIGN-IN",
    rationale:
      "Tradeoff: a tool people open in a browser (MLflow can delete runs) is reached only after signing in, so every forwarding listener has a rule that authenticates (authenticate-cognito or -oidc) behind a variable (sign_in) or one that redirects elsewhere; a listener for programs is suppressed with its reason.",
    check: (root) =>
      forwardingListeners(root)
        .filter(([name]) => !rulesOf(root, name).some((r) => signsIn(r) || actionsOf(r, "action").some((a) => a.type === "redirect")))
        .map(([name]) =>
          finding("ALB-SIGN-IN", "aws_lb_listener", name, "forwards every request with no sign-in in front (not even behind a variable)"),
        ),
    // With the defaults: which tools' doors are open to the internet, on HTTP, or without sign-in.
    warn: (root) => {
      const tools = toolTargets(root);
      const open = asList(resolve(root, "${var.alb_ingress_cidr_blocks}")).includes("0.0.0.0/0");
      const http = resolve(root, "${var.alb_certificate_arn}") === "";
      const noSignIn = resolve(root, "${var.sign_in}") === "none";
      return forwardingListeners(root)
        .filter(([, b]) => tools.has(String(forwardTarget(b, "default_action"))))
        .flatMap(([name, b]) => {
          const why = [
            ...(open ? ["public (alb_ingress_cidr_blocks includes 0.0.0.0/0)"] : []),
            // A listener written HTTPS exists only with its certificate.
            ...(http && b.protocol !== "HTTPS" ? ["on HTTP (alb_certificate_arn is empty)"] : []),
            ...(noSignIn ? ['without sign-in (sign_in is "none")'] : []),
          ];
          return why.length === 0
            ? []
            : [finding("ALB-SIGN-IN", "aws_lb_listener", name, `with the defaults this tool is ${why.join(", ")}: see docs/SIGN-IN.md`)];
        });
    },
  },
  {
    id: "ALB-LOGS",
    rationale:
      "Tradeoff: access logs cost S3 storage, so they are a variable (alb_access_logs_bucket; empty is off), never a silent omission.",
    check: (root) =>
      resources(root, "aws_lb")
        .filter(([, b]) => !isVariable(first(b.access_logs).enabled) && first(b.access_logs).enabled !== true)
        .map(([name]) => finding("ALB-LOGS", "aws_lb", name, "access logs are not configurable")),
  },
  {
    id: "VPC-FLOW-LOGS",
    rationale: "Tradeoff: flow logs cost CloudWatch ingestion, so every VPC has a flow log behind a variable (vpc_flow_logs_enabled).",
    check: (root) =>
      withoutCompanion(
        root,
        "VPC-FLOW-LOGS",
        "aws_vpc",
        { type: "aws_flow_log", attribute: "vpc_id" },
        "no flow log (not even behind a variable)",
      ),
  },
  {
    id: "SECRET-ROTATION",
    rationale: "Tradeoff: secrets rotate on a schedule where the secret's owner can rotate it.",
    check: (root) =>
      withoutCompanion(
        root,
        "SECRET-ROTATION",
        "aws_secretsmanager_secret",
        { type: "aws_secretsmanager_secret_rotation", attribute: "secret_id" },
        "no rotation schedule",
      ),
  },
  {
    id: "KMS-CMK",
    rationale: "Tradeoff: data stores use customer-managed KMS keys where the cost and key-policy work are worth it.",
    check: (root) => [
      ...resources(root, "aws_efs_file_system")
        .filter(([, b]) => !b.kms_key_id)
        .map(([name]) => finding("KMS-CMK", "aws_efs_file_system", name, "encrypted with the AWS managed key")),
      ...resources(root, "aws_secretsmanager_secret")
        .filter(([, b]) => !b.kms_key_id)
        .map(([name]) => finding("KMS-CMK", "aws_secretsmanager_secret", name, "encrypted with the AWS managed key")),
    ],
  },
  {
    id: "ALARM-ACTIONS",
    rationale:
      "Every CloudWatch alarm notifies someone when it fires and when it clears: actions enabled, an alarm action and an OK action.",
    check: (root) =>
      resources(root, "aws_cloudwatch_metric_alarm").flatMap(([name, b]) => {
        const missing = [
          ...(b.actions_enabled === false ? ["actions are disabled"] : []),
          ...(asList(b.alarm_actions).length === 0 ? ["no alarm action"] : []),
          ...(asList(b.ok_actions).length === 0 ? ["no OK action"] : []),
        ];
        return missing.length === 0 ? [] : [finding("ALARM-ACTIONS", "aws_cloudwatch_metric_alarm", name, missing.join(", "))];
      }),
  },
  {
    id: "SNS-ENCRYPTED",
    rationale:
      "Every SNS topic is encrypted at rest with a KMS key that AWS services can use: not alias/aws/sns, whose policy lets no CloudWatch alarm or EventBridge rule publish.",
    check: (root) =>
      resources(root, "aws_sns_topic").flatMap(([name, b]) => {
        const key = resolve(root, b.kms_master_key_id);
        if (!key) return [finding("SNS-ENCRYPTED", "aws_sns_topic", name, "kms_master_key_id is not set: the topic is not encrypted")];
        if (key === "alias/aws/sns") {
          return [
            finding("SNS-ENCRYPTED", "aws_sns_topic", name, "encrypted with alias/aws/sns: alarms and EventBridge cannot publish to it"),
          ];
        }
        return [];
      }),
  },
];
