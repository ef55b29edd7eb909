/**
 * `npm run synth` runs a prebuilt bundle (synth/launch.js): it must never be
 * stale. In a copy of the project: the first run builds it and writes the
 * same root as deploy/terraform; a run with nothing changed reuses it; a
 * touched file does not rebuild it; an edited one does, and the edit shows.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "./temp";

const PROJECT = path.resolve(__dirname, "..");
let copy: string;
let emptyBin: string;

function synth(): { output: string; bundleTime: number } {
  // Synthesis needs Node alone: a PATH without terraform (or anything else) proves it.
  const run = spawnSync(process.execPath, ["synth/launch.js"], { cwd: copy, encoding: "utf8", env: { ...process.env, PATH: emptyBin } });
  if (run.status !== 0) throw new Error(`synth failed:\n${run.stdout}\n${run.stderr}`);
  return { output: run.stdout, bundleTime: fs.statSync(path.join(copy, "dist", "synth.js")).mtimeMs };
}

beforeAll(() => {
  copy = tempDir("launch");
  emptyBin = tempDir("empty-bin");
  for (const entry of ["main.ts", "platform", "stacks", "constructs", "synth", "package.json", "package-lock.json", "cdktf.json"]) {
    fs.cpSync(path.join(PROJECT, entry), path.join(copy, entry), { recursive: true });
  }
  fs.symlinkSync(path.join(PROJECT, "node_modules"), path.join(copy, "node_modules"));
});

// Each case spawns a synthesis (and a rebuild in the last): give them room on a busy machine.
describe("npm run synth's prebuilt bundle", { timeout: 60_000 }, () => {
  it("is built on the first run and writes the committed root", () => {
    const first = synth();
    expect(first.output).toContain("synth: deploy/terraform: 5 written");
    // cdktf warns once per token it cannot escape; a template string in a name once gave thousands of these.
    expect(first.output).not.toMatch(/escape sequence/i);
    for (const file of fs.readdirSync(path.join(PROJECT, "deploy", "terraform")).filter((f) => f.endsWith(".tf.json"))) {
      expect(fs.readFileSync(path.join(copy, "deploy", "terraform", file), "utf8"), file).toBe(
        fs.readFileSync(path.join(PROJECT, "deploy", "terraform", file), "utf8"),
      );
    }
    expect(fs.existsSync(path.join(copy, "dist", "synth.js.cache"))).toBe(true);
  });

  it("is reused when nothing changed, and when a file was only touched", () => {
    const before = synth().bundleTime;
    const later = new Date(Date.now() + 5000);
    fs.utimesSync(path.join(copy, "platform", "config.ts"), later, later);
    const after = synth();
    expect(after.bundleTime).toBe(before);
    expect(after.output).toContain("0 written, 5 unchanged");
  });

  it("is rebuilt when a source changed, and the change reaches the root", () => {
    const before = synth().bundleTime;
    const config = path.join(copy, "platform", "config.ts");
    fs.writeFileSync(config, fs.readFileSync(config, "utf8").replace("logRetentionDays: 30,", "logRetentionDays: 60,"));
    const after = synth();
    expect(after.bundleTime).toBeGreaterThan(before);
    expect(fs.readFileSync(path.join(copy, "deploy", "terraform", "storage.tf.json"), "utf8")).toContain('"retention_in_days": 60');
  });
});
