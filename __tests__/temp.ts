/**
 * Where the tests write: one folder per test run, made by the global setup
 * (`__tests__/global-setup.ts`) and removed when the run ends, so a run
 * leaves nothing in /tmp (KEEP_TEST_TMP=1 keeps it, for reading moto's logs).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** The run's folder (a fresh one when a test file runs outside the global setup). */
export function testTmp(): string {
  if (!process.env.AVAI_TEST_TMP) process.env.AVAI_TEST_TMP = fs.mkdtempSync(path.join(os.tmpdir(), "avai-tests-"));
  return process.env.AVAI_TEST_TMP;
}

/** A fresh folder inside the run's folder. */
export function tempDir(label: string): string {
  return fs.mkdtempSync(path.join(testTmp(), `${label}-`));
}
