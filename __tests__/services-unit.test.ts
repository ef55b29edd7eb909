import { beforeAll, describe, expect, it } from "vitest";
import { SERVICE_KEYS, SERVICES, type ServiceTable } from "../platform/services";
import { LIVE_SERVICES, mergeRoot, renderPlatform, resources, type Json } from "./helpers";

let root: Json;
beforeAll(() => {
  root = mergeRoot(renderPlatform());
});

const policyOf = (name: string) => resources(root, "aws_iam_role_policy")[name].policy as string;
const roleOf = (key: string) => resources(root, "aws_ecs_task_definition")[key].task_role_arn as string;

describe("ServicesUnit: one task role per service, each with only what it needs", () => {
  it("gives each service its own task role, distinct from the execution role", () => {
    const roles = SERVICE_KEYS.map(roleOf);
    expect(new Set(roles).size).toBe(SERVICE_KEYS.length);
    expect(roles[0]).toBe("${aws_iam_role.ecs_task_role.arn}");
    for (const key of SERVICE_KEYS) {
      expect(resources(root, "aws_ecs_task_definition")[key].execution_role_arn).toBe("${aws_iam_role.ecs_task_execution_role.arn}");
    }
  });

  it("lets the API and TensorBoard mount and write the experiments share", () => {
    for (const name of ["ecs_task_role_policy", "tensorboard_task_role_policy"]) {
      expect(policyOf(name)).toContain('"Action" = ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"]');
      expect(policyOf(name)).toContain('"elasticfilesystem:AccessPointArn" = aws_efs_access_point.experiments.arn');
    }
  });

  it("lets the UI only mount (read-only by IAM, not just by the container flag)", () => {
    expect(policyOf("ui_task_role_policy")).toContain('"Action" = ["elasticfilesystem:ClientMount"]');
    expect(policyOf("ui_task_role_policy")).not.toContain("ClientWrite");
    expect(policyOf("ui_task_role_policy")).not.toContain("s3:");
  });

  it("gives MLflow its artifacts bucket and its own store, and no access to the experiments", () => {
    const mlflow = policyOf("mlflow_task_role_policy");
    expect(mlflow).not.toContain("aws_efs_access_point.experiments.arn");
    expect(mlflow).toContain(
      '{"Sid" = "MlflowStoreReadWrite", "Effect" = "Allow", "Action" = ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"], ' +
        '"Resource" = aws_efs_file_system.experiments.arn, "Condition" = {"StringEquals" = {"elasticfilesystem:AccessPointArn" = aws_efs_access_point.mlflow_store.arn}}}',
    );
    expect(mlflow).toContain('"Resource" = aws_s3_bucket.mlflow_artifacts.arn');
    expect(mlflow).toContain('"Resource" = "${aws_s3_bucket.mlflow_artifacts.arn}/*"');
    expect(mlflow).not.toMatch(/"Resource" = "\*"/);
  });

  it("lets the execution role read only the WANDB secret, the four log groups and the one repository", () => {
    const exec = policyOf("ecs_task_execution_role_policy");
    expect(exec).toContain('"Action" = "secretsmanager:GetSecretValue", "Resource" = aws_secretsmanager_secret.wandb_api_key.arn');
    expect(exec).toContain('"Resource" = aws_ecr_repository.autovisionai.arn');
    for (const key of SERVICE_KEYS) expect(exec).toContain(`\${aws_cloudwatch_log_group.${key}.arn}:*`);
    // The only "*" resource: ECR login, which AWS defines on "*".
    expect(exec.match(/"Resource" = "\*"/g)).toHaveLength(1);
    expect(exec).toContain('"Action" = "ecr:GetAuthorizationToken", "Resource" = "*"');
  });

  it("lets only the API and TensorBoard roles (and the transfer task) write through the file system policy", () => {
    const policy = resources(root, "aws_efs_file_system_policy").experiments.policy as string;
    expect(policy).toMatch(
      /"AWS" = \[aws_iam_role\.ecs_task_role\.arn, aws_iam_role\.tensorboard_task_role\.arn, aws_iam_role\.transfer_task_role\.arn\].*ClientWrite/,
    );
    expect(policy).toMatch(/"AWS" = \[aws_iam_role\.ui_task_role\.arn\]\}, "Action" = \["elasticfilesystem:ClientMount"\],/);
    // MLflow's role is named once: read-write through its store's access point, nowhere else.
    expect(policy.match(/mlflow_task_role/g)).toHaveLength(1);
    expect(policy).toMatch(
      /"Sid" = "ReadWriteThroughMlflowStore", "Effect" = "Allow", "Principal" = \{"AWS" = \[aws_iam_role\.mlflow_task_role\.arn\]\}.*"elasticfilesystem:AccessPointArn" = aws_efs_access_point\.mlflow_store\.arn/,
    );
  });
});

describe("ServicesUnit: deploys that do not wait on defaults", () => {
  it("drains old tasks for 30 s and health-checks every 10 s, healthy after 2 passes", () => {
    expect(root.variable.deregistration_delay_seconds.default).toBe(30);
    expect(root.variable.health_check_interval_seconds.default).toBe(10);
    expect(root.variable.health_check_healthy_threshold.default).toBe(2);
    for (const key of SERVICE_KEYS) {
      const tg = resources(root, "aws_lb_target_group")[key];
      expect(tg.deregistration_delay).toBe("${var.deregistration_delay_seconds}");
      expect(tg.health_check).toMatchObject({
        interval: "${var.health_check_interval_seconds}",
        healthy_threshold: "${var.health_check_healthy_threshold}",
      });
      expect(tg.health_check.matcher).toBe((SERVICES as ServiceTable)[key].healthCheckMatcher);
    }
    // The live matchers: any 2xx, TensorBoard exactly 200.
    expect(Object.fromEntries(LIVE_SERVICES.map((key) => [key, (SERVICES as ServiceTable)[key].healthCheckMatcher]))).toEqual({
      api: "200-299",
      ui: "200-299",
      mlflow: "200-299",
      tensorboard: "200",
    });
  });

  it("starts the new task before stopping the old one and rolls back a failing deploy", () => {
    expect(root.variable.deployment_minimum_healthy_percent.default).toBe(100);
    expect(root.variable.deployment_maximum_percent.default).toBe(200);
    expect(root.variable.deployment_circuit_breaker_rollback.default).toBe(true);
    for (const key of SERVICE_KEYS) {
      expect(resources(root, "aws_ecs_service")[key].deployment_circuit_breaker).toEqual({
        enable: true,
        rollback: "${var.deployment_circuit_breaker_rollback}",
      });
    }
  });

  it("health-checks TensorBoard on / and the others on their path variables", () => {
    expect(resources(root, "aws_lb_target_group").tensorboard.health_check.path).toBe("${var.tensorboard_health_check_path}");
    expect(root.variable.tensorboard_health_check_path.default).toBe("/");
    expect(resources(root, "aws_lb_target_group").ui.health_check.path).toBe("${var.ui_health_check_path}");
  });
});

describe("ServicesUnit: keeping MLflow and TensorBoard off the public ALB", () => {
  it("declares <key>_public only for the services without a login, default true", () => {
    expect(root.variable.mlflow_public.default).toBe(true);
    expect(root.variable.tensorboard_public.default).toBe(true);
    expect(root.variable.api_public).toBeUndefined();
    expect(root.variable.ui_public).toBeUndefined();
  });

  it("counts their target group and listener on the switch, and attaches the service to the ALB only when public", () => {
    for (const key of ["mlflow", "tensorboard"]) {
      expect(resources(root, "aws_lb_target_group")[key].count).toBe(`\${alltrue([var.create_ecs_services, var.${key}_public]) ? 1 : 0}`);
      expect(resources(root, "aws_lb_listener")[key].count).toBe(`\${alltrue([var.create_ecs_services, var.${key}_public]) ? 1 : 0}`);
      const service = resources(root, "aws_ecs_service")[key];
      expect(service.load_balancer).toBeUndefined();
      expect(service.dynamic.load_balancer.for_each).toBe(`\${toset(var.${key}_public ? ["${key}"] : [])}`);
      expect(root.output[`${key}_url`].value).toMatch(new RegExp(`^\\$\\{var\\.${key}_public \\? format\\(.*\\) : ""\\}$`));
    }
    for (const key of ["api", "ui"]) {
      expect(resources(root, "aws_lb_target_group")[key].count).toBe("${var.create_ecs_services ? 1 : 0}");
      expect(resources(root, "aws_ecs_service")[key].load_balancer).toHaveLength(1);
    }
  });
});

describe("ServicesUnit: the ALB", () => {
  it("is internet-facing in the public subnets and drops invalid headers", () => {
    expect(resources(root, "aws_lb").main).toMatchObject({
      internal: false,
      subnets: "${aws_subnet.public[*].id}",
      drop_invalid_header_fields: true,
      security_groups: ["${aws_security_group.alb.id}"],
    });
  });

  const https = 'can(regex("^.+$", var.alb_certificate_arn))';

  it("has one listener per service port forwarding to its target group, HTTP until a certificate is set", () => {
    for (const key of SERVICE_KEYS) {
      expect(resources(root, "aws_lb_listener")[key]).toMatchObject({
        port: `\${var.${key}_port}`,
        default_action: [{ type: "forward", target_group_arn: `\${aws_lb_target_group.${key}[0].arn}` }],
      });
    }
    expect(resources(root, "aws_lb_listener").ui.protocol).toBe("HTTP");
    for (const key of ["api", "mlflow", "tensorboard"]) {
      expect(resources(root, "aws_lb_listener")[key]).toMatchObject({
        protocol: `\${${https} ? "HTTPS" : "HTTP"}`,
        certificate_arn: `\${${https} ? var.alb_certificate_arn : null}`,
        ssl_policy: `\${${https} ? var.alb_ssl_policy : null}`,
      });
    }
  });

  it("with a certificate, serves the UI on 443 and redirects 80 and the UI port there", () => {
    const listeners = resources(root, "aws_lb_listener");
    expect(listeners.https).toMatchObject({
      port: 443,
      protocol: "HTTPS",
      certificate_arn: "${var.alb_certificate_arn}",
      ssl_policy: "${var.alb_ssl_policy}",
      default_action: [{ type: "forward", target_group_arn: "${aws_lb_target_group.ui[0].arn}" }],
      count: `\${alltrue([${https}, var.create_ecs_services]) ? 1 : 0}`,
    });
    expect(listeners.http_redirect).toMatchObject({
      port: 80,
      protocol: "HTTP",
      count: `\${${https} ? 1 : 0}`,
      default_action: [{ type: "redirect", redirect: { port: "443", protocol: "HTTPS", status_code: "HTTP_301" } }],
    });
    expect(resources(root, "aws_lb_listener_rule").https_redirect).toMatchObject({
      listener_arn: "${aws_lb_listener.ui[0].arn}",
      priority: 1,
      action: [{ type: "redirect", redirect: { port: "443", protocol: "HTTPS", status_code: "HTTP_301" } }],
    });
    expect(root.variable.alb_ssl_policy.default).toBe("ELBSecurityPolicy-TLS13-1-2-2021-06");
  });
});
