import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // The Terraform suites mostly wait on terraform and moto: two suite files at a time on 2 cores (CI has 2).
    maxWorkers: 2,
    // One temp folder per run, removed at the end: tests leave nothing in /tmp.
    globalSetup: ["__tests__/global-setup.ts"],
    projects: [
      {
        test: {
          name: "unit",
          include: ["__tests__/*.test.ts"],
          pool: "threads",
          // The test files share no state: import cdktf and the provider once per worker, not once per file.
          isolate: false,
        },
      },
      {
        test: {
          name: "terraform",
          include: ["__tests__/terraform/*.test.ts"],
          // Real terraform against moto: minutes, not milliseconds. One moto per suite file.
          testTimeout: 600_000,
          hookTimeout: 300_000,
          pool: "forks",
        },
      },
    ],
  },
});
