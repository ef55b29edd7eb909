/**
 * The platform as it grows and upgrades, against the emulator, on one applied
 * platform (one apply, in `beforeAll`):
 *
 * - deploys that notice a rollback: `npm run ops -- status --wait` passes on
 *   a good deploy and fails, naming the service and why, when ECS left a
 *   service on its previous task definition revision;
 * - the UI on more than one task (`ui_max_capacity = 3`): its target group
 *   has lb_cookie stickiness, the other services' do not;
 * - MLflow on PostgreSQL (`mlflow_backend = "postgres"`): the database,
 *   encrypted, private, backed up, protected; 5432 open to MLflow's tasks
 *   only; its password in the secret RDS manages, reaching MLflow through
 *   `secrets`; MLflow's command building `--backend-store-uri` from them.
 *   Moto runs no database: what PostgreSQL and MLflow themselves do is not
 *   shown here (docs/ARCHITECTURE.md says what is and is not tested).
 *
 * Moto runs no containers. It reports each service's tasks as running when
 * started with MOTO_ECS_SERVICE_RUNNING (its own switch), so a deployment
 * completes as it does on AWS once its tasks run; a rollback is what ECS
 * leaves behind: the service back on the previous revision, the new
 * revision's task stopped with its reason.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeFileStore } from "../mlflow-store";
import { tempDir } from "../temp";
import {
  awsCall,
  checkTools,
  copyRoot,
  init,
  PROJECT_DIR,
  runCommand,
  startMoto,
  SYNTH_DIR,
  terraform,
  terraformOk,
  timing,
  type Moto,
  type RunResult,
} from "./harness";

let moto: Moto;
let dir: string;
let outputs: Record<string, { value: unknown }>;

/** The variables of the one apply: the UI may run three tasks; MLflow keeps its store in PostgreSQL. */
const VARS = ["-var", "ui_max_capacity=3", "-var", "mlflow_backend=postgres"];

function ops(args: readonly string[]): Promise<RunResult> {
  return runCommand("node", ["ops/launch.js", "--tf-dir", dir, ...args], PROJECT_DIR, moto, { env: { OPS_POLL_MS: "200" } });
}

const out = <T>(name: string) => outputs[name].value as T;

/** The target group attributes of a service, by key. */
function targetGroupAttributes(key: string): Record<string, string> {
  const cluster = out<string>("ecs_cluster_name");
  const name = out<Record<string, string>>("ecs_service_names")[key];
  const [service] = awsCall(moto, "ecs", "describe_services", { cluster, services: [name] }).services as {
    loadBalancers: { targetGroupArn: string }[];
  }[];
  const attributes = awsCall(moto, "elbv2", "describe_target_group_attributes", {
    TargetGroupArn: service.loadBalancers[0].targetGroupArn,
  }).Attributes as { Key: string; Value: string }[];
  return Object.fromEntries(attributes.map((a) => [a.Key, a.Value]));
}

const PYTHON = process.env.PYTHON ?? "python3";

describe("upgrades: rollbacks noticed, the UI on several tasks, MLflow on PostgreSQL", () => {
  beforeAll(async () => {
    checkTools();
    const previous = process.env.MOTO_ECS_SERVICE_RUNNING;
    process.env.MOTO_ECS_SERVICE_RUNNING = "1";
    try {
      // A loaded machine can take moto past the harness's 30 s to listen: a second try, then give up.
      moto = await startMoto().catch(() => startMoto());
    } finally {
      if (previous === undefined) delete process.env.MOTO_ECS_SERVICE_RUNNING;
      else process.env.MOTO_ECS_SERVICE_RUNNING = previous;
    }
    // One-off tasks stay RUNNING until this suite stops them, as Fargate runs them (moto would stop them by itself).
    const manual = await fetch(`${moto.endpoint}/moto-api/state-manager/set-transition`, {
      method: "POST",
      body: JSON.stringify({ model_name: "ecs::task", transition: { progression: "manual", times: 1_000_000 } }),
    });
    expect(manual.ok).toBe(true);
    dir = copyRoot(SYNTH_DIR, "upgrades");
    await init(dir, moto);
    // TensorBoard's previous revision, the one the live service ran before this deploy (ECS rolls back to it).
    awsCall(moto, "ecs", "register_task_definition", {
      family: "autovision-tensorboard",
      networkMode: "awsvpc",
      requiresCompatibilities: ["FARGATE"],
      cpu: "512",
      memory: "1024",
      containerDefinitions: [{ name: "tensorboard", image: "autovisionai:tensorboard-previous", essential: true }],
    });
    const applied = await terraformOk(dir, moto, ["apply", "-input=false", "-auto-approve", ...VARS]);
    timing("upgrades: apply of the full platform", applied.seconds);
    outputs = JSON.parse((await terraformOk(dir, moto, ["output", "-json"])).stdout);
    // RDS's creation alone takes the provider's waiter about 80 s against the emulator.
  }, 900_000);

  afterAll(async () => {
    await moto?.stop();
  });

  it("outputs the task definition revision the apply registered for every service", () => {
    const arns = out<Record<string, string>>("ecs_task_definition_arns");
    expect(Object.keys(arns).sort()).toEqual(["api", "mlflow", "tensorboard", "ui"]);
    expect(arns.tensorboard).toMatch(/:task-definition\/autovision-tensorboard:2$/);
    expect(arns.ui).toMatch(/:task-definition\/autovision-ui:1$/);
  });

  it("status --wait passes after a good deploy: every service on its registered revision, its deployment completed", async () => {
    const run = await ops(["status", "--wait", "--timeout", "30"]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/tensorboard\s*│\s*autovision-tensorboard:2\s*│\s*autovision-tensorboard:2\s*│\s*COMPLETED\s*│\s*deployed/);
    expect(run.stdout).toContain("every service runs the task definition revision the apply registered");
  });

  it("with ui_max_capacity = 3 the UI's target group has lb_cookie stickiness for a day; the others have none", () => {
    const ui = targetGroupAttributes("ui");
    expect(ui["stickiness.enabled"]).toBe("true");
    expect(ui["stickiness.type"]).toBe("lb_cookie");
    expect(ui["stickiness.lb_cookie.duration_seconds"]).toBe("86400");
    for (const key of ["api", "mlflow", "tensorboard"]) expect(targetGroupAttributes(key)["stickiness.enabled"]).toBe("false");
  });

  it("re-plans empty", async () => {
    const again = await terraform(dir, moto, ["plan", "-input=false", "-detailed-exitcode", ...VARS]);
    expect(again.stdout).toContain("No changes.");
    expect(again.code).toBe(0);
  });

  it("creates MLflow's PostgreSQL database encrypted, private, backed up and protected, its password managed by RDS", () => {
    const [db] = awsCall(moto, "rds", "describe_db_instances", { DBInstanceIdentifier: "autovisionai-mlflow" }).DBInstances as {
      Engine: string;
      DBInstanceClass: string;
      StorageEncrypted: boolean;
      PubliclyAccessible: boolean;
      DeletionProtection: boolean;
      BackupRetentionPeriod: number;
      DBName: string;
      MasterUsername: string;
      Endpoint: { Address: string; Port: number };
      MasterUserSecret: { SecretArn: string };
      DBSubnetGroup: { Subnets: { SubnetIdentifier: string }[] };
      VpcSecurityGroups: { VpcSecurityGroupId: string }[];
    }[];
    expect(db).toMatchObject({
      Engine: "postgres",
      DBInstanceClass: "db.t4g.micro",
      StorageEncrypted: true,
      PubliclyAccessible: false,
      DeletionProtection: true,
      BackupRetentionPeriod: 7,
      DBName: "mlflow",
      MasterUsername: "mlflow",
    });
    expect(db.DBSubnetGroup.Subnets.map((s) => s.SubnetIdentifier).sort()).toEqual([...out<string[]>("private_subnet_ids")].sort());
    expect(out<string>("mlflow_database_endpoint")).toBe(`${db.Endpoint.Address}:${db.Endpoint.Port}`);
    // The secret exists in Secrets Manager; the state holds only its ARN, never a password.
    const secret = awsCall(moto, "secretsmanager", "describe_secret", { SecretId: db.MasterUserSecret.SecretArn });
    expect(secret.ARN).toBe(db.MasterUserSecret.SecretArn);
    const state = spawnSync("terraform", ["show", "-json"], { cwd: dir, encoding: "utf8", env: process.env }).stdout;
    const password = JSON.parse(
      String(awsCall(moto, "secretsmanager", "get_secret_value", { SecretId: db.MasterUserSecret.SecretArn }).SecretString),
    ).password as string;
    expect(password.length).toBeGreaterThan(8);
    expect(state).not.toContain(password);
  });

  it("opens 5432 on the database to MLflow's tasks only: the clients' group, which MLflow alone joins", () => {
    const [db] = awsCall(moto, "rds", "describe_db_instances", { DBInstanceIdentifier: "autovisionai-mlflow" }).DBInstances as {
      VpcSecurityGroups: { VpcSecurityGroupId: string }[];
    }[];
    const [group] = awsCall(moto, "ec2", "describe_security_groups", { GroupIds: [db.VpcSecurityGroups[0].VpcSecurityGroupId] })
      .SecurityGroups as {
      IpPermissions: { FromPort: number; ToPort: number; IpRanges: unknown[]; UserIdGroupPairs: { GroupId: string }[] }[];
    }[];
    expect(group.IpPermissions).toHaveLength(1);
    const [rule] = group.IpPermissions;
    expect([rule.FromPort, rule.ToPort, rule.IpRanges]).toEqual([5432, 5432, []]);
    expect(rule.UserIdGroupPairs).toHaveLength(1);
    const clients = rule.UserIdGroupPairs[0].GroupId;
    const cluster = out<string>("ecs_cluster_name");
    const names = out<Record<string, string>>("ecs_service_names");
    const services = awsCall(moto, "ecs", "describe_services", { cluster, services: Object.values(names) }).services as {
      serviceName: string;
      networkConfiguration: { awsvpcConfiguration: { securityGroups: string[] } };
    }[];
    const joined = services
      .filter((s) => s.networkConfiguration.awsvpcConfiguration.securityGroups.includes(clients))
      .map((s) => s.serviceName);
    expect(joined).toEqual([names.mlflow]);
    const mlflow = services.find((s) => s.serviceName === names.mlflow);
    expect(mlflow?.networkConfiguration.awsvpcConfiguration.securityGroups).toContain(out<string>("ecs_tasks_security_group_id"));
  });

  it("gives MLflow the database's address, its user and password through secrets, and a command that builds --backend-store-uri from them", () => {
    const [db] = awsCall(moto, "rds", "describe_db_instances", { DBInstanceIdentifier: "autovisionai-mlflow" }).DBInstances as {
      Endpoint: { Address: string };
      MasterUserSecret: { SecretArn: string };
    }[];
    const definition = awsCall(moto, "ecs", "describe_task_definition", {
      taskDefinition: out<Record<string, string>>("ecs_task_definition_arns").mlflow,
    }).taskDefinition as {
      executionRoleArn: string;
      containerDefinitions: {
        command: string[];
        environment: { name: string; value: string }[];
        secrets: { name: string; valueFrom: string }[];
      }[];
    };
    const [container] = definition.containerDefinitions;
    const env = Object.fromEntries(container.environment.map((e) => [e.name, e.value]));
    expect(env).toMatchObject({ MLFLOW_DB_HOST: db.Endpoint.Address, MLFLOW_DB_PORT: "5432", MLFLOW_DB_NAME: "mlflow" });
    expect(container.secrets).toEqual([
      { name: "MLFLOW_DB_PASSWORD", valueFrom: `${db.MasterUserSecret.SecretArn}:password::` },
      { name: "MLFLOW_DB_USERNAME", valueFrom: `${db.MasterUserSecret.SecretArn}:username::` },
    ]);
    // The execution role (which resolves `secrets`) may read that secret.
    const role = definition.executionRoleArn.split("/").pop() as string;
    const policy = awsCall(moto, "iam", "get_role_policy", { RoleName: role, PolicyName: "mlflowDatabaseSecretRead" }).PolicyDocument;
    expect(JSON.stringify(policy)).toContain(db.MasterUserSecret.SecretArn);

    // The registered command, run as the container would: a stand-in `mlflow` on PATH prints the arguments it gets.
    const bin = tempDir("upgrades-bin");
    fs.writeFileSync(path.join(bin, "mlflow"), `#!/bin/sh\nexec ${PYTHON} -c 'import json, sys; print(json.dumps(sys.argv[1:]))' "$@"\n`, {
      mode: 0o755,
    });
    const [program, ...args] = container.command;
    expect(program).toBe("python");
    const run = spawnSync(PYTHON, args, {
      encoding: "utf8",
      env: { PATH: `${bin}:${process.env.PATH}`, ...env, MLFLOW_DB_USERNAME: "mlflow", MLFLOW_DB_PASSWORD: "p@ss:w/rd%" },
    });
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual([
      "server",
      "--backend-store-uri",
      `postgresql://mlflow:p%40ss%3Aw%2Frd%25@${db.Endpoint.Address}:5432/mlflow?sslmode=require`,
      "--host",
      "0.0.0.0",
      "--port",
      "8080",
      "--default-artifact-root",
      `s3://${out<string>("s3_bucket_name")}/`,
    ]);
    fs.rmSync(bin, { recursive: true, force: true });
  });

  it("refuses a switch back to the file store that would delete the database; mlflow_database_retained keeps it", async () => {
    const back = await terraform(dir, moto, ["plan", "-input=false", "-var", "ui_max_capacity=3", "-var", "mlflow_backend=file"]);
    expect(back.code).not.toBe(0);
    const refusal = back.stderr.replace(/\s+/g, " ");
    expect(refusal).toContain("Resource aws_db_instance.mlflow_database_instance[0] has lifecycle.prevent_destroy set");
    const kept = await terraform(dir, moto, [
      "plan",
      "-input=false",
      "-detailed-exitcode",
      "-var",
      "ui_max_capacity=3",
      "-var",
      "mlflow_backend=file",
      "-var",
      "mlflow_database_retained=true",
    ]);
    expect(kept.code, kept.stderr).toBe(2);
    expect(kept.stdout).not.toMatch(/aws_db_instance\.mlflow_database_instance\[0\] (will be destroyed|must be replaced)/);
    expect(kept.stdout).toContain("aws_ecs_task_definition.mlflow[0] must be replaced");
  });

  it("mlflow migrate --dry-run runs MLflow's task definition with the migration program, in MLflow's network, and counts a store the test made", async () => {
    const store = makeFileStore();
    const cluster = out<string>("ecs_cluster_name");
    const command = ops(["mlflow", "migrate", "--dry-run", "--timeout", "60"]);
    let finished = false;
    const result = command.finally(() => {
      finished = true;
    });
    let seen: { overrides: { containerOverrides: { command: string[]; environment: { name: string; value: string }[] }[] } } | undefined;
    while (!finished && !seen) {
      const arns = awsCall(moto, "ecs", "list_tasks", { cluster, desiredStatus: "RUNNING" }).taskArns as string[];
      for (const arn of arns) {
        const [task] = awsCall(moto, "ecs", "describe_tasks", { cluster, tasks: [arn] }).tasks as {
          taskDefinitionArn: string;
          group?: string;
          attachments?: unknown;
          overrides: { containerOverrides: { command: string[]; environment: { name: string; value: string }[] }[] };
        }[];
        if (task.taskDefinitionArn !== out<Record<string, string>>("ecs_task_definition_arns").mlflow) continue;
        seen = task;
        // Play Fargate: the task definition's environment, then the overrides, the store at its mount point's stand-in.
        const definition = awsCall(moto, "ecs", "describe_task_definition", { taskDefinition: task.taskDefinitionArn }).taskDefinition as {
          containerDefinitions: { environment: { name: string; value: string }[] }[];
        };
        const override = task.overrides.containerOverrides[0];
        const env = Object.fromEntries(
          [...definition.containerDefinitions[0].environment, ...override.environment].map((e) => [e.name, e.value]),
        );
        const [program, ...args] = override.command;
        expect(program).toBe("python");
        expect(env.OPS_MIGRATE_MODE).toBe("dry-run");
        const run = spawnSync(PYTHON, args, {
          encoding: "utf8",
          env: { PATH: process.env.PATH, ...env, OPS_MLFLOW_STORE: store, MLFLOW_DB_USERNAME: "mlflow", MLFLOW_DB_PASSWORD: "x" },
        });
        awsCall(moto, "ecs", "stop_task", { cluster, task: arn, reason: `Essential container in task exited (${run.status})` });
      }
      await new Promise((r) => setTimeout(r, 300));
    }
    const done = await result;
    expect(seen, "the migration task was started").toBeDefined();
    // This machine has no MLflow: the program counts the file store, then says it needs MLflow's image to reach the database.
    expect(done.code, done.stdout + done.stderr).toBe(3);
    expect(done.stderr).toContain("cannot import MLflow's stores");
    expect(done.stderr).toContain("run this in the MLflow image, with psycopg2 installed");
    expect(done.stderr).toContain("(file store: 3 experiment(s), 4 run(s))");
    fs.rmSync(store, { recursive: true, force: true });
  });

  it("status --wait fails naming the service, both revisions and the stopped task's reason when ECS rolled a deploy back", async () => {
    const cluster = out<string>("ecs_cluster_name");
    const registered = out<Record<string, string>>("ecs_task_definition_arns").tensorboard;
    // What ECS leaves after the circuit breaker's rollback: the new revision's task stopped, the service on the previous one.
    const started = awsCall(moto, "ecs", "run_task", {
      cluster,
      taskDefinition: registered,
      launchType: "FARGATE",
      group: "service:autovision-tensorboard",
      networkConfiguration: { awsvpcConfiguration: { subnets: out<string[]>("private_subnet_ids"), securityGroups: [] } },
    }).tasks as { taskArn: string }[];
    awsCall(moto, "ecs", "stop_task", {
      cluster,
      task: started[0].taskArn,
      reason: "Task failed container health checks",
    });
    awsCall(moto, "ecs", "update_service", { cluster, service: "autovision-tensorboard", taskDefinition: "autovision-tensorboard:1" });

    const run = await ops(["status", "--wait", "--timeout", "30"]);
    expect(run.code, run.stdout + run.stderr).toBe(3);
    expect(run.stdout).toMatch(/tensorboard\s*│\s*autovision-tensorboard:2\s*│\s*autovision-tensorboard:1\s*│.*ROLLED BACK/);
    expect(run.stdout).toContain(
      "tensorboard (autovision-tensorboard) runs autovision-tensorboard:1, not autovision-tensorboard:2 that the apply registered: ECS rolled the deploy back",
    );
    expect(run.stdout).toContain("stopped task: Task failed container health checks");
    expect(run.stdout).toMatch(/api\s*│.*deployed/);
    expect(run.stdout).toContain("the deploy did NOT land");

    const json = JSON.parse((await ops(["--json", "status", "--wait", "--timeout", "5"])).stdout) as {
      ok: boolean;
      services: { key: string; verdict: string }[];
    };
    expect(json.ok).toBe(false);
    expect(json.services.filter((s) => s.verdict !== "deployed").map((s) => `${s.key}:${s.verdict}`)).toEqual(["tensorboard:rolled-back"]);
  });
});
