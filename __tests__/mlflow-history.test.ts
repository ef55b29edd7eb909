/**
 * The MLflow history tool against an MLflow-compatible fake: the REST calls
 * it makes (paged searches, metric history, create, log-batch, update,
 * delete) answered as MLflow 2.x documents them, in memory. Export from one,
 * import into another, export again: the same history.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportHistory, type History, importHistory, MlflowClient } from "../scripts/mlflow-history";

interface Tag {
  key: string;
  value: string;
}
interface Run {
  info: {
    run_id: string;
    experiment_id: string;
    run_name?: string;
    status: string;
    start_time?: number;
    end_time?: number;
    artifact_uri: string;
    lifecycle_stage: string;
  };
  params: Tag[];
  tags: Tag[];
  metrics: { key: string; value: number; timestamp: number; step: number }[];
}
interface Experiment {
  experiment_id: string;
  name: string;
  artifact_location: string;
  lifecycle_stage: string;
  tags: Tag[];
}

/** An in-memory MLflow tracking server (pages of 2, to make the client page). */
class FakeMlflow {
  experiments: Experiment[] = [
    { experiment_id: "0", name: "Default", artifact_location: "s3://bucket/0", lifecycle_stage: "active", tags: [] },
  ];
  runs: Run[] = [];
  private server = http.createServer((req, res) => this.handle(req, res));
  url = "";

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private page<T>(items: T[], token: string | undefined): { items: T[]; next?: string } {
    const start = Number(token ?? 0);
    return { items: items.slice(start, start + 2), next: start + 2 < items.length ? String(start + 2) : undefined };
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString()));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", this.url);
      const path = url.pathname.replace("/api/2.0/mlflow/", "");
      // biome-ignore lint/suspicious/noExplicitAny: a fake MLflow server reads whatever fields each API call sends
      const input = (body ? JSON.parse(body) : Object.fromEntries(url.searchParams)) as Record<string, any>;
      const reply = (status: number, data: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(data));
      };
      const run = () => this.runs.find((r) => r.info.run_id === input.run_id) as Run;
      switch (path) {
        case "experiments/search": {
          const p = this.page(this.experiments, input.page_token);
          return reply(200, { experiments: p.items, next_page_token: p.next });
        }
        case "experiments/create": {
          if (this.experiments.some((e) => e.name === input.name))
            return reply(400, { error_code: "RESOURCE_ALREADY_EXISTS", message: "exists" });
          const id = String(this.experiments.length * 10);
          this.experiments.push({
            experiment_id: id,
            name: input.name,
            artifact_location: input.artifact_location ?? `s3://bucket/${id}`,
            lifecycle_stage: "active",
            tags: input.tags ?? [],
          });
          return reply(200, { experiment_id: id });
        }
        case "experiments/get-by-name":
          return reply(200, { experiment: this.experiments.find((e) => e.name === input.experiment_name) });
        case "experiments/delete":
          (this.experiments.find((e) => e.experiment_id === input.experiment_id) as Experiment).lifecycle_stage = "deleted";
          return reply(200, {});
        case "runs/search": {
          const matching = this.runs.filter((r) => (input.experiment_ids as string[]).includes(r.info.experiment_id));
          const p = this.page(matching, input.page_token);
          const latest = (r: Run) => [...new Map(r.metrics.map((m) => [m.key, m])).values()];
          return reply(200, {
            runs: p.items.map((r) => ({ info: r.info, data: { params: r.params, tags: r.tags, metrics: latest(r) } })),
            next_page_token: p.next,
          });
        }
        case "metrics/get-history": {
          const p = this.page(
            run().metrics.filter((m) => m.key === input.metric_key),
            input.page_token,
          );
          return reply(200, { metrics: p.items, next_page_token: p.next });
        }
        case "runs/create": {
          const id = `run${this.runs.length + 1}`;
          const created: Run = {
            info: {
              run_id: id,
              experiment_id: input.experiment_id,
              run_name: input.run_name,
              status: "RUNNING",
              start_time: input.start_time,
              artifact_uri: `s3://bucket/${input.experiment_id}/${id}/artifacts`,
              lifecycle_stage: "active",
            },
            params: [],
            tags: [],
            metrics: [],
          };
          this.runs.push(created);
          return reply(200, { run: { info: created.info } });
        }
        case "runs/log-batch": {
          const count = input.metrics.length + input.params.length + input.tags.length;
          if (count > 1000 || input.params.length > 100 || input.tags.length > 100)
            return reply(400, { error_code: "INVALID_PARAMETER_VALUE" });
          run().metrics.push(...input.metrics);
          run().params.push(...input.params);
          run().tags.push(...input.tags);
          return reply(200, {});
        }
        case "runs/update":
          Object.assign(run().info, { status: input.status, end_time: input.end_time });
          return reply(200, {});
        case "runs/delete":
          run().info.lifecycle_stage = "deleted";
          return reply(200, {});
        default:
          return reply(404, { error_code: "ENDPOINT_NOT_FOUND" });
      }
    });
  }
}

const source = new FakeMlflow();
const target = new FakeMlflow();

beforeAll(async () => {
  await Promise.all([source.start(), target.start()]);
  source.experiments.push(
    {
      experiment_id: "1",
      name: "segmentation",
      artifact_location: "s3://bucket/1",
      lifecycle_stage: "active",
      tags: [{ key: "team", value: "vision" }],
    },
    { experiment_id: "2", name: "old-idea", artifact_location: "s3://bucket/2", lifecycle_stage: "deleted", tags: [] },
  );
  for (let i = 1; i <= 3; i++) {
    source.runs.push({
      info: {
        run_id: `src${i}`,
        experiment_id: "1",
        run_name: `unet-${i}`,
        status: i === 3 ? "FAILED" : "FINISHED",
        start_time: 1000 * i,
        end_time: 1000 * i + 500,
        artifact_uri: `s3://bucket/1/src${i}/artifacts`,
        lifecycle_stage: i === 2 ? "deleted" : "active",
      },
      params: Array.from({ length: 120 }, (_, p) => ({ key: `p${p}`, value: String(p * i) })),
      tags: [{ key: "model", value: "unet" }],
      metrics: Array.from({ length: 5 }, (_, step) => ({ key: "loss", value: 1 / (step + i), timestamp: 2000 + step, step })),
    });
  }
  source.runs.push({
    info: {
      run_id: "src4",
      experiment_id: "2",
      run_name: "abandoned",
      status: "KILLED",
      start_time: 9000,
      end_time: 9100,
      artifact_uri: "s3://bucket/2/src4/artifacts",
      lifecycle_stage: "active",
    },
    params: [],
    tags: [],
    metrics: [],
  });
});

afterAll(async () => {
  await Promise.all([source.stop(), target.stop()]);
});

/** A history without ids and without the provenance tags the import adds, for comparing. */
function content(history: History) {
  return history.experiments
    .filter((e) => e.name !== "Default" || e.runs.length > 0)
    .map((e) => ({
      name: e.name,
      lifecycle: e.lifecycle_stage,
      tags: e.tags,
      runs: e.runs.map((r) => ({
        name: r.info.run_name,
        status: r.info.status,
        times: [r.info.start_time, r.info.end_time],
        lifecycle: r.info.lifecycle_stage,
        params: [...r.params].sort((a, b) => a.key.localeCompare(b.key)),
        tags: r.tags.filter((t) => !t.key.startsWith("autovisionai.")),
        metrics: r.metrics,
      })),
    }));
}

describe("mlflow-history", () => {
  it("exports every experiment and run, with each metric's full history, across pages", async () => {
    const history = await exportHistory(new MlflowClient(source.url));
    expect(history.experiments.map((e) => e.name)).toEqual(["Default", "segmentation", "old-idea"]);
    const runs = history.experiments[1].runs;
    expect(runs).toHaveLength(3);
    expect(runs[0].metrics.map((m) => m.step)).toEqual([0, 1, 2, 3, 4]);
    expect(runs[0].params).toHaveLength(120);
  });

  it("imports it into another MLflow, which then holds the same history, and says where the artifacts are", async () => {
    const exported = await exportHistory(new MlflowClient(source.url));
    const report = await importHistory(new MlflowClient(target.url), exported);
    expect(report).toEqual({ experiments: 3, runs: 4, metricValues: 15 });
    const again = await exportHistory(new MlflowClient(target.url));
    expect(content(again)).toEqual(content(exported));
    const imported = again.experiments.find((e) => e.name === "segmentation")?.runs[0];
    expect(imported?.tags).toEqual(
      expect.arrayContaining([
        { key: "autovisionai.original_run_id", value: "src1" },
        { key: "autovisionai.original_artifact_uri", value: "s3://bucket/1/src1/artifacts" },
      ]),
    );
  });

  it("refuses a file it did not write", async () => {
    await expect(importHistory(new MlflowClient(target.url), { format: "other" } as unknown as History)).rejects.toThrow(
      "not an MLflow history written by this tool",
    );
  });

  it("says when MLflow cannot be reached", async () => {
    await expect(exportHistory(new MlflowClient("http://127.0.0.1:9"))).rejects.toThrow("cannot reach MLflow at http://127.0.0.1:9");
  });
});
