/**
 * `npm run ops` run as users run it (a process each: a `build` project test,
 * outside the edit loop's unit suite): a failure is one line and an exit
 * code, never a stack trace.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { EXIT } from "../ops/errors";
import { tempDir } from "./temp";

const ROOT = path.join(__dirname, "..", "deploy", "terraform");

describe("ops: the command line", () => {
  it("prints one line and exits non-zero, never a stack trace (the CLI, run as users run it)", () => {
    const dir = tempDir("ops-cli");
    const run = spawnSync("node", ["ops/launch.js", "status", "--tf-dir", dir], {
      cwd: path.join(__dirname, ".."),
      encoding: "utf8",
      env: { PATH: process.env.PATH, HOME: process.env.HOME, TERRAFORM: "terraform-that-is-not-installed" },
    });
    expect(run.status).toBe(EXIT.usage);
    expect(run.stderr.trim().split("\n")).toEqual([
      expect.stringMatching(/^ops: terraform is not on PATH \(ENOENT\): install it, or pass --file-system/),
    ]);
    const bad = spawnSync("node", ["ops/launch.js", "cost", "--tf-dir", ROOT, "--compare", "api_cpu=lots"], {
      cwd: path.join(__dirname, ".."),
      encoding: "utf8",
    });
    expect(bad.status).toBe(EXIT.usage);
    expect(bad.stderr.trim()).toBe("ops: --compare api_cpu=lots: api_cpu is a number");
    fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000); // two CLI runs (and possibly a bundle build) on a busy machine
});
