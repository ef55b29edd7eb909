/**
 * The users' biggest risk: their live state, written by the hand-written HCL
 * root, planned by the synthesized root. Nothing may be destroyed; only ECS
 * task definitions may be replaced (a new revision is how ECS changes a task).
 */
import * as fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import contract from "../fixtures/legacy-contract.json";
import {
  checkTools,
  copyRoot,
  expectOk,
  init,
  make,
  LEGACY_DIR,
  planJson,
  startMoto,
  stateJson,
  SYNTH_DIR,
  terraform,
  terraformOk,
  timing,
  type Moto,
  type PlanJson,
} from "./harness";

/**
 * Every in-place update the switch makes on the live platform, each
 * explained in docs/MIGRATION.md. A new one makes this suite fail until it is
 * understood, documented and added here.
 */
export const EXPECTED_UPDATES = [
  "aws_ecs_service.api[0]", // deployment circuit breaker, min/max healthy percent
  "aws_ecs_service.mlflow[0]", // same, and the new task definition revision
  "aws_ecs_service.tensorboard[0]", // same, and the new task definition revision
  "aws_ecs_service.ui[0]", // same, and the new task definition revision
  "aws_efs_file_system.experiments", // provisioned throughput 10 -> 100 MiB/s (design document)
  "aws_iam_role_policy.ecs_task_execution_role_policy", // least privilege: scoped to the repo, log groups, secret
  "aws_iam_role_policy.ecs_task_role_policy", // ecsTaskRole becomes the API's own role
  "aws_lb.main", // drop invalid header fields
  "aws_lb_target_group.api[0]", // faster deregistration and health checks
  "aws_lb_target_group.mlflow[0]",
  "aws_lb_target_group.tensorboard[0]",
  "aws_lb_target_group.ui[0]",
  "aws_s3_bucket_lifecycle_configuration.mlflow_artifacts_lifecycle", // abort incomplete multipart uploads
  "aws_security_group.alb", // rule descriptions, egress only to the VPC
  "aws_security_group.ecs_tasks", // rule descriptions, Service Connect egress between tasks
  "aws_security_group.efs", // rule description, no egress
];

/** Task definitions replaced by a new revision: their container or volume settings change. */
export const EXPECTED_REPLACEMENTS = [
  "aws_ecs_task_definition.mlflow[0]", // own task role; no EFS volume (MLflow has no access)
  "aws_ecs_task_definition.tensorboard[0]", // own task role
  "aws_ecs_task_definition.ui[0]", // own task role; API_BASE_URL environment
];

let moto: Moto;
let legacyDir: string;
let newDir: string;
let plan: PlanJson;

describe("migration from the legacy HCL state", () => {
  beforeAll(async () => {
    checkTools();
    moto = await startMoto();
    legacyDir = copyRoot(LEGACY_DIR, "legacy");
    newDir = copyRoot(SYNTH_DIR, "migrated");
  });

  afterAll(async () => {
    await moto?.stop();
    for (const d of [legacyDir, newDir]) if (d) fs.rmSync(d, { recursive: true, force: true });
  });

  it("the legacy fixture reproduces the contract's state addresses exactly", async () => {
    await init(legacyDir, moto);
    const run = await terraformOk(legacyDir, moto, ["apply", "-input=false", "-auto-approve"]);
    timing("legacy apply", run.seconds);
    const state = await stateJson(legacyDir, moto);
    const addresses = (state.values?.root_module.resources ?? []).map((r) => r.address).filter((a) => !a.startsWith("data."));
    expect(addresses.sort()).toEqual([...contract.addresses].sort());
  });

  it("plans the switch with zero deletes, only task definition revisions replaced", async () => {
    await init(newDir, moto);
    const started = Date.now();
    ({ plan } = await planJson(newDir, moto));
    timing("migration plan", (Date.now() - started) / 1000);
    const changes = plan.resource_changes ?? [];
    const deleting = changes.filter((c) => c.change.actions.includes("delete"));
    expect(deleting.filter((c) => c.type !== "aws_ecs_task_definition").map((c) => c.address)).toEqual([]);
    expect(deleting.map((c) => c.address).sort()).toEqual(EXPECTED_REPLACEMENTS);
    for (const c of deleting) expect(c.change.actions, c.address).toContain("create");
    const updates = changes.filter((c) => c.change.actions.includes("update")).map((c) => c.address).sort();
    console.log(`[migration] in-place updates:\n  ${updates.join("\n  ")}`);
    console.log(`[migration] created: ${changes.filter((c) => c.change.actions.join() === "create").map((c) => c.address).join(", ")}`);
    expect(updates).toEqual([...EXPECTED_UPDATES].sort());
  });

  it("accounts for every legacy address in the new root", () => {
    const known = new Set((plan.resource_changes ?? []).flatMap((c) => [c.address, c.previous_address ?? c.address]));
    expect(contract.addresses.filter((a) => !known.has(a))).toEqual([]);
  });

  it("applies the plan, after which the plan is empty", async () => {
    const run = await terraformOk(newDir, moto, ["apply", "-input=false", "tfplan"]);
    timing("migration apply", run.seconds);
    const again = await terraform(newDir, moto, ["plan", "-input=false", "-detailed-exitcode"]);
    expect(again.stdout).toContain("No changes.");
    expect(again.code).toBe(0);
  });

  it("make destroy takes the migrated platform down", async () => {
    const run = expectOk(await make(newDir, moto, "destroy", { AUTO_APPROVE: "1" }), "make destroy");
    timing("make destroy of the migrated platform", run.seconds);
    const left = await terraform(newDir, moto, ["state", "list"]);
    expect(left.stdout.split("\n").filter((l) => l && !l.startsWith("data."))).toEqual([]);
  });
});
