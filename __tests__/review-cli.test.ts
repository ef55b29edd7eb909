/**
 * `npm run ops -- review` on a plan's JSON, run as users run it (a process
 * each: a `build` project test, outside the edit loop's unit suite): its exit
 * codes.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import type { PlanJson } from "../ops/review-plan";
import { change, plan, ROOT } from "./plan-fixture";
import { tempDir } from "./temp";

describe("npm run ops -- review on a plan's JSON: the exit codes", () => {
  const dir = tempDir("review-cli");
  const write = (name: string, p: PlanJson) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, JSON.stringify(p));
    return file;
  };
  const ops = (...args: string[]) =>
    spawnSync("node", [path.join(__dirname, "..", "ops", "launch.js"), "--tf-dir", ROOT, "review", ...args], {
      encoding: "utf8",
      env: { ...process.env, ALLOW_DATA_LOSS: "" },
    });
  const ui = (n: number) => plan([change("aws_ecs_service.ui[0]", ["update"], { desired_count: 1 }, { desired_count: n })]);
  const bucket = plan([change("aws_s3_bucket.mlflow_artifacts", ["delete", "create"], { bucket: "a" }, { bucket: "b" })]);

  it("0 safe, 4 needs a reviewer's eye, 5 refused, 6 differs from the reviewed plan, 64 not a plan", () => {
    const empty = write("empty.json", plan([]));
    const scaled = write("scaled.json", ui(2));
    const refused = write("refused.json", bucket);
    expect(ops("--plan", empty).status).toBe(0);
    expect(ops("--plan", scaled).status).toBe(4);
    const r = ops("--plan", refused);
    expect(r.status).toBe(5);
    expect(r.stdout).toContain("verdict: REFUSED: it would lose data (exit 5)");
    expect(ops("--plan", scaled, "--against", scaled).status).toBe(4);
    const differs = ops("--plan", write("scaled3.json", ui(3)), "--against", scaled);
    expect(differs.status).toBe(6);
    expect(differs.stdout).toContain("+ update aws_ecs_service.ui[0] desired_count=3");
    expect(ops("--plan", write("drift.json", ui(2)), "--drift").status).toBe(2);
    expect(ops("--plan", empty, "--drift").status).toBe(0);
    const bad = ops("--plan", write("bad.json", { resource_changes: [] } as PlanJson));
    expect(bad.status).toBe(64);
    expect(bad.stderr).toContain("is not a Terraform JSON plan");
  }, 120_000);
});
