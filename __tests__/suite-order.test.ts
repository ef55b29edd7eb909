import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { OWN_PLATFORM_SUITES, suiteOrder } from "./terraform/workers.mts";

const SUITES_DIR = path.join(__dirname, "terraform");

describe("the order of the Terraform suite files", () => {
  it("lists as having a platform of their own exactly the suite files that never ask for the shared one", () => {
    const files = fs.readdirSync(SUITES_DIR).filter((n) => n.endsWith(".test.ts"));
    const asking = files.filter((n) => /\bappliedPlatform\(/.test(fs.readFileSync(path.join(SUITES_DIR, n), "utf8")));
    expect(files.length).toBeGreaterThan(10);
    expect([...OWN_PLATFORM_SUITES].sort()).toEqual(files.filter((n) => !asking.includes(n)).sort());
  });

  it("starts the longest shared-platform suite, then the others' own applies, then the rest longest first", () => {
    const seconds = { "deploy.test.ts": 400, "ops.test.ts": 100, "review.test.ts": 250, "migration.test.ts": 300, "sandbox.test.ts": 200 };
    expect(suiteOrder(["ops.test.ts", "sandbox.test.ts", "review.test.ts", "migration.test.ts", "deploy.test.ts"], seconds)).toEqual([
      "deploy.test.ts",
      "migration.test.ts",
      "sandbox.test.ts",
      "review.test.ts",
      "ops.test.ts",
    ]);
  });

  it("counts a suite not measured yet as the longest of its group", () => {
    expect(suiteOrder(["ops.test.ts", "new.test.ts", "upgrades.test.ts"], { "ops.test.ts": 100, "upgrades.test.ts": 150 })).toEqual([
      "new.test.ts",
      "upgrades.test.ts",
      "ops.test.ts",
    ]);
  });
});
