/**
 * Hardening and cost options, and applies that survive interruption, against
 * the emulator, on the shared applied platform (appliedPlatform: the default
 * variables, both phases): autoscaling keeps the count it chose; ECS Exec,
 * Fargate Spot, interface endpoints and another EFS throughput mode apply,
 * stopped mid-way and run again, re-plan empty and go back.
 */
import type { ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  appliedPlatform,
  awsCall,
  checkTools,
  planJson,
  PROJECT_DIR,
  runCommand,
  stateJson,
  terraform,
  terraformOk,
  timing,
  type Moto,
  NO_REFRESH,
  valuesAt,
} from "./harness";

let moto: Moto;
let dir: string;

const OPTIONS = [
  "create_ecs_services=true",
  "ecs_exec_enabled=true",
  "ui_spot_percent=70",
  "tensorboard_spot_percent=100",
  'vpc_interface_endpoints=["logs","secretsmanager"]',
  "efs_throughput_mode=elastic",
].flatMap((v) => ["-var", v]);

async function planIsEmpty(extra: readonly string[] = []): Promise<void> {
  const run = await terraform(dir, moto, ["plan", "-input=false", "-detailed-exitcode", ...extra]);
  expect(run.code, run.stdout.slice(-3000)).toBe(0);
}

describe("hardening options and interrupted applies", () => {
  beforeAll(async () => {
    checkTools();
    ({ moto, dir } = await appliedPlatform("hardening"));
  }, 900_000);

  afterAll(async () => {
    await moto?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("puts an S3 gateway endpoint on the private route table by default", async () => {
    const endpoints = awsCall(moto, "ec2", "describe_vpc_endpoints").VpcEndpoints as {
      ServiceName: string;
      VpcEndpointType: string;
      RouteTableIds: string[];
    }[];
    const s3 = endpoints.filter((e) => e.ServiceName === "com.amazonaws.us-west-1.s3");
    expect(s3).toHaveLength(1);
    expect(s3[0].VpcEndpointType).toBe("Gateway");
    expect(s3[0].RouteTableIds).toHaveLength(1);
  });

  it("leaves the running count to autoscaling: a count it changed is not reset by the next apply", async () => {
    awsCall(moto, "ecs", "update_service", { cluster: "autovisionai", service: "autovision-ui", desiredCount: 2 });
    await planIsEmpty();
    const [service] = awsCall(moto, "ecs", "describe_services", { cluster: "autovisionai", services: ["autovision-ui"] }).services as {
      desiredCount: number;
    }[];
    expect(service.desiredCount).toBe(2);
  });

  it("switching the EFS throughput mode is an in-place update", async () => {
    const { plan } = await planJson(dir, moto, [NO_REFRESH, "-var", "efs_throughput_mode=elastic"]);
    fs.rmSync(path.join(dir, "tfplan"));
    const fileSystem = (plan.resource_changes ?? []).find((c) => c.address === "aws_efs_file_system.experiments");
    expect(fileSystem?.change.actions).toEqual(["update"]);
    expect(fileSystem?.change.after).toMatchObject({ throughput_mode: "elastic", provisioned_throughput_in_mibps: null });
  });

  it("an apply of the options stopped mid-way (SIGTERM, as a cancelled CI job) releases the lock, and a re-run converges", async () => {
    let child: ChildProcess | undefined;
    let seen = "";
    // The options' plan, applied one change at a time (-parallelism=1) and stopped as the first service's update
    // starts: what came before is done and recorded, the one change in flight is an update, which the next apply makes
    // again, and the other services' updates are still to come. Stopped at a moment of Terraform's usual ten changes
    // at a time, a create in flight may already exist in AWS and not in the state (docs/HARDENING.md: adopt it), and
    // which one is in flight is chance: the re-run failed on an "already exists" log group that way.
    const planFile = "interrupted.tfplan";
    await terraformOk(dir, moto, ["plan", "-input=false", `-out=${planFile}`, ...OPTIONS]);
    const interrupted = await terraform(dir, moto, ["apply", "-input=false", "-parallelism=1", planFile], {
      onStart: (c) => {
        child = c;
        c.stdout?.on("data", (d: Buffer) => {
          seen += d.toString();
          if (/aws_ecs_service\.[^:\n]+: Modifying\.\.\./.test(seen) && !c.killed) c.kill("SIGTERM");
        });
      },
    });
    fs.rmSync(path.join(dir, planFile));
    expect(child?.killed).toBe(true);
    expect(interrupted.code, interrupted.stdout.slice(-3000)).not.toBe(0);
    expect(interrupted.stdout).toContain("Interrupt received");
    // The lock is released: a plan that will not wait for it gets it.
    const plan = await terraform(dir, moto, ["plan", "-input=false", "-lock-timeout=0s", ...OPTIONS]);
    expect(plan.stderr).not.toContain("Error acquiring the state lock");
    // The interruption left part of the options applied: the re-run has changes left to make.
    expect(plan.code, plan.stderr.slice(-3000)).toBe(0);
    expect(plan.stdout).not.toContain("No changes.");
    const rerun = await terraformOk(dir, moto, ["apply", "-input=false", "-auto-approve", ...OPTIONS]);
    timing("hardening suite: re-run after the interrupted apply", rerun.seconds);
    await planIsEmpty(OPTIONS);
  });

  it("with ECS Exec, Fargate Spot, interface endpoints and elastic throughput applied, each is in place; back to the defaults", async () => {
    const fsId = (await terraformOk(dir, moto, ["output", "-raw", "efs_file_system_id"])).stdout;
    const [fileSystem] = awsCall(moto, "efs", "describe_file_systems", { FileSystemId: fsId }).FileSystems as Record<string, unknown>[];
    expect(fileSystem.ThroughputMode).toBe("elastic");

    const [cluster] = awsCall(moto, "ecs", "describe_clusters", { clusters: ["autovisionai"], include: ["CONFIGURATIONS"] }).clusters as {
      configuration?: { executeCommandConfiguration?: { logging: string; logConfiguration: { cloudWatchLogGroupName: string } } };
    }[];
    expect(cluster.configuration?.executeCommandConfiguration).toMatchObject({
      logging: "OVERRIDE",
      logConfiguration: { cloudWatchLogGroupName: "/ecs/autovisionai-exec" },
    });
    const services = awsCall(moto, "ecs", "describe_services", {
      cluster: "autovisionai",
      services: ["autovision-ui", "autovision-api"],
    }).services as {
      serviceName: string;
      enableExecuteCommand: boolean;
      capacityProviderStrategy?: { capacityProvider: string; weight: number }[];
    }[];
    const ui = services.find((s) => s.serviceName === "autovision-ui");
    expect(ui?.enableExecuteCommand).toBe(true);
    expect(ui?.capacityProviderStrategy?.map((s) => [s.capacityProvider, s.weight]).sort()).toEqual([
      ["FARGATE", 30],
      ["FARGATE_SPOT", 70],
    ]);
    // The API is not Spot-eligible (platform/services.ts): it keeps the FARGATE launch type.
    expect(services.find((s) => s.serviceName === "autovision-api")?.capacityProviderStrategy ?? []).toEqual([]);
    const policies = awsCall(moto, "iam", "list_role_policies", { RoleName: "ecsTaskRole" }).PolicyNames as string[];
    expect(policies).toContain("ecsExecPolicy");
    const interfaces = (awsCall(moto, "ec2", "describe_vpc_endpoints").VpcEndpoints as { ServiceName: string; VpcEndpointType: string }[])
      .filter((e) => e.VpcEndpointType === "Interface")
      .map((e) => e.ServiceName)
      .sort();
    expect(interfaces).toEqual(["com.amazonaws.us-west-1.logs", "com.amazonaws.us-west-1.secretsmanager"]);

    await planIsEmpty(OPTIONS);

    const back = await terraformOk(dir, moto, ["apply", "-input=false", "-auto-approve"]);
    timing("hardening suite: back to the defaults", back.seconds);
    await planIsEmpty();
    expect(awsCall(moto, "iam", "list_role_policies", { RoleName: "ecsTaskRole" }).PolicyNames).not.toContain("ecsExecPolicy");
  });

  it("a new MLflow task definition revision (a deploy, a restart) points at the same tracking store", async () => {
    const storeId = valuesAt(await stateJson(dir, moto), "aws_efs_access_point.mlflow_store").id;
    expect(storeId).toMatch(/^fsap-/);
    const before = awsCall(moto, "ecs", "describe_task_definition", { taskDefinition: "autovision-mlflow" }).taskDefinition as {
      revision: number;
    };
    const vars = ["-var", "mlflow_cpu=1024", "-var", "mlflow_memory=2048"];
    await terraformOk(dir, moto, ["apply", "-input=false", "-auto-approve", ...vars]);
    const after = awsCall(moto, "ecs", "describe_task_definition", { taskDefinition: "autovision-mlflow" }).taskDefinition as {
      revision: number;
      volumes: { name: string; efsVolumeConfiguration: { authorizationConfig: { accessPointId: string } } }[];
    };
    expect(after.revision).toBeGreaterThan(before.revision);
    expect(after.volumes.map((v) => [v.name, v.efsVolumeConfiguration.authorizationConfig.accessPointId])).toEqual([
      ["mlflow-store", storeId],
    ]);
    await planIsEmpty(vars);
  });

  it("make shell names the service, finds its task, and says why it cannot open a session", async () => {
    const run = await runCommand(
      "make",
      ["--no-print-directory", "-C", PROJECT_DIR, "shell", `TF_DIR=${dir}`, "SERVICE=notebook"],
      PROJECT_DIR,
      moto,
    );
    expect(run.code).not.toBe(0);
    expect(`${run.stdout}${run.stderr}`).toContain(
      "shell: SERVICE=notebook is not a service here: name one of api, mlflow, tensorboard, ui",
    );
    const api = await runCommand(
      "make",
      ["--no-print-directory", "-C", PROJECT_DIR, "shell", `TF_DIR=${dir}`, "SERVICE=api"],
      PROJECT_DIR,
      moto,
    );
    expect(api.code).not.toBe(0);
    // The emulator starts no tasks: the script says so instead of failing obscurely.
    expect(`${api.stdout}${api.stderr}`).toContain("shell: no running task of autovision-api in autovisionai");
  });
});
