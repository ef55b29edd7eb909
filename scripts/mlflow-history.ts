/**
 * `npm run mlflow-history -- export|import`: MLflow's history (experiments,
 * runs, parameters, metrics with every step, tags) through MLflow's REST API,
 * to a JSON file and back. Used once, at the switch to this project: MLflow's
 * tracking store used to live on its task's disk, and the switch's new task
 * definition starts MLflow on the persistent store (docs/MIGRATION.md).
 *
 *   npm run mlflow-history -- export --tracking-uri http://<alb>:8080 --file mlflow-history.json
 *   npm run mlflow-history -- import --tracking-uri http://<alb>:8080 --file mlflow-history.json
 *
 * Artifacts stay where they are (S3): an imported run keeps its original
 * artifact location in the tag `autovisionai.original_artifact_uri`, and its
 * original id in `autovisionai.original_run_id`.
 */
import * as fs from "node:fs";
import { parseArgs } from "node:util";

interface Tag {
  readonly key: string;
  readonly value: string;
}
interface Metric {
  readonly key: string;
  readonly value: number;
  readonly timestamp: number;
  readonly step: number;
}
export interface ExportedRun {
  readonly info: {
    readonly run_id: string;
    readonly run_name?: string;
    readonly status?: string;
    readonly start_time?: number;
    readonly end_time?: number;
    readonly artifact_uri?: string;
    readonly lifecycle_stage?: string;
  };
  readonly params: readonly Tag[];
  readonly tags: readonly Tag[];
  /** Every logged value of every metric, in order. */
  readonly metrics: readonly Metric[];
}
export interface ExportedExperiment {
  readonly experiment_id: string;
  readonly name: string;
  readonly artifact_location?: string;
  readonly lifecycle_stage?: string;
  readonly tags: readonly Tag[];
  readonly runs: readonly ExportedRun[];
}
export interface History {
  readonly format: "autovisionai-mlflow-history/1";
  readonly exported_at: string;
  readonly experiments: readonly ExportedExperiment[];
}

/** MLflow's REST API at one tracking URI. Errors name the call and MLflow's answer. */
export class MlflowClient {
  constructor(private readonly trackingUri: string) {}

  async call<T>(method: "GET" | "POST", path: string, body: Record<string, unknown> = {}): Promise<T> {
    const url = new URL(`/api/2.0/mlflow/${path}`, this.trackingUri);
    if (method === "GET") for (const [k, v] of Object.entries(body)) url.searchParams.set(k, String(v));
    let response: Response;
    try {
      response = await fetch(
        url,
        method === "POST" ? { method, headers: { "content-type": "application/json" }, body: JSON.stringify(body) } : {},
      );
    } catch (error) {
      throw new Error(
        `cannot reach MLflow at ${this.trackingUri} (${error instanceof Error ? error.message : String(error)}): check --tracking-uri`,
      );
    }
    const text = await response.text();
    if (!response.ok) throw new MlflowError(path, response.status, text);
    return (text ? JSON.parse(text) : {}) as T;
  }

  /** Every page of a paged search. */
  async all<T>(path: string, key: string, body: Record<string, unknown>): Promise<T[]> {
    const out: T[] = [];
    let token: string | undefined;
    do {
      const page = await this.call<Record<string, unknown>>("POST", path, { ...body, ...(token ? { page_token: token } : {}) });
      out.push(...((page[key] as T[] | undefined) ?? []));
      token = page.next_page_token as string | undefined;
    } while (token);
    return out;
  }
}

export class MlflowError extends Error {
  constructor(
    readonly path: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(`MLflow ${path} answered ${status}: ${body.slice(0, 300)}`);
  }
  get code(): string | undefined {
    try {
      return (JSON.parse(this.body) as { error_code?: string }).error_code;
    } catch {
      return undefined;
    }
  }
}

type SearchedRun = { info: ExportedRun["info"]; data?: { metrics?: Metric[]; params?: Tag[]; tags?: Tag[] } };

/** Every value of one metric of a run, page by page. */
async function metricHistory(client: MlflowClient, runId: string, key: string): Promise<Metric[]> {
  const out: Metric[] = [];
  let token: string | undefined;
  do {
    const page = await client.call<{ metrics?: Metric[]; next_page_token?: string }>("GET", "metrics/get-history", {
      run_id: runId,
      metric_key: key,
      max_results: 25000,
      ...(token ? { page_token: token } : {}),
    });
    out.push(...(page.metrics ?? []).map((m) => ({ key, value: m.value, timestamp: m.timestamp, step: m.step ?? 0 })));
    token = page.next_page_token;
  } while (token);
  return out;
}

/** One run with its parameters, tags and each metric's full history. */
async function exportRun(client: MlflowClient, run: SearchedRun): Promise<ExportedRun> {
  const metrics: Metric[] = [];
  for (const key of [...new Set((run.data?.metrics ?? []).map((m) => m.key))]) {
    metrics.push(...(await metricHistory(client, run.info.run_id, key)));
  }
  return { info: run.info, params: run.data?.params ?? [], tags: run.data?.tags ?? [], metrics };
}

/** Reads every experiment and run, with each metric's full history. */
export async function exportHistory(client: MlflowClient): Promise<History> {
  const experiments = await client.all<Record<string, unknown>>("experiments/search", "experiments", {
    max_results: 1000,
    view_type: "ALL",
  });
  const out: ExportedExperiment[] = [];
  for (const e of experiments) {
    const id = String(e.experiment_id);
    const runs = await client.all<SearchedRun>("runs/search", "runs", { experiment_ids: [id], max_results: 1000, run_view_type: "ALL" });
    const exportedRuns: ExportedRun[] = [];
    for (const run of runs) exportedRuns.push(await exportRun(client, run));
    out.push({
      experiment_id: id,
      name: String(e.name),
      artifact_location: e.artifact_location as string | undefined,
      lifecycle_stage: e.lifecycle_stage as string | undefined,
      tags: (e.tags as Tag[] | undefined) ?? [],
      runs: exportedRuns,
    });
  }
  return { format: "autovisionai-mlflow-history/1", exported_at: new Date().toISOString(), experiments: out };
}

/** MLflow's limits for one runs/log-batch call. */
const BATCH = { metrics: 1000, params: 100, tags: 100, total: 1000 };

function* batches(run: ExportedRun, extraTags: readonly Tag[]): Generator<{ metrics: Metric[]; params: Tag[]; tags: Tag[] }> {
  const queues = {
    metrics: [...run.metrics],
    params: [...run.params],
    tags: [...run.tags.filter((t) => !t.key.startsWith("mlflow.runName")), ...extraTags],
  };
  while (queues.metrics.length || queues.params.length || queues.tags.length) {
    const params = queues.params.splice(0, BATCH.params);
    const tags = queues.tags.splice(0, BATCH.tags);
    const metrics = queues.metrics.splice(0, Math.min(BATCH.metrics, BATCH.total - params.length - tags.length));
    yield { metrics, params, tags };
  }
}

export interface ImportReport {
  readonly experiments: number;
  readonly runs: number;
  readonly metricValues: number;
}

/** The experiment of that name: created, or the existing one (such as Default). */
async function experimentFor(client: MlflowClient, e: ExportedExperiment): Promise<string> {
  try {
    const created = await client.call<{ experiment_id: string }>("POST", "experiments/create", {
      name: e.name,
      ...(e.artifact_location ? { artifact_location: e.artifact_location } : {}),
      tags: e.tags,
    });
    return created.experiment_id;
  } catch (error) {
    if (!(error instanceof MlflowError) || error.code !== "RESOURCE_ALREADY_EXISTS") throw error;
    return (await client.call<{ experiment: { experiment_id: string } }>("GET", "experiments/get-by-name", { experiment_name: e.name }))
      .experiment.experiment_id;
  }
}

/** One run written again: parameters, tags (with where it came from), every metric value, status, times; deleted if it was. */
async function importRun(client: MlflowClient, experimentId: string, run: ExportedRun): Promise<void> {
  const created = await client.call<{ run: { info: { run_id: string } } }>("POST", "runs/create", {
    experiment_id: experimentId,
    start_time: run.info.start_time,
    ...(run.info.run_name ? { run_name: run.info.run_name } : {}),
  });
  const runId = created.run.info.run_id;
  const provenance = [
    { key: "autovisionai.original_run_id", value: run.info.run_id },
    ...(run.info.artifact_uri ? [{ key: "autovisionai.original_artifact_uri", value: run.info.artifact_uri }] : []),
  ];
  for (const batch of batches(run, provenance)) await client.call("POST", "runs/log-batch", { run_id: runId, ...batch });
  await client.call("POST", "runs/update", { run_id: runId, status: run.info.status ?? "FINISHED", end_time: run.info.end_time });
  if (run.info.lifecycle_stage === "deleted") await client.call("POST", "runs/delete", { run_id: runId });
}

/**
 * Writes a history into the MLflow at `client`: experiments by name (an
 * existing one, such as Default, is reused), every run with its parameters,
 * tags and every metric value, its status and times; deleted ones deleted again.
 */
export async function importHistory(client: MlflowClient, history: History): Promise<ImportReport> {
  if (history.format !== "autovisionai-mlflow-history/1")
    throw new Error(`not an MLflow history written by this tool (format ${String(history.format)})`);
  let runs = 0;
  let metricValues = 0;
  for (const e of history.experiments) {
    const experimentId = await experimentFor(client, e);
    for (const run of e.runs) {
      await importRun(client, experimentId, run);
      runs += 1;
      metricValues += run.metrics.length;
    }
    if (e.lifecycle_stage === "deleted") await client.call("POST", "experiments/delete", { experiment_id: experimentId });
  }
  return { experiments: history.experiments.length, runs, metricValues };
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { "tracking-uri": { type: "string" }, file: { type: "string", default: "mlflow-history.json" } },
  });
  const [command] = positionals;
  const uri = values["tracking-uri"];
  if (!["export", "import"].includes(command ?? "") || !uri) {
    throw new Error("usage: npm run mlflow-history -- export|import --tracking-uri http://<alb dns>:8080 [--file mlflow-history.json]");
  }
  const client = new MlflowClient(uri);
  const file = values.file as string;
  if (command === "export") {
    const history = await exportHistory(client);
    fs.writeFileSync(file, `${JSON.stringify(history, null, 1)}\n`);
    const runs = history.experiments.reduce((n, e) => n + e.runs.length, 0);
    console.log(`exported ${history.experiments.length} experiments and ${runs} runs from ${uri} to ${file}`);
  } else {
    if (!fs.existsSync(file)) throw new Error(`--file ${file} does not exist: export first`);
    const report = await importHistory(client, JSON.parse(fs.readFileSync(file, "utf8")) as History);
    console.log(`imported ${report.experiments} experiments, ${report.runs} runs and ${report.metricValues} metric values into ${uri}`);
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(`mlflow-history: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
