/**
 * The CPU-seconds column of `npm run bench -- tests` (scripts/bench-tests.ts): a `build` project test, since it runs a
 * process that burns a known amount of CPU.
 */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { childrenCpuSeconds } from "../scripts/bench-tests";

describe("bench: the CPU-seconds of a step", () => {
  it.runIf(process.platform === "linux")("counts what a child and its own child used, once waited for", () => {
    const before = childrenCpuSeconds() as number;
    // A child that starts a grandchild busy for half a second of CPU, and waits for it.
    const burn = "const t = process.cpuUsage(); while (process.cpuUsage(t).user < 500000) {}";
    const run = spawnSync("node", ["-e", `require("child_process").spawnSync("node", ["-e", ${JSON.stringify(burn)}])`]);
    expect(run.status).toBe(0);
    const used = (childrenCpuSeconds() as number) - before;
    // At least the grandchild's half second (other tests' processes in this worker may add to it, never take away).
    expect(used).toBeGreaterThanOrEqual(0.5);
  });
});
