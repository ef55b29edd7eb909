/**
 * The fixtures that stand for the live platform are verbatim copies of the
 * files made by machine from the live root (`../shared/` beside a checkout):
 * never edited here to agree with the code.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

const SHARED = path.resolve(__dirname, "..", "..", "shared");
const copies = [
  ["legacy-values.json", "fixtures/legacy-values.json"],
  ["legacy-contract.json", "fixtures/legacy-contract.json"],
] as const;

describe("the live platform's fixtures", () => {
  it.each(copies)("%s is copied verbatim (when the shared original is beside the checkout)", (original, copy) => {
    const source = path.join(SHARED, original);
    if (!fs.existsSync(source)) {
      console.log(`[fixtures] ${source} is not beside this checkout: comparison skipped`);
      return;
    }
    expect(fs.readFileSync(path.join(__dirname, copy), "utf8"), `copy ${source} over __tests__/${copy}`).toBe(
      fs.readFileSync(source, "utf8"),
    );
  });

  it("legacy-values.json holds every contract address, with the live API size", () => {
    const values = JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures/legacy-values.json"), "utf8")) as {
      resources: Record<string, { values: Record<string, unknown> }>;
    };
    const contract = JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures/legacy-contract.json"), "utf8")) as { addresses: string[] };
    expect(Object.keys(values.resources).sort()).toEqual([...contract.addresses].sort());
    expect(values.resources["aws_ecs_task_definition.api[0]"].values).toMatchObject({ cpu: "2048", memory: "4096" });
  });
});
