/**
 * `cost`: the inputs Terraform uses (the synthesized root's variable
 * defaults, then terraform.tfvars and *.auto.tfvars, as Terraform reads
 * them), the model's lines, `--compare`, and `--usage` from CloudWatch.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { GetMetricDataCommand, type MetricDataQuery } from "@aws-sdk/client-cloudwatch";
import type { Clients } from "./aws";
import { refusals } from "../constructs/terraform/input-rules";
import { inputGroups, inputTable } from "../platform/inputs";
import { SERVICES } from "../platform/services";
import { autoVariableFiles } from "../platform/environment";
import { type ParsedFile, parseVariableFiles, undeclaredMessage, undeclaredVariables } from "../platform/variables";
import type { Environment } from "./environment";
import { type CostLine, type Values, total } from "./cost-model";
import { EXIT, OpsError } from "./errors";
import { table, usd } from "./format";
import { PRICES } from "./prices";

/** The root variables' defaults, from the synthesized root in `tfDir`. */
export function variableDefaults(tfDir: string): Record<string, unknown> {
  const main = path.join(tfDir, "main.tf.json");
  if (!fs.existsSync(main)) throw new OpsError(`${main} is missing: run npm run synth (or pass --tf-dir)`, EXIT.usage);
  const variables = (JSON.parse(fs.readFileSync(main, "utf8")) as { variable?: Record<string, { default?: unknown }> }).variable ?? {};
  return Object.fromEntries(Object.entries(variables).map(([name, v]) => [name, v.default]));
}

/**
 * Defaults, overridden by each variable file as Terraform applies them for the environment
 * (platform/environment.ts: the root's files in Terraform's order, then the environment's),
 * then its -var values; a name the root does not declare is refused.
 */
export async function loadValues(tfDir: string, env?: Environment): Promise<{ values: Record<string, unknown>; files: string[] }> {
  const values = variableDefaults(tfDir);
  const files = env ? [...env.model.variableFiles] : autoVariableFiles(tfDir);
  let parsed: ParsedFile[];
  try {
    parsed = await parseVariableFiles(files);
  } catch (error) {
    throw new OpsError((error as Error).message, EXIT.usage);
  }
  const undeclared = undeclaredVariables(parsed, Object.keys(values));
  if (undeclared.length > 0) throw new OpsError(undeclaredMessage(undeclared), EXIT.usage);
  for (const p of parsed) Object.assign(values, p.values);
  Object.assign(values, env?.variables ?? {});
  return { values, files };
}

/** What the root's validations would refuse in these values (the rules with a TypeScript test; platform/inputs.ts). */
export function refusedValues(values: Values): string[] {
  return refusals(inputTable(SERVICES), values, inputGroups(SERVICES));
}

/** CloudWatch alarms the synthesized root declares (a block with a literal count counts that many). */
export function alarmCount(tfDir: string): number {
  let n = 0;
  for (const name of fs.existsSync(tfDir) ? fs.readdirSync(tfDir) : []) {
    if (!name.endsWith(".tf.json")) continue;
    const json = JSON.parse(fs.readFileSync(path.join(tfDir, name), "utf8")) as {
      resource?: Record<string, Record<string, { count?: unknown; for_each?: unknown }>>;
    };
    for (const block of Object.values(json.resource?.aws_cloudwatch_metric_alarm ?? {})) {
      n += typeof block.count === "number" ? block.count : Array.isArray(block.for_each) ? block.for_each.length : 1;
    }
  }
  return n;
}

export function renderCost(lines: readonly CostLine[], compared?: { lines: readonly CostLine[]; changes: string }): string {
  const out = [`monthly cost in ${PRICES.region} (list prices read ${PRICES.readOn}; see ops/prices.ts)`];
  if (!compared) {
    out.push(
      table(
        ["group", "item", "per month", "how"],
        [...lines.map((l) => [l.group, l.item, usd(l.monthly), l.basis]), ["", "total", usd(total(lines)), ""]],
      ),
    );
    return out.join("\n");
  }
  const key = (l: CostLine) => `${l.group}/${l.item}`;
  const after = new Map(compared.lines.map((l) => [key(l), l]));
  const keys = [...new Set([...lines.map(key), ...compared.lines.map(key)])];
  const before = new Map(lines.map((l) => [key(l), l]));
  const rows = keys.map((k) => {
    const b = before.get(k)?.monthly ?? 0;
    const a = after.get(k)?.monthly ?? 0;
    const [group, item] = k.split("/");
    return [group, item, usd(b), usd(a), a === b ? "" : `${a > b ? "+" : ""}${usd(a - b)}`];
  });
  const tb = total(lines);
  const ta = total(compared.lines);
  rows.push(["", "total", usd(tb), usd(ta), `${ta >= tb ? "+" : ""}${usd(ta - tb)}`]);
  out.push(`with ${compared.changes}:`, table(["group", "item", "now", "with the change", "difference"], rows));
  return out.join("\n");
}

export type { Values };

/* ---------------------------------------------------------------- --usage */

export interface ThroughputUsage {
  readonly days: number;
  /** MiB/s: metered I/O (reads count a third) averaged over the whole window, and the busiest hour's average. */
  readonly averageMibps: number;
  readonly peakHourMibps: number;
  /** PermittedThroughput, MiB/s (average). */
  readonly permittedMibps: number;
  readonly readGbPerMonth: number;
  readonly writeGbPerMonth: number;
  readonly hours: number;
}

/** Reads the file system's metrics over `days` days (hourly), as CloudWatch keeps them. */
export async function readThroughput(aws: Clients, fileSystemId: string, days: number, now = new Date()): Promise<ThroughputUsage> {
  const start = new Date(now.getTime() - days * 86400_000);
  const metric = (id: string, name: string, stat: string): MetricDataQuery => ({
    Id: id,
    MetricStat: {
      Metric: { Namespace: "AWS/EFS", MetricName: name, Dimensions: [{ Name: "FileSystemId", Value: fileSystemId }] },
      Period: 3600,
      Stat: stat,
    },
  });
  const queries = [
    metric("metered", "MeteredIOBytes", "Sum"),
    metric("permitted", "PermittedThroughput", "Average"),
    metric("reads", "DataReadIOBytes", "Sum"),
    metric("writes", "DataWriteIOBytes", "Sum"),
  ];
  const series: Record<string, number[]> = { metered: [], permitted: [], reads: [], writes: [] };
  let token: string | undefined;
  do {
    const page = await aws.cloudwatch.send(
      new GetMetricDataCommand({ MetricDataQueries: queries, StartTime: start, EndTime: now, NextToken: token }),
    );
    for (const r of page.MetricDataResults ?? []) series[r.Id as string].push(...(r.Values ?? []));
    token = page.NextToken;
  } while (token);
  const MiB = 1024 ** 2;
  const hours = series.metered.length;
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const perMonth = 730 / Math.max(days * 24, 1);
  return {
    days,
    hours,
    averageMibps: sum(series.metered) / MiB / (days * 86400),
    peakHourMibps: Math.max(0, ...series.metered) / MiB / 3600,
    permittedMibps: series.permitted.length ? sum(series.permitted) / series.permitted.length / MiB : 0,
    readGbPerMonth: (sum(series.reads) / 1024 ** 3) * perMonth,
    writeGbPerMonth: (sum(series.writes) / 1024 ** 3) * perMonth,
  };
}

/** Whether the provisioned throughput is worth its price, and what fits the use. */
export function throughputAdvice(u: ThroughputUsage, values: Values): string[] {
  const mode = String(values.efs_throughput_mode);
  const provisioned = Number(values.efs_provisioned_throughput_mibps);
  const p = PRICES.efs;
  const out = [
    `EFS over the last ${u.days} day(s) (${u.hours} hour(s) with data): average ${u.averageMibps.toFixed(2)} MiB/s, busiest hour ${u.peakHourMibps.toFixed(2)} MiB/s, permitted ${u.permittedMibps.toFixed(1)} MiB/s`,
  ];
  if (u.hours === 0) {
    out.push("no EFS metrics in that window: CloudWatch has none yet (a new file system), or the file system id is wrong");
    return out;
  }
  const fit = Math.max(1, Math.ceil(u.peakHourMibps * 1.2));
  const elastic = u.readGbPerMonth * p.elasticReadGb + u.writeGbPerMonth * p.elasticWriteGb;
  const atFit = fit * p.provisionedMibpsMonth;
  if (mode === "provisioned") {
    const now = provisioned * p.provisionedMibpsMonth;
    const used = (100 * u.peakHourMibps) / provisioned;
    out.push(`provisioned ${provisioned} MiB/s costs ${usd(now)} a month; the busiest hour used ${used.toFixed(1)}% of it`);
    out.push(
      fit < provisioned
        ? `not worth it at this use: ${fit} MiB/s (busiest hour + 20%) would cost ${usd(atFit)} (efs_provisioned_throughput_mibps = ${fit}; AWS allows a decrease once every 24 h)`
        : `worth it: the busiest hour needs about ${fit} MiB/s`,
    );
  } else {
    out.push(`throughput mode ${mode}; provisioned at the busiest hour + 20% would be ${fit} MiB/s, ${usd(atFit)} a month`);
  }
  out.push(
    `elastic at this use: ${u.readGbPerMonth.toFixed(1)} GB read and ${u.writeGbPerMonth.toFixed(1)} GB written a month, about ${usd(elastic)} (efs_throughput_mode = "elastic")`,
  );
  const best = elastic < atFit ? `elastic (${usd(elastic)})` : `provisioned ${fit} MiB/s (${usd(atFit)})`;
  out.push(`fits the use best: ${best}`);
  return out;
}
