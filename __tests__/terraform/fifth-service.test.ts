/**
 * Adding a service is one entry: the platform built from a table with a
 * fifth service validates with the real provider (offline: init without the
 * backend, then validate), no warnings.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { App } from "cdktf";
import { afterAll, describe, expect, it } from "vitest";
import { buildPlatform } from "../../main";
import { RULES } from "../../synth/policy/rules";
import { renderRoot, writeRoot } from "../../synth/root-writer";
import { FIFTH_SERVICE_TABLE } from "../fifth-service";
import { tempDir } from "../temp";
import { checkTools, terraformOk } from "./harness";

const dir = tempDir("fifth");
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("a fifth service from one table entry", () => {
  it("validates with the real provider", async () => {
    checkTools();
    const { root, units } = buildPlatform(new App({ outdir: path.join(dir, "cdktf.out") }), FIFTH_SERVICE_TABLE);
    writeRoot(dir, renderRoot(root, units, RULES).files);
    await terraformOk(dir, undefined, ["init", "-input=false", "-backend=false"]);
    const run = await terraformOk(dir, undefined, ["validate", "-json"]);
    const result = JSON.parse(run.stdout) as { valid: boolean; warning_count: number; diagnostics: { summary: string; detail?: string }[] };
    expect(result.diagnostics.map((d) => `${d.summary}: ${d.detail ?? ""}`)).toEqual([]);
    expect(result.valid).toBe(true);
    expect(fs.readFileSync(path.join(dir, "services.tf.json"), "utf8")).toContain('"notebook"');
  });
});
