/**
 * `npm run validate`: `terraform validate` of the synthesized root with the
 * real provider, offline (the provider mirror), in a temp copy: the user's
 * deploy/terraform (.terraform, lock file, state) is never touched. Fails on
 * an error or a warning. Part of `npm run test:quick`.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

process.env.AVAI_TEST_TMP = fs.mkdtempSync(path.join(os.tmpdir(), "avai-validate-"));

async function main(): Promise<void> {
  const { checkTools, copyRoot, SYNTH_DIR, terraformOk } = await import("../__tests__/terraform/harness");
  try {
    checkTools();
    const dir = copyRoot(SYNTH_DIR, "validate");
    await terraformOk(dir, undefined, ["init", "-backend=false", "-input=false"]);
    const run = await terraformOk(dir, undefined, ["validate", "-json"]);
    const result = JSON.parse(run.stdout) as {
      valid: boolean;
      warning_count: number;
      diagnostics: { severity: string; summary: string; detail?: string }[];
    };
    for (const d of result.diagnostics) console.error(`${d.severity}: ${d.summary}${d.detail ? `\n  ${d.detail}` : ""}`);
    if (!result.valid || result.warning_count > 0) {
      console.error(
        `terraform validate: ${result.valid ? "valid" : "INVALID"}, ${result.warning_count} warning(s) in ${path.relative(process.cwd(), SYNTH_DIR)}`,
      );
      process.exitCode = 1;
    } else {
      console.log(`terraform validate: ${path.relative(process.cwd(), SYNTH_DIR)} is valid, no warnings (${run.seconds.toFixed(1)} s)`);
    }
  } finally {
    fs.rmSync(process.env.AVAI_TEST_TMP as string, { recursive: true, force: true });
  }
}

void main();
