import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** One temp folder for the whole run, shared by every worker through the environment; removed at the end. */
export default function setup(): () => void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "avai-tests-"));
  process.env.AVAI_TEST_TMP = dir;
  // And the temp files of the tools under test: cdktf's Testing.app() makes a cdktf.outdir.* in the system's temp
  // folder for every synthesis and never removes it (hundreds per run). Workers and the processes they start inherit it.
  process.env.TMPDIR = dir;
  return () => {
    if (process.env.KEEP_TEST_TMP === "1") console.log(`test files kept in ${dir}`);
    else fs.rmSync(dir, { recursive: true, force: true });
  };
}
