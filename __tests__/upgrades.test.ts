/** Synth- and code-level checks of the upgrades: UI stickiness, the registered revisions, the rollback verdict. */
import type { Service } from "@aws-sdk/client-ecs";
import { beforeAll, describe, expect, it } from "vitest";
import { judge, renderRollout, rolloutExitCode, shortTaskDefinition, type RolloutReport } from "../ops/rollout";
import { resolvePlatform } from "../ops/platform";
import { costLines } from "../ops/cost-model";
import { checkMigratable } from "../ops/mlflow";
import { SERVICE_KEYS } from "../platform/services";
import { readJsonencodeBranches } from "../synth/policy/hcl-object";
import { mergeRoot, renderPlatform, resources, type Json } from "./helpers";

let root: Json;
beforeAll(() => {
  root = mergeRoot(renderPlatform());
});

describe("target group stickiness", () => {
  it("turns lb_cookie stickiness on for the UI whenever it can run more than one task, or when alb_sticky_services names it", () => {
    const ui = resources(root, "aws_lb_target_group").ui.stickiness;
    expect(ui).toEqual({
      type: "lb_cookie",
      enabled: '${((var.ui_max_capacity > 1) || contains(var.alb_sticky_services, "ui"))}',
      cookie_duration: "${var.alb_stickiness_duration_seconds}",
    });
  });

  it("keeps the other services' stickiness off unless alb_sticky_services names them; the block is always written (a removed one leaves it on)", () => {
    for (const key of SERVICE_KEYS.filter((k) => k !== "ui")) {
      expect(resources(root, "aws_lb_target_group")[key].stickiness).toEqual({
        type: "lb_cookie",
        enabled: `\${contains(var.alb_sticky_services, "${key}")}`,
        cookie_duration: "${var.alb_stickiness_duration_seconds}",
      });
    }
  });

  it("declares the duration (a day by default) and the list, each explaining why and checked", () => {
    expect(root.variable.alb_stickiness_duration_seconds.default).toBe(86400);
    expect(root.variable.alb_stickiness_duration_seconds.description).toContain("Streamlit keeps each session in one server process");
    expect(root.variable.alb_sticky_services.default).toEqual([]);
    expect(root.variable.alb_sticky_services.validation[0].condition).toBe(
      `\${alltrue([for s in var.alb_sticky_services : contains(${JSON.stringify(SERVICE_KEYS)}, s)])}`,
    );
  });
});

describe("the revisions an apply registered", () => {
  it("are an output, empty while the services do not exist", () => {
    expect(root.output.ecs_task_definition_arns.value.ui).toBe('${var.create_ecs_services ? aws_ecs_task_definition.ui[0].arn : ""}');
  });

  it("reach ops' view of the platform", () => {
    const p = resolvePlatform(
      {
        aws_region: { value: "us-west-1" },
        ecs_task_definition_arns: { value: { ui: "arn:aws:ecs:us-west-1:1:task-definition/autovision-ui:7" } },
      },
      {},
    );
    expect(p.taskDefinitionArns.ui).toContain("autovision-ui:7");
  });
});

describe("status --wait: the verdict on a service", () => {
  const arn = (r: number) => `arn:aws:ecs:us-west-1:123456789012:task-definition/autovision-ui:${r}`;
  const service = (running: number, rolloutState: string): Service => ({
    serviceName: "autovision-ui",
    taskDefinition: arn(running),
    deployments: [{ status: "PRIMARY", taskDefinition: arn(running), rolloutState: rolloutState as "COMPLETED" }],
  });

  it("deployed: the registered revision, its deployment completed", () => {
    expect(judge(arn(7), service(7, "COMPLETED"))).toEqual({ running: "autovision-ui:7", rolloutState: "COMPLETED", verdict: "deployed" });
  });
  it("rolled back: another revision, even with its (rollback) deployment completed", () => {
    expect(judge(arn(7), service(6, "COMPLETED")).verdict).toBe("rolled-back");
  });
  it("failed, in progress, missing", () => {
    expect(judge(arn(7), service(7, "FAILED")).verdict).toBe("failed");
    expect(judge(arn(7), service(7, "IN_PROGRESS")).verdict).toBe("in-progress");
    expect(judge(arn(7), undefined).verdict).toBe("missing");
  });
  it("names the service, the revisions and the reasons, and exits 3 unless every deploy landed", () => {
    const report: RolloutReport = {
      ok: false,
      timedOut: false,
      waitedSeconds: 3,
      services: [
        {
          key: "ui",
          name: "autovision-ui",
          expected: "autovision-ui:7",
          running: "autovision-ui:6",
          rolloutState: "COMPLETED",
          verdict: "rolled-back",
          reasons: ["stopped task: Task failed ELB health checks"],
        },
      ],
    };
    const text = renderRollout(report);
    expect(text).toContain(
      "ui (autovision-ui) runs autovision-ui:6, not autovision-ui:7 that the apply registered: ECS rolled the deploy back",
    );
    expect(text).toContain("  - stopped task: Task failed ELB health checks");
    expect(rolloutExitCode(report)).toBe(3);
    expect(rolloutExitCode({ ...report, ok: true, services: [] })).toBe(0);
    expect(shortTaskDefinition(arn(7))).toBe("autovision-ui:7");
  });
});

describe("mlflow migrate", () => {
  it("refuses a platform whose MLflow keeps its file store, before any task starts", () => {
    const platform = resolvePlatform(
      {
        aws_region: { value: "us-west-1" },
        ecs_cluster_name: { value: "autovisionai" },
        private_subnet_ids: { value: ["subnet-1"] },
        s3_bucket_name: { value: "b" },
        mlflow_database_endpoint: { value: "" },
      },
      {},
    );
    expect(() => checkMigratable(platform)).toThrow(
      'MLflow has no database: terraform output mlflow_database_endpoint is empty. Set mlflow_backend = "postgres"',
    );
  });
});

describe("MLflow on PostgreSQL (synthesized)", () => {
  const db = () => resources(root, "aws_db_instance").mlflow_database_instance;
  it("creates the database only with mlflow_backend = postgres or mlflow_database_retained", () => {
    expect(db().count).toBe('${anytrue([(var.mlflow_backend == "postgres"), var.mlflow_database_retained]) ? 1 : 0}');
  });
  it("encrypted, private, backed up, protected, its password managed by RDS (never in state)", () => {
    expect(db()).toMatchObject({
      engine: "postgres",
      storage_encrypted: true,
      publicly_accessible: false,
      deletion_protection: true,
      skip_final_snapshot: false,
      manage_master_user_password: true,
      backup_retention_period: "${var.mlflow_db_backup_retention_days}",
      instance_class: "${var.mlflow_db_instance_class}",
      lifecycle: { prevent_destroy: true },
    });
    expect(db().password).toBeUndefined();
  });
  it("keeps MLflow's task definition and security groups exactly as today with the file store", () => {
    const td = resources(root, "aws_ecs_task_definition").mlflow.container_definitions as string;
    expect(td.startsWith('${(var.mlflow_backend == "postgres") ? jsonencode(')).toBe(true);
    expect(td).toContain(
      '"command" = ["mlflow", "server", "--host", "0.0.0.0", "--port", tostring(var.mlflow_port), "--backend-store-uri", "/app/mlruns"',
    );
    const sgs = resources(root, "aws_ecs_service").mlflow.network_configuration.security_groups;
    expect(sgs).toBe(
      '${concat([aws_security_group.ecs_tasks.id], (var.mlflow_backend == "postgres") ? [aws_security_group.mlflow_database_clients[0].id] : [])}',
    );
  });
  it("prices the database in ops cost", () => {
    const base = {
      mlflow_backend: "postgres",
      mlflow_db_instance_class: "db.t4g.micro",
      efs_throughput_mode: "bursting",
      efs_backup_enabled: false,
      az_count: 2,
      create_ecs_services: false,
    };
    const lines = costLines(base).filter((l) => l.group === "MLflow database");
    expect(lines.map((l) => [l.item, Number(l.monthly.toFixed(2))])).toEqual([
      ["RDS PostgreSQL db.t4g.micro", 11.68],
      ["storage (gp3)", 2.3],
      ["password secret (managed by RDS)", 0.4],
    ]);
    expect(costLines({ ...base, mlflow_backend: "file" }).filter((l) => l.group === "MLflow database")).toEqual([]);
  });
});

describe("the policy checker and a task definition with two setups", () => {
  it("reads both branches of cond ? jsonencode(A) : jsonencode(B), so every rule sees MLflow's database setup too", () => {
    const text = resources(root, "aws_ecs_task_definition").mlflow.container_definitions as string;
    const [postgres, file] = readJsonencodeBranches(text) as { command: string[]; secrets?: unknown[] }[][];
    expect(postgres[0].command.slice(0, 2)).toEqual(["python", "-c"]);
    expect(postgres[0].secrets).toHaveLength(2);
    expect(file[0].command.slice(0, 2)).toEqual(["mlflow", "server"]);
    expect(file[0].secrets).toBeUndefined();
    expect(readJsonencodeBranches('${jsonencode({"a" = 1})}')).toEqual([{ a: 1 }]);
  });
});
