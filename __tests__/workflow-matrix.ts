/**
 * What the deploy workflow does with the services table, by running its own
 * steps: the step that turns `deploy/services.json` into the image matrix,
 * and the step that prints the URLs (with `make` stubbed to echo the output
 * it is asked for). Used on this checkout and on a scratch copy with a fifth
 * service.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

interface Step {
  readonly id?: string;
  readonly name?: string;
  readonly run?: string;
}
interface Job {
  readonly outputs?: Record<string, string>;
  readonly strategy?: { matrix?: { include?: unknown } };
  readonly steps: readonly Step[];
}

function runStep(projectDir: string, run: string, scratch: string, env: Record<string, string> = {}): string {
  const result = spawnSync("bash", ["-eo", "pipefail", "-c", run], {
    cwd: projectDir,
    encoding: "utf8",
    env: { ...process.env, GITHUB_OUTPUT: path.join(scratch, "github-output"), ...env },
  });
  if (result.status !== 0) throw new Error(`workflow step failed (${result.status}): ${run}\n${result.stderr}`);
  return result.stdout;
}

/** The deploy workflow's image matrix and printed URL outputs, as its steps compute them in `projectDir`. */
export function deployWorkflowTable(projectDir: string, scratch: string): { images: unknown[]; urlOutputs: string[] } {
  const jobs = (parse(fs.readFileSync(path.join(projectDir, ".github/workflows/deploy.yml"), "utf8")) as { jobs: Record<string, Job> })
    .jobs;
  // images: include: ${{ fromJSON(needs.<job>.outputs.<name>) }} ← <job>.outputs.<name>: ${{ steps.<id>.outputs.<key> }}
  const include = String(jobs.images.strategy?.matrix?.include);
  const need = /fromJSON\(needs\.([\w-]+)\.outputs\.([\w-]+)\)/.exec(include);
  if (!need) throw new Error(`deploy.yml: the images matrix is not read from a job's output: ${include}`);
  const [, jobId, outputName] = need;
  const ref = /steps\.([\w-]+)\.outputs\.([\w-]+)/.exec(jobs[jobId]?.outputs?.[outputName] ?? "");
  if (!ref) throw new Error(`deploy.yml: ${jobId}.outputs.${outputName} is not a step's output`);
  const step = jobs[jobId].steps.find((s) => s.id === ref[1]);
  if (!step?.run) throw new Error(`deploy.yml: no step ${ref[1]} with a run in ${jobId}`);
  fs.mkdirSync(scratch, { recursive: true });
  fs.writeFileSync(path.join(scratch, "github-output"), "");
  runStep(projectDir, step.run, scratch);
  const outputs = Object.fromEntries(
    fs
      .readFileSync(path.join(scratch, "github-output"), "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
  );
  const images = JSON.parse(outputs[ref[2]]) as unknown[];

  // The URL step, with a make that prints what it is asked for.
  const urlStep = jobs.services.steps.find((s) => /URL/i.test(s.name ?? ""));
  if (!urlStep?.run) throw new Error("deploy.yml: the services job prints no URLs");
  const bin = path.join(scratch, "bin");
  fs.mkdirSync(bin, { recursive: true });
  fs.writeFileSync(path.join(bin, "make"), '#!/bin/sh\nfor a; do case "$a" in ARGS=*) echo "${a#ARGS=output -raw }";; esac; done\n', {
    mode: 0o755,
  });
  const printed = runStep(projectDir, urlStep.run, scratch, { PATH: `${bin}:${process.env.PATH}` });
  const urlOutputs = printed
    .split("\n")
    .filter(Boolean)
    .map((line) => line.slice(0, line.indexOf(":")));
  return { images, urlOutputs };
}
