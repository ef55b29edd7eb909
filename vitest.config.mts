import * as fs from "node:fs";
import * as path from "node:path";
import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";
import { suiteOrder, TERRAFORM_WORKERS } from "./__tests__/terraform/workers.mts";

/** Counts each test's assertions into vitest's report (`npm run bench -- tests` prints them). */
const COUNT_ASSERTIONS = "__tests__/count-assertions.ts";

/**
 * Test files that build bundles in copies of the project, run the machine's
 * tools (terraform, make, python, actionlint) or the project's own commands
 * as processes (seconds each): the `build` project, outside the edit loop's
 * `vitest --project unit`; `npm test` runs both.
 */
const BUILD_TESTS = [
  "__tests__/synth-launch.test.ts",
  "__tests__/harness-tools.test.ts",
  "__tests__/workflows-lint.test.ts",
  "__tests__/environments.test.ts",
  "__tests__/terraform-wrapper.test.ts",
  "__tests__/review-cli.test.ts",
  "__tests__/ops-cli.test.ts",
  "__tests__/mlflow-migrate-script.test.ts",
  "__tests__/bench-cpu.test.ts",
];

/** Seconds each Terraform suite took in the last `npm run bench -- tests` (written by it). */
const SUITE_SECONDS: Record<string, number> = (() => {
  try {
    return JSON.parse(fs.readFileSync(path.join(import.meta.dirname, "__tests__", "terraform", "suite-seconds.json"), "utf8"));
  } catch {
    return {};
  }
})();

/**
 * The Terraform suite files in `suiteOrder` (__tests__/terraform/workers.mts): the platform's builder first, the
 * suites with a platform of their own while it builds, then the rest, longest first. Other files keep vitest's order.
 */
class SuiteOrder extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const isSuite = (spec: TestSpecification) => spec.moduleId.includes(`${path.sep}terraform${path.sep}`);
    const suites = sorted.filter(isSuite);
    const order = suiteOrder(
      suites.map((s) => path.basename(s.moduleId)),
      SUITE_SECONDS,
    );
    const rank = (spec: TestSpecification) => order.indexOf(path.basename(spec.moduleId));
    return [...sorted.filter((s) => !isSuite(s)), ...suites.sort((a, b) => rank(a) - rank(b))];
  }
}

export default defineConfig({
  test: {
    // Two test files at a time on 2 cores (CI has 2); the Terraform project sets its own below.
    maxWorkers: 2,
    // Transformed modules kept on disk (node_modules/.experimental-vitest-cache, keyed by each file's content; npm ci
    // starts it afresh): a second run of the unit project skips most of its TypeScript transforms (2.3 s of work on 2
    // cores, 0.8 s with the cache).
    experimental: { fsModuleCache: true },
    // One temp folder per run, removed at the end: tests leave nothing in /tmp.
    globalSetup: ["__tests__/global-setup.ts"],
    sequence: { sequencer: SuiteOrder },
    projects: [
      {
        test: {
          name: "unit",
          setupFiles: [COUNT_ASSERTIONS],
          include: ["__tests__/*.test.ts"],
          exclude: BUILD_TESTS,
          // Seconds on a quiet machine; a loaded CI runner (other jobs on the same 2 cores) may take several times
          // longer for a whole-platform synthesis: a slow machine is not a failure.
          testTimeout: 30_000,
          hookTimeout: 60_000,
          pool: "threads",
          // The test files share no state: import cdktf and the provider once per worker, not once per file.
          isolate: false,
        },
      },
      {
        test: {
          name: "build",
          setupFiles: [COUNT_ASSERTIONS],
          include: BUILD_TESTS,
          testTimeout: 60_000,
          hookTimeout: 60_000,
          pool: "threads",
        },
      },
      {
        test: {
          name: "terraform",
          setupFiles: [COUNT_ASSERTIONS],
          include: ["__tests__/terraform/*.test.ts"],
          // Real terraform against moto: minutes, not milliseconds. One moto per suite file.
          testTimeout: 600_000,
          maxWorkers: TERRAFORM_WORKERS,
          // The suite that asks first for the shared applied platform (harness.ts) builds it in its beforeAll.
          hookTimeout: 900_000,
          pool: "forks",
        },
      },
    ],
  },
});
