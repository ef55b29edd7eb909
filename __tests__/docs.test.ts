import * as fs from "node:fs";
import { describe, expect, it } from "vitest";
import { README, renderReadme } from "../scripts/docs-tables";

describe("README", () => {
  it("lists every input and output the code declares (run `npm run docs`)", () => {
    const current = fs.readFileSync(README, "utf8");
    expect(current).toBe(renderReadme(current));
  });

  it("gives the two fresh-machine commands that CI runs", () => {
    const current = fs.readFileSync(README, "utf8");
    expect(current).toContain("npm ci && npm run synth");
    expect(current).toContain("npm ci && npm test");
    expect(fs.readFileSync(`${__dirname}/../.ci/run`, "utf8")).toMatch(/^npm ci\b.*\nnpm test$/m);
  });
});
