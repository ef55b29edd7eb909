/**
 * The program `ops mlflow migrate` runs in its task (ops/mlflow-migrate-script.ts), run by the machine's python on
 * a file store made here: a process each, so a `build` project test, outside the edit loop's unit suite. Moto runs
 * no tasks and this machine has no MLflow: the copy itself is not run here (docs/ARCHITECTURE.md, "Not tested here").
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { describe, expect, it } from "vitest";
import { MLFLOW_MIGRATE_SCRIPT } from "../ops/mlflow-migrate-script";
import { makeFileStore } from "./mlflow-store";

describe("mlflow migrate: the task's program", () => {
  it("counts a file store the test made by the program the migration task runs (experiments in .trash too, runs of each)", () => {
    const store = makeFileStore();
    const run = spawnSync(process.env.PYTHON ?? "python3", ["-c", MLFLOW_MIGRATE_SCRIPT], {
      encoding: "utf8",
      env: { PATH: process.env.PATH, OPS_MIGRATE_MODE: "inventory", OPS_MLFLOW_STORE: store },
    });
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ mode: "inventory", store, source: { experiments: 3, runs: 4 }, ok: true });
    fs.rmSync(store, { recursive: true, force: true });
  }, 30_000);

  it("reports a missing store as a failure, with its path", () => {
    const run = spawnSync(process.env.PYTHON ?? "python3", ["-c", MLFLOW_MIGRATE_SCRIPT], {
      encoding: "utf8",
      env: { PATH: process.env.PATH, OPS_MIGRATE_MODE: "inventory", OPS_MLFLOW_STORE: "/nonexistent/mlruns" },
    });
    expect(run.status).toBe(1);
    expect(JSON.parse(run.stdout).error).toBe(
      "RuntimeError: the file store /nonexistent/mlruns does not exist (is MLflow's store mounted?)",
    );
  }, 30_000);
});
