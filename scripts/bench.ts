/**
 * `npm run bench`: how long a user waits, measured side by side in one run
 * against the honest floor, and written into the README between its
 * `bench` markers (the README's timings come from here, not by hand).
 *
 * - floor: a one-resource CDKTF app as plain JavaScript under node
 *   (scripts/bench-floor.js): the least any CDKTF synthesis can take.
 * - synth process: `node synth/launch.js`, the prebuilt bundle (fresh).
 * - `npm run synth`: what users run; npm's own start-up is measured apart
 *   (`npm --version`).
 * Goals: the synth process within 2x the floor; `npm run synth` within the
 * floor plus npm's start-up plus 0.2 s. BENCH_RUNS sets the repetitions.
 *
 * `npm run bench -- tests`: `npm test` step by step (with `--fresh-clone`,
 * in a fresh clone of the committed tree, `npm ci` first), from vitest's JSON
 * report and the suites' `[timing]` lines: seconds per step, per suite file
 * and per phase (init, apply, plan, destroy, ops calls, the shared applied
 * platform), the number of tests and of assertions; written into the README
 * between its `bench-tests` markers and into __tests__/terraform/suite-seconds.json
 * (the order the Terraform suites start in: longest first).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { README } from "./docs-tables";
import { benchTests, replaceBetween } from "./bench-tests";

const ROOT = path.resolve(__dirname, "..");
const BIN = path.join(ROOT, "node_modules", ".bin");
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const MARKERS = ["<!-- bench:begin -->", "<!-- bench:end -->"] as const;

interface Row {
  readonly label: string;
  readonly command: string;
  readonly median: number;
  readonly min: number;
}

/** Runs each command `runs` times, interleaved round by round, so that a change of load hits every command alike. */
function timeAll(commands: readonly (readonly [label: string, command: string, args: string[]])[], runs = RUNS): Row[] {
  const samples = commands.map(() => [] as number[]);
  for (const [, command, args] of commands) spawnSync(command, args, { cwd: ROOT }); // warm the file cache; not counted
  for (let i = 0; i < runs; i++) {
    commands.forEach(([label, command, args], j) => {
      const started = process.hrtime.bigint();
      const result = spawnSync(command, args, { cwd: ROOT, encoding: "utf8" });
      samples[j].push(Number(process.hrtime.bigint() - started) / 1e9);
      if (result.status !== 0) throw new Error(`${label} failed (${command} ${args.join(" ")}):\n${result.stdout}\n${result.stderr}`);
    });
  }
  return commands.map(([label, command, args], j) => {
    const sorted = samples[j].sort((a, b) => a - b);
    const row = {
      label,
      command: [path.basename(command), ...args].join(" "),
      median: sorted[Math.floor(sorted.length / 2)],
      min: sorted[0],
    };
    console.log(`${label.padEnd(50)} median ${row.median.toFixed(2)} s   min ${row.min.toFixed(2)} s   (${runs} runs)`);
    return row;
  });
}

function benchSynth(): void {
  const node = process.execPath;
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "avai-bench-"));
  try {
    console.log(`bench: ${RUNS} runs each, node ${process.version}, ${os.cpus().length} cores\n`);
    spawnSync("npm", ["run", "--silent", "build"], { cwd: ROOT }); // the bundle is fresh, as after any first synth
    const [start, npm, floor, synth, npmSynth] = timeAll([
      ["node start-up (node -e 0)", node, ["-e", "0"]],
      ["npm start-up (npm --version)", "npm", ["--version"]],
      ["floor: one-resource CDKTF app (node)", node, ["scripts/bench-floor.js", path.join(out, "floor")]],
      ["synth process (node synth/launch.js)", node, ["synth/launch.js"]],
      ["npm run synth", "npm", ["run", "--silent", "synth"]],
    ]);
    const few = Math.min(RUNS, 3);
    const [tsx, unit, tsc] = timeAll(
      [
        ["without the bundle (tsx synth/cli.ts), for comparison", path.join(BIN, "tsx"), ["synth/cli.ts"]],
        ["unit tests (vitest --project unit)", path.join(BIN, "vitest"), ["run", "--project", "unit"]],
        ["type-check (tsc --noEmit)", path.join(BIN, "tsc"), ["--noEmit", "-p", "."]],
      ],
      few,
    );

    const ratio = synth.median / floor.median;
    const budget = floor.median + npm.median + 0.2;
    const goals = [
      `synth process / floor: ${ratio.toFixed(2)} (goal ≤ 2: ${ratio <= 2 ? "met" : "not met"})`,
      `npm run synth ${npmSynth.median.toFixed(2)} s against floor + npm start-up + 0.2 s = ${budget.toFixed(2)} s (${npmSynth.median <= budget ? "met" : "not met"})`,
    ];
    console.log(`\n${goals.join("\n")}`);

    const table = [
      `Measured by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)} (${os.cpus().length} cores, node ${process.version}; medians of ${RUNS} interleaved runs, ${few} for the last three):`,
      "",
      "| what | command | median |",
      "|---|---|---|",
      ...[start, npm, floor, synth, npmSynth, tsx, unit, tsc].map(
        (r) => `| ${r.label} | \`${r.command.replace(out, "<tmp>")}\` | ${r.median.toFixed(2)} s |`,
      ),
      "",
      ...goals.map((g) => `- ${g}`),
    ].join("\n");
    replaceBetween(README, MARKERS, table);
    console.log("\nbench: README.md timings updated");
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

if (process.argv[2] === "tests") void benchTests(process.argv.slice(3));
else benchSynth();
