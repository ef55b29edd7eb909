/**
 * `npm run bench`: how fast synthesis and the unit tests are, measured in
 * one run with several repetitions each, against the floor (a one-resource
 * CDKTF app synthesized the same way). Prints min and median of each and
 * the synth/floor ratio. Goals: ratio <= 2, unit suite < 15 s.
 * BENCH_RUNS sets the repetitions (default 5; the unit suite runs 3 times).
 */
import { spawnSync } from "node:child_process";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..");
const BIN = path.join(ROOT, "node_modules", ".bin");
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

function time(label: string, command: string, args: string[], runs: number): { label: string; min: number; median: number } {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    const result = spawnSync(command, args, { cwd: ROOT, encoding: "utf8" });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (result.status !== 0) {
      throw new Error(`${label} failed (${command} ${args.join(" ")}):\n${result.stdout}\n${result.stderr}`);
    }
    samples.push(seconds);
  }
  samples.sort((a, b) => a - b);
  const median = samples[Math.floor(samples.length / 2)];
  const row = { label, min: samples[0], median };
  console.log(`${label.padEnd(44)} min ${row.min.toFixed(2)} s   median ${row.median.toFixed(2)} s   (${runs} runs)`);
  return row;
}

const node = process.execPath;
console.log(`bench: ${RUNS} runs each, node ${process.version}, ${os.cpus().length} cores\n`);
time("node, empty script (process start)", node, ["-e", "0"], RUNS);
const floor = time("floor: one-resource CDKTF app (tsx)", path.join(BIN, "tsx"), ["scripts/bench-floor.ts"], RUNS);
const synth = time("synth: whole platform (tsx main.ts)", path.join(BIN, "tsx"), ["main.ts"], RUNS);
time("synth as users run it (npm run synth)", "npm", ["run", "--silent", "synth"], RUNS);
const unit = time("unit test suite (vitest --project unit)", path.join(BIN, "vitest"), ["run", "--project", "unit"], Math.min(RUNS, 3));
time("type-check (tsc --noEmit)", path.join(BIN, "tsc"), ["--noEmit", "-p", "."], Math.min(RUNS, 3));

const ratio = synth.median / floor.median;
console.log(`\nsynth/floor ratio (medians): ${ratio.toFixed(2)}  (goal <= 2: ${ratio <= 2 ? "met" : "NOT met"})`);
console.log(`unit suite median: ${unit.median.toFixed(1)} s  (goal < 15 s: ${unit.median < 15 ? "met" : "NOT met"})`);
