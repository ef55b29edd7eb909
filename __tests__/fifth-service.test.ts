/**
 * Adding a service is one entry of the services table: its variables, task
 * role, log group, listener, autoscaling, URL and outputs follow, and the
 * policy rules pass (renderPlatform runs them). The Terraform suite
 * validates the same root with the real provider.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { FIFTH_SERVICE_TABLE } from "./fifth-service";
import { LIVE_SERVICES, mergeRoot, renderPlatform, resources, SUFFIX, type Json } from "./helpers";

let root: Json;
beforeAll(() => {
  root = mergeRoot(renderPlatform(FIFTH_SERVICE_TABLE));
});

describe("a fifth service from one table entry", () => {
  it("declares its variables with the entry's defaults", () => {
    expect(root.variable.notebook_cpu.default).toBe(512);
    expect(root.variable.notebook_port.default).toBe(8888);
    expect(root.variable.notebook_service_name.default).toBe("autovision-notebook");
    expect(root.variable.notebook_public.default).toBe(true);
    // Its port is checked against every other service's.
    expect(JSON.stringify(root.variable.notebook_port.validation)).toContain(
      "var.api_port, var.ui_port, var.mlflow_port, var.tensorboard_port",
    );
  });

  it("runs it as a Fargate service with its own role, log group, target group, listener and autoscaling", () => {
    const td = resources(root, "aws_ecs_task_definition").notebook;
    expect(td.family).toBe(`\${var.notebook_service_name}${SUFFIX}`);
    expect(td.container_definitions).toContain('"jupyter", "lab"');
    expect(td.task_role_arn).toBe("${aws_iam_role.notebook_task_role.arn}");
    expect(resources(root, "aws_iam_role").notebook_task_role.name).toBe(`\${var.project_name}-notebook-task-role${SUFFIX}`);
    // Neither EFS nor the bucket: a role without an inline policy, and no volume.
    expect(resources(root, "aws_iam_role_policy").notebook_task_role_policy).toBeUndefined();
    expect(td.volume).toBeUndefined();
    expect(resources(root, "aws_cloudwatch_log_group").notebook.name).toBe(`/ecs/\${var.notebook_service_name}${SUFFIX}`);
    expect(resources(root, "aws_ecs_service").notebook.name).toBe("${var.notebook_service_name}");
    expect(resources(root, "aws_lb_target_group").notebook.name).toContain('format("%s-tg", var.notebook_service_name)');
    expect(resources(root, "aws_lb_listener").notebook.port).toBe("${var.notebook_port}");
    expect(Object.keys(root.locals.ecs_services)).toContain("notebook");
  });

  it("opens its port on the ALB and gives it a URL and a service-name output", () => {
    const ports = (resources(root, "aws_security_group").alb.ingress as Json[]).map((r) => r.from_port);
    expect(ports).toContain("${var.notebook_port}");
    expect(root.output.notebook_url.description).toContain("Empty when notebook_public is false.");
    expect(root.output.ecs_service_names.value.notebook).toBe("${var.notebook_service_name}");
    expect(root.output.ecs_service_names.description).toContain("tensorboard, notebook");
  });

  it("lets the execution role write its logs, and keeps it out of the experiments' file system policy", () => {
    const exec = resources(root, "aws_iam_role_policy").ecs_task_execution_role_policy.policy as string;
    expect(exec).toContain("${aws_cloudwatch_log_group.notebook.arn}:*");
    expect(resources(root, "aws_efs_file_system_policy").experiments.policy).not.toContain("notebook");
  });

  it("leaves the live platform's addresses as they are", () => {
    for (const key of LIVE_SERVICES) {
      expect(resources(root, "aws_ecs_service")[key], key).toBeDefined();
    }
    expect(resources(root, "aws_iam_role").ecs_task_role).toBeDefined();
  });
});
