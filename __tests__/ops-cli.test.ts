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

  it("its bundle holds neither CDKTF nor the provider bindings, nor loads the HCL parser until an HCL file is read", () => {
    // What half the start-up time of every ops command and make target was (0.55 CPU-s, measured on 2 cores).
    const { BUILD_OPTIONS } = require("../ops/launch.js") as { BUILD_OPTIONS: Record<string, unknown> };
    const esbuild = require("esbuild") as typeof import("esbuild");
    const built = esbuild.buildSync({
      ...BUILD_OPTIONS,
      outfile: path.join(tempDir("ops-bundle"), "ops.js"),
      write: false,
      metafile: true,
    });
    const packages = new Set(
      Object.keys(built.metafile.inputs).flatMap((file) => file.match(/node_modules\/((@[^/]+\/)?[^/]+)/)?.[1] ?? []),
    );
    expect(packages.has("@aws-sdk/client-ecs"), "the bundle is read (its SDK clients are in it)").toBe(true);
    for (const heavy of ["cdktf", "@cdktf/provider-aws", "constructs", "@cdktf/hcl2json"]) expect(packages.has(heavy), heavy).toBe(false);
    const loaded = spawnSync(
      "node",
      [
        "-e",
        'require("./ops/launch.js").ensureBuilt(); require("./dist/ops.js"); console.log(Object.keys(require.cache).filter((f) => f.includes("hcl2json")).length)',
      ],
      { cwd: path.join(__dirname, ".."), encoding: "utf8" },
    );
    expect(loaded.stdout.trim(), loaded.stderr).toBe("0");
  });

  it("runs its bundle through V8's code cache: written by the first run, read as it is by the next", () => {
    // A copy of what the launcher builds from, so that no other test's run writes the cache meanwhile.
    const project = path.join(__dirname, "..");
    const copy = tempDir("ops-code-cache");
    const { SOURCES } = require("../ops/launch.js") as { SOURCES: string[] };
    for (const entry of [...SOURCES, path.join("synth", "bundle-freshness.js")])
      fs.cpSync(path.join(project, entry), path.join(copy, entry), { recursive: true });
    fs.symlinkSync(path.join(project, "node_modules"), path.join(copy, "node_modules"));
    const help = () => spawnSync("node", ["ops/launch.js", "--help"], { cwd: copy, encoding: "utf8" });
    const cache = path.join(copy, "dist", "ops.js.cache");
    expect(help().status).toBe(0);
    const written = fs.statSync(cache);
    expect(written.size).toBeGreaterThan(100_000);
    const again = help();
    expect(again.stdout).toContain("review");
    // V8 accepted the cache: the second run did not write it again.
    expect(fs.statSync(cache).mtimeMs).toBe(written.mtimeMs);
  }, 60_000); // a bundle build and two CLI runs on a busy machine
});
