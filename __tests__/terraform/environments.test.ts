/**
 * Environments, tried as the team would in one account (the emulator):
 * `make setup-backend` creates and sets up the state bucket and changes
 * nothing the second time (on an emulator of its own, with no bucket yet);
 * staging is deployed with the make targets beside prod (the run's shared
 * platform, which make deployed from nothing), each in its own state, with
 * names that do not collide;
 * `make push-secrets ENV=staging` puts the WANDB key where only Secrets
 * Manager holds it; destroying staging leaves prod as it was.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../temp";
import {
  appliedPlatform,
  awsCall,
  checkTools,
  copyRoot,
  expectOk,
  make,
  type Moto,
  PROJECT_DIR,
  REGION,
  type RunResult,
  runCommand,
  STATE_BUCKET,
  type RawState,
  type StateJson,
  stateFromRaw,
  SYNTH_DIR,
  startMoto,
  timing,
  valuesAt,
} from "./harness";

/** The run's shared applied platform (prod, deployed by make from nothing), where staging is deployed beside it. */
let moto: Moto;
let dir: string;
let envDir: string;
/** An emulator with no state bucket, for make setup-backend (its own work dir: the root's files, nothing applied). */
let bare: Moto;
let bareDir: string;
const states: Record<string, StateJson> = {};

/** A make target in ENV `env` (the suite's environments folder), with extra variables and process environment. */
function makeIn(
  env: string,
  target: string,
  vars: Record<string, string> = {},
  processEnv: Record<string, string> = {},
): Promise<RunResult> {
  return make(dir, moto, target, { ENV_DIR: envDir, ENV: env, ...vars }, { env: processEnv });
}

/** make setup-backend on the emulator that has no state bucket yet. */
function setupBackend(processEnv: Record<string, string> = {}): Promise<RunResult> {
  return make(bareDir, bare, "setup-backend", { ENV_DIR: envDir, ENV: "prod" }, { env: processEnv });
}

/** ENV's state through the make target (`terraform state pull`: no provider to start), shaped as `show -json` gives it. */
async function state(env: string): Promise<StateJson> {
  const run = expectOk(await makeIn(env, "tf", { ARGS: "state pull" }), `terraform state pull (ENV=${env})`);
  return stateFromRaw(JSON.parse(run.stdout.slice(run.stdout.indexOf("{"))) as RawState);
}

/** The setting rows setup-backend printed: setting name -> "created" | "set" | "unchanged". */
function settingRows(run: RunResult): Record<string, string> {
  const rows: Record<string, string> = {};
  for (const line of run.stdout.split("\n")) {
    const cells = line
      .split("│")
      .map((c) => c.trim())
      .filter((c) => c !== "");
    const action = cells.at(-1) ?? "";
    if (cells.length === 4 && ["created", "set", "unchanged"].includes(action)) rows[cells[0]] = action;
  }
  return rows;
}

/** Name-like attributes, by the resource types whose names are unique in an account or region. */
const UNIQUE_NAMES: Record<string, string> = {
  aws_iam_role: "name",
  aws_s3_bucket: "bucket",
  aws_ecr_repository: "name",
  aws_secretsmanager_secret: "name",
  aws_cloudwatch_log_group: "name",
  aws_ecs_cluster: "name",
  aws_lb: "name",
  aws_lb_target_group: "name",
  aws_ecs_task_definition: "family",
  aws_service_discovery_private_dns_namespace: "name",
  aws_efs_file_system: "creation_token",
  aws_backup_vault: "name",
  aws_sns_topic: "name",
  aws_kms_alias: "name",
  aws_cloudwatch_metric_alarm: "alarm_name",
  aws_cloudwatch_dashboard: "dashboard_name",
  aws_cloudwatch_event_rule: "name",
};

function namesOf(s: StateJson): Map<string, string> {
  const names = new Map<string, string>();
  for (const r of s.values?.root_module.resources ?? []) {
    const attr = UNIQUE_NAMES[r.type];
    const value = attr ? (r.values as Record<string, unknown>)[attr] : undefined;
    if (typeof value === "string") names.set(r.address, value);
  }
  return names;
}

describe("environments side by side in one account, and the state bucket", () => {
  beforeAll(async () => {
    checkTools();
    // No state bucket: make setup-backend makes it.
    bare = await startMoto({ stateBucket: false });
    bareDir = copyRoot(SYNTH_DIR, "envs-backend");
    envDir = tempDir("envs-vars");
    fs.copyFileSync(path.join(PROJECT_DIR, "environments", "staging.tfvars"), path.join(envDir, "staging.tfvars"));
  });

  afterAll(async () => {
    await Promise.all([moto?.stop(), bare?.stop()]);
    for (const d of [dir, bareDir]) if (d) fs.rmSync(d, { recursive: true, force: true });
  });

  it("make setup-backend creates the state bucket versioned, encrypted, private, TLS only, old states expiring; a second run changes nothing", async () => {
    const first = expectOk(await setupBackend(), "make setup-backend");
    const rows = settingRows(first);
    expect(rows.bucket).toBe("created");
    // A new bucket comes without these (what else AWS gives a new bucket by default differs between AWS and the emulator).
    expect([rows.versioning, rows["bucket policy"], rows.lifecycle]).toEqual(["set", "set", "set"]);
    expect(Object.keys(rows)).toHaveLength(7);

    expect(awsCall(bare, "s3", "get_bucket_versioning", { Bucket: STATE_BUCKET }).Status).toBe("Enabled");
    const sse = awsCall(bare, "s3", "get_bucket_encryption", { Bucket: STATE_BUCKET }) as {
      ServerSideEncryptionConfiguration: { Rules: { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: string } }[] };
    };
    expect(sse.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm).toBe("AES256");
    expect(awsCall(bare, "s3", "get_public_access_block", { Bucket: STATE_BUCKET }).PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    });
    const policy = JSON.parse(String(awsCall(bare, "s3", "get_bucket_policy", { Bucket: STATE_BUCKET }).Policy)) as {
      Statement: { Sid: string; Effect: string; Condition: unknown }[];
    };
    expect(policy.Statement).toContainEqual(
      expect.objectContaining({ Sid: "DenyInsecureTransport", Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
    );
    const rules = awsCall(bare, "s3", "get_bucket_lifecycle_configuration", { Bucket: STATE_BUCKET }).Rules as {
      ID: string;
      NoncurrentVersionExpiration: { NoncurrentDays: number };
    }[];
    expect(rules.map((r) => [r.ID, r.NoncurrentVersionExpiration.NoncurrentDays])).toEqual([["terraform-state-history", 90]]);

    const second = expectOk(await setupBackend(), "make setup-backend (again)");
    expect(new Set(Object.values(settingRows(second)))).toEqual(new Set(["unchanged"]));
    expect(Object.keys(settingRows(second))).toHaveLength(7);
    expect(second.stdout).toContain("nothing to change");
  });

  it("a setting changed by hand is put back, and only that one; the team's own lifecycle rule stays", async () => {
    awsCall(bare, "s3", "put_bucket_versioning", { Bucket: STATE_BUCKET, VersioningConfiguration: { Status: "Suspended" } });
    const teamRule = { ID: "team-logs", Status: "Enabled", Filter: { Prefix: "logs/" }, Expiration: { Days: 30 } };
    awsCall(bare, "s3", "put_bucket_lifecycle_configuration", { Bucket: STATE_BUCKET, LifecycleConfiguration: { Rules: [teamRule] } });

    const run = expectOk(await setupBackend(), "make setup-backend (after a hand edit)");
    const changed = Object.entries(settingRows(run))
      .filter(([, a]) => a !== "unchanged")
      .map(([s]) => s);
    expect(changed).toEqual(["versioning", "lifecycle"]);
    expect(awsCall(bare, "s3", "get_bucket_versioning", { Bucket: STATE_BUCKET }).Status).toBe("Enabled");
    const ids = (awsCall(bare, "s3", "get_bucket_lifecycle_configuration", { Bucket: STATE_BUCKET }).Rules as { ID: string }[]).map(
      (r) => r.ID,
    );
    expect(ids.sort()).toEqual(["team-logs", "terraform-state-history"]);
  });

  it("a state bucket name taken by another account is refused with the way out, and nothing is written to it", async () => {
    const other = "autovisionai-state-elsewhere";
    const created = await fetch(`${bare.endpoint}/${other}`, {
      method: "PUT",
      headers: { "x-moto-account-id": "111122223333" },
      body: `<CreateBucketConfiguration><LocationConstraint>${REGION}</LocationConstraint></CreateBucketConfiguration>`,
    });
    expect(created.ok).toBe(true);
    const run = await setupBackend({ STATE_BUCKET: other });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/"autovisionai-state-elsewhere" .* belongs to another AWS account/);
    expect(run.stderr).toContain("STATE_BUCKET=<name>");
    expect(run.stderr).toContain("Nothing was changed");
  });

  it("prod and staging deploy side by side with the make targets: own states, no name in common, tagged with their environment", async () => {
    // Prod: the run's shared platform, deployed from nothing by make deploy-infra and make deploy-services.
    ({ moto, dir } = await appliedPlatform("envs"));
    states.prod = await state("prod");
    for (const target of ["deploy-infra", "deploy-services"]) {
      const run = expectOk(await makeIn("staging", target), `make ${target} ENV=staging`);
      timing(`environments suite: make ${target} ENV=staging`, run.seconds);
    }
    states.staging = await state("staging");
    const keys = (awsCall(moto, "s3", "list_objects_v2", { Bucket: STATE_BUCKET }).Contents as { Key: string }[]).map((o) => o.Key);
    expect(keys).toEqual(expect.arrayContaining(["terraform.tfstate", "env/staging/terraform.tfstate"]));

    const prod = namesOf(states.prod);
    const staging = namesOf(states.staging);
    expect(prod.size).toBeGreaterThan(40);
    expect([...staging.keys()].sort()).toEqual([...prod.keys()].sort());
    const shared = [...staging].filter(([, name]) => [...prod.values()].includes(name));
    expect(shared).toEqual([]);
    // Prod keeps the live platform's names.
    expect(prod.get("aws_ecs_cluster.main")).toBe("autovisionai");
    expect(staging.get("aws_ecs_cluster.main")).toBe("autovisionai-staging");

    const tagged = (s: StateJson) =>
      new Set(
        (s.values?.root_module.resources ?? [])
          .map((r) => (r.values as { tags_all?: Record<string, string> }).tags_all?.Environment)
          .filter((v) => v !== undefined),
      );
    expect(tagged(states.prod)).toEqual(new Set(["prod"]));
    expect(tagged(states.staging)).toEqual(new Set(["staging"]));
    // Staging's file: elastic throughput (its COST note); prod keeps the live provisioned throughput.
    const mode = (s: StateJson) => valuesAt(s, "aws_efs_file_system.experiments").throughput_mode;
    expect([mode(states.prod), mode(states.staging)]).toEqual(["provisioned", "elastic"]);
  });

  it("after staging's apply, make plan ENV=prod plans no changes", async () => {
    const run = expectOk(await makeIn("prod", "plan"), "make plan ENV=prod");
    expect(run.stdout).toContain("No changes.");
  });

  it("make push-secrets ENV=staging puts the key in staging's secret only: never printed, never in the state, refused when empty", async () => {
    const key = "wandb-staging-0123456789abcdef0123456789abcdef";
    const dotenv = path.join(tempDir("envs-dotenv"), ".env");
    fs.writeFileSync(dotenv, "WANDB_API_KEY=\n");
    const refused = await makeIn("staging", "push-secrets", { DOTENV: dotenv }, { WANDB_API_KEY: "" });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(`WANDB_API_KEY in ${dotenv} is empty: nothing was sent`);

    const run = expectOk(await makeIn("staging", "push-secrets", {}, { WANDB_API_KEY: key }), "make push-secrets ENV=staging");
    expect(`${run.stdout}${run.stderr}`).not.toContain(key);
    expect(run.stdout).toContain("autovisionai/wandb-api-key-staging");

    const staging = awsCall(moto, "secretsmanager", "get_secret_value", { SecretId: "autovisionai/wandb-api-key-staging" });
    expect(staging.SecretString).toBe(key);
    // Terraform's placeholder version keeps a label of its own (AWS deletes unlabelled versions).
    const versions = awsCall(moto, "secretsmanager", "describe_secret", { SecretId: "autovisionai/wandb-api-key-staging" })
      .VersionIdsToStages as Record<string, string[]>;
    const placeholder = Object.entries(versions).find(([, stages]) => stages.includes("terraform-placeholder"))?.[0];
    expect(
      awsCall(moto, "secretsmanager", "get_secret_value", { SecretId: "autovisionai/wandb-api-key-staging", VersionId: placeholder })
        .SecretString,
    ).toBe("placeholder-value-set-this-manually");
    const prod = awsCall(moto, "secretsmanager", "get_secret_value", { SecretId: "autovisionai/wandb-api-key" });
    expect(prod.SecretString).toBe("placeholder-value-set-this-manually");

    // Terraform reads the secret again and still holds only its placeholder version; its plan is empty.
    expectOk(await makeIn("staging", "tf", { ARGS: "apply -refresh-only -auto-approve -input=false" }), "refresh (ENV=staging)");
    const pulled = expectOk(await makeIn("staging", "tf", { ARGS: "state pull" }), "terraform state pull (ENV=staging)");
    expect(pulled.stdout).toContain("placeholder-value-set-this-manually");
    expect(pulled.stdout).not.toContain(key);
    expect(expectOk(await makeIn("staging", "plan"), "make plan ENV=staging").stdout).toContain("No changes.");

    // The same key again, piped in: nothing new is written.
    const again = expectOk(
      await runCommand(
        "bash",
        [
          "-c",
          `printf %s "$KEY" | make --no-print-directory -C "${PROJECT_DIR}" push-secrets ENV=staging STDIN=1 TF_DIR="${dir}" ENV_DIR="${envDir}"`,
        ],
        PROJECT_DIR,
        moto,
        { env: { KEY: key } },
      ),
      "make push-secrets STDIN=1 (again)",
    );
    expect(again.stdout).toContain("already holds this key");
    expect(`${again.stdout}${again.stderr}`).not.toContain(key);

    // A new key later: it becomes current, and Terraform's placeholder version keeps its label.
    expectOk(await makeIn("staging", "push-secrets", {}, { WANDB_API_KEY: `${key}-2` }), "make push-secrets (a new key)");
    const after = awsCall(moto, "secretsmanager", "describe_secret", { SecretId: "autovisionai/wandb-api-key-staging" })
      .VersionIdsToStages as Record<string, string[]>;
    expect(after[placeholder as string]).toContain("terraform-placeholder");
    expect(awsCall(moto, "secretsmanager", "get_secret_value", { SecretId: "autovisionai/wandb-api-key-staging" }).SecretString).toBe(
      `${key}-2`,
    );
  });

  it("make destroy ENV=staging removes staging only: prod plans no changes and its resources are there", async () => {
    const run = expectOk(await makeIn("staging", "destroy", { AUTO_APPROVE: "1" }), "make destroy ENV=staging");
    timing("environments suite: make destroy ENV=staging", run.seconds);
    const listed = expectOk(await makeIn("staging", "tf", { ARGS: "state list" }), "state list (ENV=staging)");
    expect(listed.stdout.split("\n").filter((l) => l.trim() !== "" && !l.startsWith(">>"))).toEqual([]);

    expect(expectOk(await makeIn("prod", "plan"), "make plan ENV=prod (after staging's destroy)").stdout).toContain("No changes.");
    const clusters = (
      awsCall(moto, "ecs", "describe_clusters", { clusters: ["autovisionai", "autovisionai-staging"] }).clusters as {
        clusterName: string;
        status: string;
      }[]
    ).filter((c) => c.status === "ACTIVE");
    expect(clusters.map((c) => c.clusterName)).toEqual(["autovisionai"]);
    expect(awsCall(moto, "secretsmanager", "describe_secret", { SecretId: "autovisionai/wandb-api-key" }).Name).toBe(
      "autovisionai/wandb-api-key",
    );
  });
});
