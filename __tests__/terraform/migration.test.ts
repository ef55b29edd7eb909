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
import { EXPECTED_CREATES, EXPECTED_REPLACEMENTS, EXPECTED_SUMMARY, EXPECTED_UPDATES } from "./migration-expectations";

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
    const planned = await planJson(newDir, moto);
    plan = planned.plan;
    timing("migration plan", (Date.now() - started) / 1000);
    const changes = plan.resource_changes ?? [];
    const deleting = changes.filter((c) => c.change.actions.includes("delete"));
    expect(deleting.filter((c) => c.type !== "aws_ecs_task_definition").map((c) => c.address)).toEqual([]);
    expect(deleting.map((c) => c.address).sort()).toEqual(EXPECTED_REPLACEMENTS);
    for (const c of deleting) expect(c.change.actions, c.address).toContain("create");
    const updates = changes.filter((c) => c.change.actions.includes("update")).map((c) => c.address).sort();
    console.log(`[migration] in-place updates:\n  ${updates.join("\n  ")}`);
    expect(updates).toEqual([...EXPECTED_UPDATES].sort());
    const created = changes.filter((c) => c.change.actions.join() === "create").map((c) => c.address).sort();
    expect(created).toEqual([...EXPECTED_CREATES].sort());
    expect(planned.run.stdout).toContain(EXPECTED_SUMMARY);
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
