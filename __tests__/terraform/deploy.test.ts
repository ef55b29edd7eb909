/**
 * The synthesized root, run as the team runs it: real terraform, the real
 * AWS provider from the offline mirror, the real S3 backend, against moto.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import contract from "../fixtures/legacy-contract.json";
import forceNew from "../fixtures/force-new.json";
import { INTENDED_CHANGES } from "../../platform/intended-changes";
import { alarmLogicalId, serviceAlarmKinds } from "../../platform/alarms";
import { plannedValues, sameKnown, type Values } from "./plan-values";
import {
  type AppliedPlatform,
  appliedPlatform,
  awsCall,
  checkTools,
  copyRoot,
  expectOk,
  importTestCertificate,
  init,
  make,
  platformBuild,
  PROJECT_DIR,
  runCommand,
  planJson,
  resourcesOf,
  startMoto,
  stateJson,
  SYNTH_DIR,
  terraform,
  terraformOk,
  timing,
  type Moto,
  type StateJson,
  NO_REFRESH,
  valuesAt,
} from "./harness";

const SERVICE_ONLY_TYPES = [
  "aws_ecs_task_definition",
  "aws_ecs_service",
  "aws_lb_target_group",
  "aws_lb_listener",
  "aws_appautoscaling_target",
  "aws_appautoscaling_policy",
];

const DESTROY_SCRIPT = path.join(PROJECT_DIR, "scripts", "destroy-infrastructure.sh");

/** The run's shared applied platform, deployed from nothing with make deploy-infra and make deploy-services. */
let moto: Moto;
let dir: string;
/** An emulator with nothing in it, for what needs a fresh state: the plan of every attribute, the input checks. */
let fresh: Moto;
let freshDir: string;
let platform: Promise<AppliedPlatform>;

function addresses(state: StateJson): string[] {
  return (state.values?.root_module.resources ?? []).map((r) => r.address).filter((a) => !a.startsWith("data."));
}

/** How our planned value of a replacement-forcing attribute differs from the live one; undefined when it holds. */
function forceNewDifference(address: string, attribute: string, live: unknown, ours: Values | undefined): string | undefined {
  if (!ours) return `${address}: not planned`;
  if (!(attribute in ours)) return `${address} ${attribute}: live ${JSON.stringify(live)}, ours unknown until apply`;
  if (!sameKnown(live, ours[attribute]))
    return `${address} ${attribute}: live ${JSON.stringify(live)}, ours ${JSON.stringify(ours[attribute])}`;
  return undefined;
}

describe("the synthesized root against the AWS emulator", () => {
  beforeAll(async () => {
    checkTools();
    // The shared platform builds (or is restored) while the fresh-state checks run.
    platform = appliedPlatform("deploy");
    platform.catch(() => undefined); // its failure is reported by the tests that await it
    fresh = await startMoto();
    freshDir = copyRoot(SYNTH_DIR, "deploy-fresh");
    timing("deploy suite: init", (await init(freshDir, fresh)).seconds);
  });

  afterAll(async () => {
    await Promise.all([moto?.stop(), fresh?.stop()]);
    for (const d of [dir, freshDir]) if (d) fs.rmSync(d, { recursive: true, force: true });
  });

  it("validates with the real provider and no warnings", async () => {
    const run = await terraformOk(freshDir, fresh, ["validate", "-json"]);
    const result = JSON.parse(run.stdout) as { valid: boolean; warning_count: number; diagnostics: { summary: string }[] };
    expect(result.valid).toBe(true);
    expect(result.diagnostics.map((d) => d.summary)).toEqual([]);
    expect(result.warning_count).toBe(0);
  });

  it("plans every attribute that forces replacement with the live platform's value (fresh state, default variables)", async () => {
    const { plan } = await planJson(freshDir, fresh);
    fs.rmSync(path.join(freshDir, "tfplan"));
    const planned = plannedValues(plan);
    const live = (
      JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "__tests__", "fixtures", "legacy-values.json"), "utf8")) as {
        resources: Record<string, { type: string; values: Values }>;
      }
    ).resources;
    const types = forceNew.types as Record<string, { attributes: string[] }>;
    // Task definition revisions are the intended replacements; their other attributes must hold.
    // (An entry naming a part, container_definitions/<c>/…, covers the attribute it is part of.)
    const intended = new Set(INTENDED_CHANGES.filter((c) => c.kind === "replace").map((c) => `${c.address} ${c.attribute.split("/")[0]}`));
    const checks = Object.entries(live).flatMap(([address, { type, values }]) =>
      [...new Set((types[type]?.attributes ?? []).map((a) => a.split(".")[0]))]
        .filter((attribute) => attribute in values && !intended.has(`${address} ${attribute}`))
        .map((attribute) => forceNewDifference(address, attribute, values[attribute], planned[address])),
    );
    const checked = checks.length;
    const differences = checks.filter((d): d is string => d !== undefined);
    console.log(`[force-new] ${checked} replacement-forcing attribute values of the live platform checked`);
    expect(checked).toBeGreaterThan(100);
    expect(differences).toEqual([]);
  });

  it("refuses bad input, naming each variable and what is allowed", async () => {
    const bad: Record<string, string> = {
      az_count: "1",
      api_memory: "3000",
      env_mode: "staging",
      mlflow_artifacts_bucket: "Bad_Bucket",
      ecr_repository_name: "-repo",
      ui_health_check_path: "health",
      api_max_capacity: "0",
      tensorboard_port: "8000",
      scaling_cpu_target_percentage: "150",
      alb_ingress_cidr_blocks: '["not-a-cidr"]',
      efs_provisioned_throughput_mibps: "0",
    };
    const args = Object.entries(bad).flatMap(([k, v]) => ["-var", `${k}=${v}`]);
    const run = await terraform(freshDir, fresh, ["plan", "-input=false", "-lock=false", ...args]);
    expect(run.code).toBe(1);
    const errors = run.stderr.replace(/\s*│\s*/g, " ");
    for (const name of Object.keys(bad)) {
      expect(errors, `the error for ${name}`).toMatch(new RegExp(`${name} must`));
    }
    expect(errors).toContain("az_count must be a whole number from 2 to 6");
    // Alone: Terraform skips all of a variable's rules when one reads another variable that failed (environment's
    // length rules read mlflow_artifacts_bucket), so a bad environment shows once the bucket name is right.
    const env = await terraform(freshDir, fresh, ["plan", "-input=false", "-lock=false", "-var", "environment=QA-1"]);
    expect(env.code).toBe(1);
    expect(env.stderr.replace(/\s*│\s*/g, " ")).toContain("environment must be 2-10 lower-case letters or digits, starting with a letter");
    expect(errors).toContain("tensorboard_port must differ from api_port, ui_port, mlflow_port");
  });

  // The two phases from nothing are the shared platform's build (harness.ts: platformBuild), checked here.
  it("deploys the base infrastructure only with create_ecs_services=false (make deploy-infra)", async () => {
    const { deployInfra: run, infraState: state } = await platformBuild();
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("create_ecs_services=false");
    for (const type of SERVICE_ONLY_TYPES) expect(resourcesOf(state, type), type).toHaveLength(0);
    for (const address of [
      "aws_vpc.main",
      "aws_efs_file_system.experiments",
      "aws_lb.main",
      "aws_ecs_cluster.main",
      "aws_ecr_repository.autovisionai",
    ]) {
      expect(addresses(state)).toContain(address);
    }
    expect(contract.outputs.filter((o) => !(o in (state.values?.outputs ?? {})))).toEqual([]);
  });

  it("then deploys the full platform, holding every legacy address (make deploy-services)", async () => {
    const run = (await platformBuild()).deployServices;
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("create_ecs_services=true");
    ({ moto, dir } = await platform);
    const state = await stateJson(dir, moto);
    const present = addresses(state);
    expect(contract.addresses.filter((a) => !present.includes(a))).toEqual([]);
  });

  it("outputs every contract output with the right value", async () => {
    const state = await stateJson(dir, moto);
    // The harness reads the state with terraform state pull: what terraform show -json shows, resource by resource.
    const shown = JSON.parse((await terraformOk(dir, moto, ["show", "-json"])).stdout) as StateJson;
    const byAddress = (s: StateJson) => Object.fromEntries((s.values?.root_module.resources ?? []).map((r) => [r.address, r.values]));
    expect(byAddress(state)).toEqual(byAddress(shown));
    expect(state.values?.outputs).toEqual(
      Object.fromEntries(Object.entries(shown.values?.outputs ?? {}).map(([name, o]) => [name, { value: o.value }])),
    );
    const raw = await terraformOk(dir, moto, ["output", "-raw", "efs_file_system_id"]);
    expect(raw.stdout).toBe(valuesAt(state, "aws_efs_file_system.experiments").id);
    expect(raw.stdout).toMatch(/^fs-[0-9a-f]+$/);
    const outputs = JSON.parse((await terraformOk(dir, moto, ["output", "-json"])).stdout) as Record<string, { value: unknown }>;
    expect(contract.outputs.filter((o) => !(o in outputs))).toEqual([]);
    const dns = valuesAt(state, "aws_lb.main").dns_name as string;
    expect(outputs.alb_hostname.value).toBe(dns);
    for (const [key, port] of [
      ["api", 8000],
      ["ui", 8501],
      ["mlflow", 8080],
      ["tensorboard", 6006],
    ] as const) {
      expect(outputs[`${key}_url`].value).toBe(`http://${dns}:${port}`);
    }
    expect(outputs.public_subnet_ids.value).toHaveLength(2);
    expect(outputs.private_subnet_ids.value).toHaveLength(2);
    expect(outputs.vpc_id.value).toBe(valuesAt(state, "aws_vpc.main").id);
    expect(outputs.s3_bucket_name.value).toBe("autovision-mlflow-artifacts");
    expect(outputs.ecs_cluster_name.value).toBe("autovisionai");
    expect(outputs.ecr_repository_url.value).toMatch(/\.dkr\.ecr\.us-west-1\.amazonaws\.com\/autovisionai$/);
  });

  it("created the experiments file system as the design document says (read from the emulator)", async () => {
    const fsId = (await terraformOk(dir, moto, ["output", "-raw", "efs_file_system_id"])).stdout;
    const [fileSystem] = awsCall(moto, "efs", "describe_file_systems", { FileSystemId: fsId }).FileSystems as Record<string, unknown>[];
    expect(fileSystem).toMatchObject({
      Encrypted: true,
      PerformanceMode: "generalPurpose",
      ThroughputMode: "provisioned",
      ProvisionedThroughputInMibps: 100,
      CreationToken: "autovisionai-experiments",
    });
    const lifecycle = awsCall(moto, "efs", "describe_lifecycle_configuration", { FileSystemId: fsId });
    expect(lifecycle.LifecyclePolicies).toEqual([{ TransitionToIA: "AFTER_30_DAYS" }]);
    const accessPoints = awsCall(moto, "efs", "describe_access_points", { FileSystemId: fsId }).AccessPoints as {
      RootDirectory: { Path: string };
    }[];
    // The services' experiments, MLflow's store, and the file system's root for the transfer task alone (AWS Backup's restores).
    expect(accessPoints.map((a) => a.RootDirectory.Path).sort()).toEqual(["/", "/app/experiments", "/app/mlruns"]);
    expect(accessPoints.find((a) => a.RootDirectory.Path === "/app/experiments")).toMatchObject({
      PosixUser: { Uid: 1000, Gid: 1000 },
      RootDirectory: { Path: "/app/experiments", CreationInfo: { OwnerUid: 1000, OwnerGid: 1000, Permissions: "755" } },
    });
    // MLflow's tracking store: its own directory, closed to other users.
    expect(accessPoints.find((a) => a.RootDirectory.Path === "/app/mlruns")).toMatchObject({
      PosixUser: { Uid: 1000, Gid: 1000 },
      RootDirectory: { CreationInfo: { OwnerUid: 1000, OwnerGid: 1000, Permissions: "750" } },
    });
    const outputs = JSON.parse((await terraformOk(dir, moto, ["output", "-json"])).stdout) as Record<string, { value: string[] }>;
    const mountTargets = awsCall(moto, "efs", "describe_mount_targets", { FileSystemId: fsId }).MountTargets as { SubnetId: string }[];
    expect(mountTargets.map((m) => m.SubnetId).sort()).toEqual([...outputs.private_subnet_ids.value].sort());
    const policy = JSON.parse(awsCall(moto, "efs", "describe_file_system_policy", { FileSystemId: fsId }).Policy as string) as {
      Statement: { Effect: string; Condition?: Record<string, Record<string, string>> }[];
    };
    expect(policy.Statement).toContainEqual(
      expect.objectContaining({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
    );
    expect(awsCall(moto, "efs", "describe_backup_policy", { FileSystemId: fsId }).BackupPolicy).toEqual({ Status: "ENABLED" });
  });

  it("runs the mount matrix: API rw, UI ro, TensorBoard rw, MLflow none (its own store only), over TLS with IAM", async () => {
    const expected = { api: false, ui: true, tensorboard: false } as Record<string, boolean>;
    for (const [key, family] of [
      ["api", "autovision-api"],
      ["ui", "autovision-ui"],
      ["mlflow", "autovision-mlflow"],
      ["tensorboard", "autovision-tensorboard"],
    ]) {
      const td = awsCall(moto, "ecs", "describe_task_definition", { taskDefinition: family }).taskDefinition as {
        volumes: { name: string; efsVolumeConfiguration: Record<string, unknown> }[];
        containerDefinitions: {
          name: string;
          mountPoints: { containerPath: string; readOnly: boolean }[];
          secrets?: unknown[];
          environment?: { name: string }[];
        }[];
        cpu: string;
      };
      const container = td.containerDefinitions[0];
      expect(container.name).toBe(key);
      if (key in expected) {
        expect(td.volumes).toHaveLength(1);
        expect(td.volumes[0].efsVolumeConfiguration).toMatchObject({
          transitEncryption: "ENABLED",
          authorizationConfig: { iam: "ENABLED" },
        });
        expect(container.mountPoints).toEqual([
          { sourceVolume: "experiments-volume", containerPath: "/app/experiments", readOnly: expected[key] },
        ]);
      } else {
        // MLflow: no experiments volume; its tracking store through its own access point, read-write.
        expect(td.volumes.map((v) => v.name)).toEqual(["mlflow-store"]);
        expect(td.volumes[0].efsVolumeConfiguration).toMatchObject({
          transitEncryption: "ENABLED",
          authorizationConfig: { iam: "ENABLED" },
        });
        expect(container.mountPoints).toEqual([{ sourceVolume: "mlflow-store", containerPath: "/app/mlruns", readOnly: false }]);
      }
      expect((container.environment ?? []).map((e) => e.name)).not.toContain("WANDB_API_KEY");
    }
  });

  it("keeps logs, artifacts and images as the contract says (read from the emulator)", async () => {
    const groups = awsCall(moto, "logs", "describe_log_groups", { logGroupNamePrefix: "/ecs/" }).logGroups as {
      logGroupName: string;
      retentionInDays: number;
    }[];
    expect(groups.map((g) => [g.logGroupName, g.retentionInDays]).sort()).toEqual(
      ["/ecs/autovision-api", "/ecs/autovision-mlflow", "/ecs/autovision-tensorboard", "/ecs/autovision-ui"].map((n) => [n, 30]),
    );
    const bucket = { Bucket: "autovision-mlflow-artifacts" };
    expect(awsCall(moto, "s3", "get_bucket_versioning", bucket).Status).toBe("Enabled");
    expect(JSON.stringify(awsCall(moto, "s3", "get_bucket_encryption", bucket))).toContain("AES256");
    expect(awsCall(moto, "s3", "get_public_access_block", bucket).PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    });
    const rules = awsCall(moto, "s3", "get_bucket_lifecycle_configuration", bucket).Rules as Record<string, unknown>[];
    expect(rules).toEqual([
      expect.objectContaining({ ID: "delete_old_versions", Status: "Enabled", NoncurrentVersionExpiration: { NoncurrentDays: 90 } }),
      expect.objectContaining({
        ID: "transition_to_ia",
        Status: "Enabled",
        Transitions: [
          { Days: 30, StorageClass: "STANDARD_IA" },
          { Days: 60, StorageClass: "GLACIER" },
        ],
      }),
      expect.objectContaining({
        ID: "abort_incomplete_uploads",
        Status: "Enabled",
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
      }),
    ]);
    expect(awsCall(moto, "s3", "get_bucket_policy", bucket).Policy).toContain("aws:SecureTransport");
    const ecr = JSON.parse(
      awsCall(moto, "ecr", "get_lifecycle_policy", { repositoryName: "autovisionai" }).lifecyclePolicyText as string,
    ) as { rules: { selection: Record<string, unknown> }[] };
    expect(ecr.rules.map((r) => r.selection)).toEqual([
      { tagStatus: "tagged", tagPrefixList: ["v"], countType: "imageCountMoreThan", countNumber: 12 },
      { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 1 },
    ]);
  });

  it("plans no change right after apply (no perpetual diff)", async () => {
    const run = await terraform(dir, moto, ["plan", "-input=false", "-detailed-exitcode"]);
    timing("second plan", run.seconds);
    expect(run.stdout).toContain("No changes.");
    expect(run.code).toBe(0);
  });

  it("cdktf diff (make diff) sees the same configuration and the same S3 state: no changes", async () => {
    const run = expectOk(await make(dir, moto, "diff"), "make diff");
    timing("make diff (cdktf diff)", run.seconds);
    expect(run.stdout).toContain("No changes.");
  });

  it("cdktf deploy (make deploy) applies the same stack to the same state: nothing to do", async () => {
    const run = expectOk(await make(dir, moto, "deploy", { AUTO_APPROVE: "1" }), "make deploy");
    timing("make deploy (cdktf deploy)", run.seconds);
    expect(run.stdout).toMatch(/No changes|Apply complete! Resources: 0 added, 0 changed, 0 destroyed/);
    const again = await terraform(dir, moto, ["plan", "-input=false", "-detailed-exitcode"]);
    expect(again.code).toBe(0);
  });

  it("applies a user's terraform.tfvars", async () => {
    const tfvars = path.join(dir, "terraform.tfvars");
    fs.writeFileSync(tfvars, 'api_cpu = 512\napi_memory = 1024\nalb_ingress_cidr_blocks = ["10.0.0.0/8"]\n');
    try {
      const { plan } = await planJson(dir, moto, [NO_REFRESH]);
      const td = plan.resource_changes?.find((c) => c.address === "aws_ecs_task_definition.api[0]");
      expect(td?.change.after).toMatchObject({ cpu: "512", memory: "1024" });
      const alb = plan.resource_changes?.find((c) => c.address === "aws_security_group.alb");
      expect(alb?.change.actions).toEqual(["update"]);
      for (const rule of (alb?.change.after as { ingress: { cidr_blocks: string[] }[] } | undefined)?.ingress ?? [])
        expect(rule.cidr_blocks).toEqual(["10.0.0.0/8"]);
    } finally {
      fs.rmSync(tfvars);
      fs.rmSync(path.join(dir, "tfplan"), { force: true });
    }
  });

  it("with a certificate, plans HTTPS: the UI on 443, 80 and the UI port redirected, the other ports on TLS", async () => {
    const cert = "arn:aws:acm:us-west-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789";
    try {
      const { plan } = await planJson(dir, moto, [NO_REFRESH, "-var", `alb_certificate_arn=${cert}`]);
      const change = (address: string) => plan.resource_changes?.find((c) => c.address === address);
      expect(change("aws_lb_listener.https[0]")?.change).toMatchObject({
        actions: ["create"],
        after: { port: 443, protocol: "HTTPS", certificate_arn: cert },
      });
      expect(change("aws_lb_listener.http_redirect[0]")?.change).toMatchObject({ actions: ["create"], after: { port: 80 } });
      expect(change("aws_lb_listener_rule.https_redirect[0]")?.change.actions).toEqual(["create"]);
      for (const key of ["api", "mlflow", "tensorboard"]) {
        expect(change(`aws_lb_listener.${key}[0]`)?.change).toMatchObject({
          actions: ["update"],
          after: { protocol: "HTTPS", certificate_arn: cert },
        });
      }
      const dns = (await stateJson(dir, moto)).values?.outputs?.alb_hostname.value;
      expect(plan.output_changes?.ui_url.after).toBe(`https://${dns}`);
      expect(plan.output_changes?.api_url.after).toBe(`https://${dns}:8000`);
      expect((plan.resource_changes ?? []).filter((c) => c.change.actions.includes("delete")).map((c) => c.address)).toEqual([
        "aws_ecs_task_definition.ui[0]", // its MLFLOW/TENSORBOARD_EXTERNAL_URL become https
      ]);
    } finally {
      fs.rmSync(path.join(dir, "tfplan"), { force: true });
    }
  });

  it("with mlflow_public and tensorboard_public false, plans them off the ALB and keeps the services", async () => {
    try {
      const { plan } = await planJson(dir, moto, [NO_REFRESH, "-var", "mlflow_public=false", "-var", "tensorboard_public=false"]);
      const deleted = (plan.resource_changes ?? [])
        .filter((c) => c.change.actions.includes("delete"))
        .map((c) => c.address)
        .sort();
      expect(deleted).toEqual(
        [
          "aws_lb_listener.mlflow[0]",
          "aws_lb_listener.tensorboard[0]",
          "aws_lb_target_group.mlflow[0]",
          "aws_lb_target_group.tensorboard[0]",
          "aws_ecs_task_definition.ui[0]", // its MLFLOW/TENSORBOARD_EXTERNAL_URL become empty
          // Their target groups' alarms (docs/ALARMS.md) go with the target groups.
          ...["mlflow", "tensorboard"].flatMap((key) =>
            serviceAlarmKinds()
              .filter((k) => k.scope === "target-group")
              .map((k) => `aws_cloudwatch_metric_alarm.${alarmLogicalId(k, key)}[0]`),
          ),
        ].sort(),
      );
      for (const key of ["mlflow", "tensorboard"]) {
        const service = plan.resource_changes?.find((c) => c.address === `aws_ecs_service.${key}[0]`);
        expect(service?.change.actions).toEqual(["update"]);
        expect((service?.change.after as { load_balancer: unknown[] } | undefined)?.load_balancer).toEqual([]);
        expect(plan.output_changes?.[`${key}_url`].after).toBe("");
      }
    } finally {
      fs.rmSync(path.join(dir, "tfplan"), { force: true });
    }
  });

  it("applies HTTPS and private MLflow/TensorBoard for real, re-plans empty, and goes back", async () => {
    const cert = importTestCertificate(moto);
    const vars = ["-var", `alb_certificate_arn=${cert}`, "-var", "mlflow_public=false", "-var", "tensorboard_public=false"];
    const applied = await terraformOk(dir, moto, ["apply", "-input=false", "-auto-approve", ...vars]);
    timing("apply with HTTPS and private MLflow/TensorBoard", applied.seconds);
    const listeners = awsCall(moto, "elbv2", "describe_listeners", {
      LoadBalancerArn: valuesAt(await stateJson(dir, moto), "aws_lb.main").arn,
    }).Listeners as { Port: number; Protocol: string }[];
    expect(listeners.map((l) => `${l.Port}/${l.Protocol}`).sort()).toEqual(["443/HTTPS", "80/HTTP", "8000/HTTPS", "8501/HTTP"]);
    const again = await terraform(dir, moto, ["plan", "-input=false", "-detailed-exitcode", ...vars]);
    expect(again.stdout).toContain("No changes.");
    expect(again.code).toBe(0);
    const back = await terraformOk(dir, moto, ["apply", "-input=false", "-auto-approve"]);
    timing("apply back to the defaults", back.seconds);
    const plain = await terraform(dir, moto, ["plan", "-input=false", "-detailed-exitcode"]);
    expect(plain.code, plain.stdout).toBe(0);
  });

  it("refuses a second run while the S3 lock is held", async () => {
    let holder: ChildProcess | undefined;
    // A change to approve (one autoscaling target), so that apply stops at its prompt.
    const held = terraform(dir, moto, ["apply", "-input=true", NO_REFRESH, "-var", "scaling_cpu_target_percentage=71"], {
      onStart: (c) => (holder = c),
    });
    // The holder waits at the approval prompt, holding the lock.
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("apply never reached its approval prompt")), 120_000);
      let seen = "";
      holder?.stdout?.on("data", (d: Buffer) => {
        seen += d.toString();
        if (seen.includes("Enter a value")) {
          clearTimeout(timer);
          resolve();
        }
      });
      holder?.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`the lock holder exited (${code}) before its approval prompt:\n${seen.slice(-2000)}`));
      });
    });
    const second = await terraform(dir, moto, ["plan", "-input=false", "-lock-timeout=0s"]);
    holder?.stdin?.end("no\n");
    const first = await held;
    expect(second.code).toBe(1);
    expect(second.stderr).toContain("Error acquiring the state lock");
    expect(first.stdout).toContain("Apply cancelled");
  });

  it("the destroy script changes nothing unless the cluster name is typed", async () => {
    const run = await runCommand("bash", [DESTROY_SCRIPT], PROJECT_DIR, moto, { input: "yes\n", env: { TF_DIR: dir } });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("not confirmed; nothing was changed");
    expect(addresses(await stateJson(dir, moto))).toContain("aws_ecs_cluster.main");
  });

  it("the destroy script empties the bucket and the repository, then destroys the whole platform, alarms and alerts included", async () => {
    // Data the script must clear first: two versions of an artifact and an image.
    const bucket = "autovision-mlflow-artifacts";
    awsCall(moto, "s3", "put_object", { Bucket: bucket, Key: "runs/1/model.pkl", Body: "v1" });
    awsCall(moto, "s3", "put_object", { Bucket: bucket, Key: "runs/1/model.pkl", Body: "v2" });
    awsCall(moto, "ecr", "put_image", {
      repositoryName: "autovisionai",
      imageTag: "app",
      imageManifest: JSON.stringify({
        schemaVersion: 2,
        mediaType: "application/vnd.docker.distribution.manifest.v2+json",
        config: { digest: "sha256:1", size: 1, mediaType: "application/vnd.docker.container.image.v1+json" },
        layers: [],
      }),
    });
    // What the alarms add (docs/ALARMS.md) goes too: there before, checked gone after.
    const alarmsAndAlerts = () => ({
      alarms: (
        awsCall(moto, "cloudwatch", "describe_alarms", { AlarmNamePrefix: "autovisionai-", MaxRecords: 100 }).MetricAlarms as unknown[]
      ).length,
      topics: (awsCall(moto, "sns", "list_topics").Topics as unknown[]).length,
      dashboards: (awsCall(moto, "cloudwatch", "list_dashboards").DashboardEntries as unknown[]).length,
      rules: (awsCall(moto, "events", "list_rules").Rules as unknown[]).length,
      keyAlias: (awsCall(moto, "kms", "list_aliases").Aliases as { AliasName: string }[]).some(
        (a) => a.AliasName === "alias/autovisionai-alerts",
      ),
    });
    const present = alarmsAndAlerts();
    for (const kind of ["alarms", "topics", "dashboards", "rules"] as const) expect(present[kind], kind).toBeGreaterThan(0);
    expect(present.keyAlias).toBe(true);
    const run = await runCommand("bash", [DESTROY_SCRIPT], PROJECT_DIR, moto, { input: "autovisionai\n", env: { TF_DIR: dir } });
    expect(run.code, run.stderr + run.stdout.slice(-3000)).toBe(0);
    timing("destroy script (terraform destroy included)", run.seconds);
    expect(run.stdout).toContain("destroyed: nothing of the platform is left");
    expect(addresses(await stateJson(dir, moto))).toEqual([]);
    expect((awsCall(moto, "s3", "list_buckets").Buckets as { Name: string }[]).map((b) => b.Name)).not.toContain(bucket);
    expect(alarmsAndAlerts()).toEqual({ alarms: 0, topics: 0, dashboards: 0, rules: 0, keyAlias: false });
  });
});
