/**
 * The users' biggest risk: their live platform, written by the hand-written
 * HCL root, planned by the synthesized root.
 *
 * 1. The fixture (`__tests__/fixtures/legacy-root`) stands for the live
 *    platform: planned on an empty emulator with default variables, it must
 *    hold exactly the values of `legacy-values.json`, made by machine from
 *    the live root. That plan is then applied: the live state.
 * 2. The synthesized root, planned over that state, must change exactly what
 *    `platform/intended-changes.ts` lists, attribute by attribute: nothing
 *    destroyed, nothing replaced but task definitions, no live tag,
 *    environment variable, secret or health-check value lost.
 * 3. `npm run ops -- review` of that plan (written by `make plan`) lists what
 *    docs/MIGRATION.md lists and refuses nothing.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import contract from "../fixtures/legacy-contract.json";
import { changedAddresses, INTENDED_CHANGES, planSummary } from "../../platform/intended-changes";
import {
  checkTools,
  copyRoot,
  expectOk,
  init,
  make,
  LEGACY_DIR,
  planJson,
  PROJECT_DIR,
  runCommand,
  startMoto,
  stateJson,
  SYNTH_DIR,
  terraform,
  terraformOk,
  timing,
  type Moto,
  type PlanJson,
} from "./harness";
import type { ReviewJson } from "./review-json";
import { attributeChanges, checkIntended, compareValues, formatDifferences, plannedValues, type Values } from "./plan-values";

const LIVE_VALUES = path.join(__dirname, "..", "fixtures", "legacy-values.json");

let moto: Moto;
let legacyDir: string;
let newDir: string;
let plan: PlanJson;
let summary: string;

const show = (v: unknown) => {
  const text = JSON.stringify(v) ?? "undefined";
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
};

describe("migration from the live HCL state", () => {
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

  it("the fixture plans exactly the live values (legacy-values.json), address by address, attribute by attribute", async () => {
    await init(legacyDir, moto);
    const { plan: legacyPlan } = await planJson(legacyDir, moto);
    const live = (JSON.parse(fs.readFileSync(LIVE_VALUES, "utf8")) as { resources: Record<string, { values: Values }> }).resources;
    const expected = Object.fromEntries(Object.entries(live).map(([address, r]) => [address, r.values]));
    const differences = compareValues(expected, plannedValues(legacyPlan));
    expect(differences, `the fixture differs from the live platform:\n${formatDifferences(differences)}`).toEqual([]);
  });

  it("applied, the fixture holds the contract's state addresses exactly", async () => {
    const run = await terraformOk(legacyDir, moto, ["apply", "-input=false", "tfplan"]);
    timing("legacy apply", run.seconds);
    const state = await stateJson(legacyDir, moto);
    const addresses = (state.values?.root_module.resources ?? []).map((r) => r.address).filter((a) => !a.startsWith("data."));
    expect(addresses.sort()).toEqual([...contract.addresses].sort());
  });

  it("the synthesized root changes exactly the intended attributes, and loses nothing live", async () => {
    await init(newDir, moto);
    const started = Date.now();
    const planned = await planJson(newDir, moto);
    plan = planned.plan;
    summary = planned.run.stdout.match(/Plan: .*/)?.[0] ?? "(no plan summary)";
    timing("migration plan", (Date.now() - started) / 1000);
    const changes = attributeChanges(plan);
    console.log(`[migration] ${summary}\n  ${changes.map((c) => `${c.kind} ${c.address} ${c.attribute}`).join("\n  ")}`);
    const check = checkIntended(changes, INTENDED_CHANGES);
    expect(check.forbidden, "never: a live value lost, or a data-holding resource replaced").toEqual([]);
    expect(
      check.unexpected.map((c) => `${c.kind} ${c.address} ${c.attribute}: ${show(c.before)} -> ${show(c.after)}`),
      "changes that platform/intended-changes.ts does not list",
    ).toEqual([]);
    expect(
      check.missing.map((i) => `${i.kind} ${i.address} ${i.attribute}`),
      "intended changes the plan no longer shows",
    ).toEqual([]);
  });

  it("prints the plan summary docs/MIGRATION.md promises", () => {
    expect(summary).toBe(planSummary());
  });

  it("make plan ENV=prod (the team's path, scripts/terraform.sh) plans exactly the same changes as plain terraform", async () => {
    const run = expectOk(await make(newDir, moto, "plan", { ENV: "prod" }), "make plan ENV=prod");
    // make shows terraform's colours, as in a terminal.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: ESC starts the terminal's colour codes, which this strips
    expect(run.stdout.replace(/\u001b\[[0-9;]*m/g, "").match(/Plan: .*/)?.[0]).toBe(summary);
    const shown = await terraformOk(newDir, moto, ["show", "-json", "tfplan"]);
    const viaMake = attributeChanges(JSON.parse(shown.stdout) as typeof plan);
    expect(viaMake).toEqual(attributeChanges(plan));
  });

  it("ops review of that plan lists what docs/MIGRATION.md lists: nothing refused, a reviewer's eye for IAM and exposure", async () => {
    const run = await runCommand(
      "node",
      ["ops/launch.js", "--tf-dir", newDir, "--json", "review", "--plan", path.join(newDir, "tfplan")],
      PROJECT_DIR,
      moto,
    );
    expect([0, 4], run.stderr.slice(-2000)).toContain(run.code);
    const review = JSON.parse(run.stdout) as ReviewJson;
    expect(review.summary).toBe(planSummary());
    expect(review.verdict, "the switch loses nothing, but IAM and exposure change: a reviewer reads it").toBe("attention");
    const actions = new Map(review.changes.map((c) => [c.address, c.action]));
    const listed = changedAddresses();
    expect(listed.create.filter((a) => actions.get(a) !== "create")).toEqual([]);
    expect(listed.update.filter((a) => actions.get(a) !== "update")).toEqual([]);
    expect(listed.replace.filter((a) => actions.get(a) !== "replace")).toEqual([]);
    expect([...actions.keys()].filter((a) => ![...listed.create, ...listed.update, ...listed.replace].includes(a))).toEqual([]);
    // Each intended in-place change shows its attribute.
    for (const c of INTENDED_CHANGES.filter((i) => i.kind === "update")) {
      const top = c.attribute.split(/[./]/)[0];
      const attributes = review.changes.find((r) => r.address === c.address)?.attributes.map((a) => a.path.split(/[.[:]/)[0]) ?? [];
      expect(attributes, `${c.address} ${c.attribute}`).toContain(top);
    }
    expect(review.findings.filter((f) => f.severity === "refused")).toEqual([]);
    const text = await runCommand(
      "node",
      ["ops/launch.js", "--tf-dir", newDir, "review", "--plan", path.join(newDir, "tfplan")],
      PROJECT_DIR,
      moto,
    );
    console.log(`[review] the switch from the live platform:\n${text.stdout}`);
  });

  it("accounts for every legacy address in the new root", () => {
    const known = new Set((plan.resource_changes ?? []).flatMap((c) => [c.address, c.previous_address ?? c.address]));
    expect(contract.addresses.filter((a) => !known.has(a))).toEqual([]);
  });

  it("keeps the API at 2048 CPU / 4096 MiB, its task definition untouched", () => {
    const api = (plan.resource_changes ?? []).find((c) => c.address === "aws_ecs_task_definition.api[0]");
    expect(api?.change.actions).toEqual(["no-op"]);
    expect(api?.change.after).toMatchObject({ cpu: "2048", memory: "4096" });
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
