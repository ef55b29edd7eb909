/**
 * The team's workflows run plain terraform on the committed
 * deploy/terraform, without Node: it must be what the code synthesizes.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { App } from "cdktf";
import { describe, expect, it } from "vitest";
import { testTmp } from "./temp";
import { buildPlatform, ROOT_DIR } from "../main";
import { RULES } from "../synth/policy/rules";
import { GENERATED_MARKER, renderRoot } from "../synth/root-writer";

describe("the committed root in deploy/terraform", () => {
  const { root, units } = buildPlatform(new App({ outdir: path.join(testTmp(), "cdktf.out") }));
  const expected = renderRoot(root, units, RULES).files;

  it("holds exactly the generated files the code produces", () => {
    const present = fs
      .readdirSync(ROOT_DIR)
      .filter((f) => f.endsWith(".tf.json") && fs.readFileSync(path.join(ROOT_DIR, f), "utf8").includes(GENERATED_MARKER));
    expect(present.sort(), "run `npm run synth` and commit deploy/terraform").toEqual(Object.keys(expected).sort());
  });

  it.each(Object.keys(expected))("%s is up to date with the code (run `npm run synth` and commit)", (name) => {
    expect(fs.readFileSync(path.join(ROOT_DIR, name), "utf8")).toBe(expected[name]);
  });
});
