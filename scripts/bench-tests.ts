/**
 * `npm run bench -- tests [--fresh-clone]`: where `npm test` spends its time.
 *
 * Runs `npm test`'s steps one by one (the same commands as package.json's
 * `test` script), each timed; the two vitest projects write vitest's JSON
 * report, in which every test carries the number of `expect` calls it made
 * (__tests__/count-assertions.ts). The Terraform suites' `[timing]` lines
 * (harness.ts `timing()`) give the phases: init, apply, plan, destroy, ops
 * calls and the shared applied platform. With `--fresh-clone`, the committed
 * tree is cloned into a temp folder and `npm ci` is timed first, as a
 * newcomer runs it.
 *
 * Prints every table, and writes the README's `bench-tests` section and
 * __tests__/terraform/suite-seconds.json (vitest.config.mts starts the longest
 * Terraform suites first from it).
 */
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { TERRAFORM_WORKERS } from "../__tests__/terraform/workers.mts";
import { README } from "./docs-tables";

const ROOT = path.resolve(__dirname, "..");
const MARKERS = ["<!-- bench-tests:begin -->", "<!-- bench-tests:end -->"] as const;
/** Seconds each Terraform suite file took in the last measured run: the order they start in. */
export const SUITE_SECONDS = path.join(ROOT, "__tests__", "terraform", "suite-seconds.json");

/** Replaces the text between two markers of a file (the markers stay). */
export function replaceBetween(file: string, markers: readonly [string, string], text: string): void {
  const content = fs.readFileSync(file, "utf8");
  const from = content.indexOf(markers[0]);
  const to = content.indexOf(markers[1]);
  if (from < 0 || to < from) throw new Error(`${path.basename(file)}: markers ${markers.join(" … ")} are missing`);
  fs.writeFileSync(file, `${content.slice(0, from + markers[0].length)}\n${text}\n${content.slice(to)}`);
}

interface Step {
  readonly label: string;
  readonly seconds: number;
  /** CPU-seconds of the step's processes, all of them (Linux; undefined elsewhere). */
  readonly cpu?: number;
  readonly output: string;
  readonly code: number;
}

let clockTicks: number | undefined;
/** The kernel's clock ticks per second, in which /proc reports CPU time: asked once, on the first measure, not on import. */
function ticksPerSecond(): number {
  clockTicks ??= Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout?.trim()) || 100;
  return clockTicks;
}

/**
 * CPU-seconds used so far by this process's children and their descendants, each counted when its parent waited for
 * it (/proc/self/stat: cutime + cstime). On 2 cores the suites are CPU-bound: this is the work a step did, which a
 * slower or busier machine stretches less than its wall time. Undefined where there is no /proc.
 */
export function childrenCpuSeconds(): number | undefined {
  try {
    const fields = fs.readFileSync("/proc/self/stat", "utf8").split(") ")[1].split(" ");
    // Fields 16 and 17 of proc(5), counted from the state (field 3).
    return (Number(fields[13]) + Number(fields[14])) / ticksPerSecond();
  } catch {
    return undefined;
  }
}

/** Runs a command in `cwd`, its output shown as it comes and kept. */
function run(label: string, command: string, args: readonly string[], cwd: string): Promise<Step> {
  const started = process.hrtime.bigint();
  const cpuBefore = childrenCpuSeconds();
  console.log(`\n== ${label}: ${command} ${args.join(" ")}`);
  return new Promise((resolve, reject) => {
    // No colours: vitest colours its output whenever FORCE_COLOR is set at all, "0" included; NO_COLOR turns them off.
    const { FORCE_COLOR: _colour, ...env } = process.env;
    const child = spawn(command, args, { cwd, env: { ...env, NO_COLOR: "1" } });
    let output = "";
    const keep = (d: Buffer) => {
      output += d.toString();
      process.stdout.write(d);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    child.on("error", reject);
    child.on("close", (code) => {
      const cpuAfter = childrenCpuSeconds();
      const cpu = cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore;
      resolve({ label, seconds: Number(process.hrtime.bigint() - started) / 1e9, cpu, output, code: code ?? -1 });
    });
  });
}

interface FileRow {
  readonly file: string;
  readonly project: string;
  readonly tests: number;
  readonly assertions: number;
  readonly failed: number;
  readonly seconds: number;
}

interface JsonReport {
  readonly testResults: readonly {
    readonly name: string;
    readonly startTime: number;
    readonly endTime: number;
    readonly assertionResults: readonly { readonly status: string; readonly meta?: { readonly assertions?: number } }[];
  }[];
}

function fileRows(reportFile: string, project: string, cwd: string): FileRow[] {
  const report = JSON.parse(fs.readFileSync(reportFile, "utf8")) as JsonReport;
  return report.testResults.map((f) => ({
    file: path.relative(cwd, f.name),
    project,
    tests: f.assertionResults.length,
    assertions: f.assertionResults.reduce((n, t) => n + (t.meta?.assertions ?? 0), 0),
    failed: f.assertionResults.filter((t) => t.status === "failed").length,
    seconds: (f.endTime - f.startTime) / 1000,
  }));
}

/** A `[timing]` label's phase ("" for the shared platform's own breakdown, already inside the suite's "applied platform" line). */
export function phaseOf(label: string): string {
  if (label.startsWith("applied platform:")) return "";
  if (/applied platform/.test(label)) return "shared applied platform";
  if (/destroy/.test(label)) return "destroy";
  if (/\binit\b/.test(label)) return "init";
  if (/npm run ops/.test(label)) return "ops calls";
  if (/\bplan\b|\bdiff\b/.test(label)) return "plan";
  if (/apply|deploy|sandbox up|re-run/.test(label)) return "apply";
  return "other";
}

/** Terminal colour and style codes (a run in a terminal may still carry them). */
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g");
const plain = (output: string) => output.replace(ANSI, "");

/**
 * Seconds per suite file as vitest's own reporter states them (`✓ terraform x.test.ts (7 tests) 444388ms`):
 * the whole file, its `beforeAll` included, which the JSON report's start and end times leave out.
 */
export function reportedSeconds(output: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of plain(output).matchAll(/(\S+\.test\.ts) \(\d+ tests?[^)]*\) (\d+)ms/g)) out.set(m[1], Number(m[2]) / 1000);
  return out;
}

/** Seconds per suite file and phase, from the `[timing]` lines under vitest's `stdout | <file>` headers. */
export function phases(output: string): Map<string, Map<string, number>> {
  const byFile = new Map<string, Map<string, number>>();
  let file = "";
  for (const line of plain(output).split("\n")) {
    const header = /stdout \| (\S+\.test\.ts)/.exec(line);
    if (header) file = header[1];
    const t = /\[timing\] (.*): ([\d.]+) s/.exec(line);
    const phase = t ? phaseOf(t[1]) : "";
    if (!t || !phase) continue;
    const row = byFile.get(file) ?? new Map<string, number>();
    row.set(phase, (row.get(phase) ?? 0) + Number(t[2]));
    byFile.set(file, row);
  }
  return byFile;
}

const s = (n: number) => `${n.toFixed(1)} s`;
const cpuText = (n: number | undefined) => (n === undefined ? "n/a" : n.toFixed(0));

/** The CHECKS of package.json's `checks`, in its order: type-check, format, lint, unused code, import cycles. */
const CHECKS = [
  ["type-check", "typecheck"],
  ["format check", "format:check"],
  ["lint", "lint"],
  ["unused code (knip)", "knip"],
  ["import cycles (dpdm)", "cycles"],
] as const;

const vitestArgs = (projects: readonly string[], report: string) => [
  "vitest",
  "run",
  ...projects.flatMap((p) => ["--project", p]),
  "--reporter=default",
  "--reporter=json",
  `--outputFile.json=${report}`,
];

/** `npm test`'s steps one by one, as package.json runs them (a fresh clone and npm ci first with --fresh-clone). */
async function runSteps(cwd: string, fresh: boolean, unitReport: string, tfReport: string): Promise<Step[]> {
  const steps: Step[] = [];
  if (fresh) {
    const clone = spawnSync("git", ["clone", "--quiet", "--no-hardlinks", ROOT, cwd], { encoding: "utf8" });
    if (clone.status !== 0) throw new Error(`git clone failed: ${clone.stderr}`);
    steps.push(await run("npm ci", "npm", ["ci", "--no-audit", "--no-fund"], cwd));
  }
  for (const [label, script] of CHECKS) steps.push(await run(label, "npm", ["run", "--silent", script], cwd));
  // As package.json's `test` runs them: unit and build together, then the Terraform suites.
  steps.push(await run("unit and build tests", "npx", vitestArgs(["unit", "build"], unitReport), cwd));
  steps.push(await run("Terraform suites", "npx", vitestArgs(["terraform"], tfReport), cwd));
  return steps;
}

/** The README's figures: the steps, the counts, the Terraform suite files by phase, the slowest unit files. */
function renderFigures(steps: readonly Step[], rows: readonly FileRow[], fresh: boolean): { text: string; tf: FileRow[] } {
  const timings = phases(steps[steps.length - 1].output);
  const phaseNames = ["shared applied platform", "init", "apply", "plan", "destroy", "ops calls", "other"].filter((p) =>
    [...timings.values()].some((m) => m.has(p)),
  );
  const total = steps.reduce((n, st) => n + st.seconds, 0);
  const totalCpu = steps.every((st) => st.cpu !== undefined) ? steps.reduce((n, st) => n + (st.cpu as number), 0) : undefined;
  const count = (project: string, key: "tests" | "assertions") => rows.filter((r) => r.project === project).reduce((n, r) => n + r[key], 0);
  const failed = rows.reduce((n, r) => n + r.failed, 0);
  const tf = rows.filter((r) => r.project === "terraform").sort((a, b) => b.seconds - a.seconds);
  const unitSlowest = rows
    .filter((r) => r.project === "unit")
    .sort((a, b) => b.seconds - a.seconds)
    .slice(0, 5);
  const lines = [
    `Measured by \`npm run bench -- tests${fresh ? " --fresh-clone" : ""}\` on ${new Date().toISOString().slice(0, 10)} (${os.cpus().length} cores, load average at the end ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(" / ")}, node ${process.version}):`,
    "",
    "| step | seconds | CPU-seconds |",
    "|---|---|---|",
    ...steps.map((st) => `| ${st.label}${st.code === 0 ? "" : " (FAILED)"} | ${s(st.seconds)} | ${cpuText(st.cpu)} |`),
    `| **total** | **${s(total)}** (${(total / 60).toFixed(1)} min) | ${cpuText(totalCpu)} |`,
    "",
    "CPU-seconds: the work of each step's processes, all of them; on 2 cores the Terraform suites are CPU-bound, and this figure moves less than the wall time from a quiet machine to a busy one.",
    "",
    `Tests: ${count("unit", "tests")} unit and build (${count("unit", "assertions")} assertions), ${count("terraform", "tests")} Terraform (${count("terraform", "assertions")} assertions)${failed ? `; ${failed} FAILED` : ""}.`,
    "",
    `Terraform suite files (${TERRAFORM_WORKERS} at a time; the phases are the \`[timing]\` lines each suite prints, summed):`,
    "",
    `| suite file | tests | assertions | seconds | ${phaseNames.join(" | ")} |`,
    `|---|---|---|---|${phaseNames.map(() => "---|").join("")}`,
    ...tf.map((r) => {
      const p = timings.get(r.file) ?? new Map<string, number>();
      return `| ${path.basename(r.file)} | ${r.tests} | ${r.assertions} | ${s(r.seconds)} | ${phaseNames.map((n) => (p.has(n) ? s(p.get(n) as number) : "")).join(" | ")} |`;
    }),
    "",
    `Slowest unit test files: ${unitSlowest.map((r) => `${path.basename(r.file)} ${s(r.seconds)}`).join(", ")}.`,
  ];
  return { text: lines.join("\n"), tf };
}

export async function benchTests(args: readonly string[]): Promise<void> {
  const fresh = args.includes("--fresh-clone");
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "avai-bench-tests-"));
  const cwd = fresh ? path.join(tmp, "clone") : ROOT;
  try {
    const unitReport = path.join(tmp, "unit.json");
    const tfReport = path.join(tmp, "terraform.json");
    const steps = await runSteps(cwd, fresh, unitReport, tfReport);
    const failedSteps = steps.filter((st) => st.code !== 0);
    const reported = reportedSeconds(steps.map((st) => st.output).join("\n"));
    const rows = [...fileRows(unitReport, "unit", cwd), ...fileRows(tfReport, "terraform", cwd)].map((r) => ({
      ...r,
      seconds: reported.get(r.file) ?? r.seconds,
    }));
    const { text, tf } = renderFigures(steps, rows, fresh);
    console.log(`\n${text}`);
    if (failedSteps.length > 0) {
      console.error(`\nbench: ${failedSteps.map((st) => st.label).join(", ")} failed; README.md not updated`);
      process.exitCode = 1;
      return;
    }
    replaceBetween(README, MARKERS, text);
    const seconds = Object.fromEntries(tf.map((r) => [path.basename(r.file), Math.round(r.seconds)]));
    fs.writeFileSync(SUITE_SECONDS, `${JSON.stringify(seconds, null, 2)}\n`);
    console.log(`\nbench: README.md and ${path.relative(ROOT, SUITE_SECONDS)} updated`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
