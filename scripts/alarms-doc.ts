/**
 * Writes the generated part of docs/ALARMS.md from the alarm table
 * (platform/alarms.ts), the services table and the inputs' defaults: one
 * section per alarm (what it watches, when it fires, what it means, what to
 * do) and the monthly cost of what the defaults create. `npm run docs`
 * rewrites it between its markers; a unit test fails when it is stale.
 */
import * as path from "node:path";
import { ALARMS, isMetricMath, type AlarmKind } from "../platform/alarms";
import { PLATFORM_INPUTS } from "../platform/inputs";
import { SERVICES, type ServiceTable } from "../platform/services";

export const ALARMS_DOC = path.join(__dirname, "..", "docs", "ALARMS.md");
export const ALARM_MARKERS = ["<!-- alarms:begin -->", "<!-- alarms:end -->"] as const;
export const COST_MARKERS = ["<!-- alarm-costs:begin -->", "<!-- alarm-costs:end -->"] as const;

/** Prices used below: US East list prices from the AWS pricing pages, as read on the date in docs/ALARMS.md (regions differ a little). */
export const PRICES = {
  /** CloudWatch, per standard-resolution alarm metric per month (a metric math alarm counts each metric it reads). */
  alarmMetric: 0.1,
  /** CloudWatch free tier: alarm metrics per month. */
  freeAlarmMetrics: 10,
  /** CloudWatch, per custom dashboard per month beyond the free ones. */
  dashboard: 3,
  /** CloudWatch free tier: custom dashboards (up to 50 metrics each). */
  freeDashboards: 3,
  /** KMS, per customer managed key per month. */
  kmsKey: 1,
} as const;

const COMPARISON: Record<string, string> = {
  GreaterThanThreshold: ">",
  GreaterThanOrEqualToThreshold: "≥",
  LessThanThreshold: "<",
  LessThanOrEqualToThreshold: "≤",
};

const SCOPE: Record<AlarmKind["scope"], string> = {
  service: "each ECS service",
  "target-group": "each service's target group (services on the ALB)",
  "load-balancer": "the ALB",
  "file-system": "the experiments file system",
};

const cell = (text: string) => text.replace(/\|/g, "\\|");

function metricText(kind: AlarmKind): string {
  if (isMetricMath(kind.metric)) {
    const parts = Object.entries(kind.metric.metrics).map(([id, m]) => `${id} = ${m.namespace} ${m.metricName} (${m.statistic})`);
    return `metric math \`${kind.metric.expression}\`, ${parts.join(", ")}`;
  }
  return `${kind.metric.namespace} ${kind.metric.metricName} (${kind.metric.statistic})`;
}

function thresholdText(kind: AlarmKind): string {
  if (typeof kind.threshold === "number") return String(kind.threshold);
  const input = PLATFORM_INPUTS[kind.threshold.input];
  const scale = kind.threshold.scale ? ` × ${kind.threshold.scale.toLocaleString("en-US")} bytes` : "";
  return `\`${kind.threshold.input}\` (default ${JSON.stringify(input.default)})${scale}`;
}

function whenText(kind: AlarmKind): string {
  const periods = `${kind.datapointsToAlarm} of ${kind.evaluationPeriods} periods of ${kind.periodSeconds} s`;
  return `${COMPARISON[kind.comparison]} ${thresholdText(kind)} for ${periods}; no data counts as ${kind.treatMissingData}`;
}

/** Metrics an alarm is billed for. */
const metricCount = (kind: AlarmKind) => (isMetricMath(kind.metric) ? Object.keys(kind.metric.metrics).length : 1);

/** The alarms a platform with the default variables has: every service keeps a task and is on the ALB, throughput provisioned. */
export function defaultAlarmCount(
  services: ServiceTable = SERVICES,
  table: readonly AlarmKind[] = ALARMS,
): { alarms: number; metrics: number } {
  let alarms = 0;
  let metrics = 0;
  const mode = PLATFORM_INPUTS.efs_throughput_mode.default;
  for (const kind of table) {
    const subjects =
      kind.scope === "service" || kind.scope === "target-group"
        ? Object.values(services).filter((s) => kind.onlyWhen !== "service-keeps-a-task" || s.defaults.minCapacity >= 1).length
        : kind.onlyWhen === "efs-bursting" && mode !== "bursting"
          ? 0
          : 1;
    alarms += subjects;
    metrics += subjects * metricCount(kind);
  }
  return { alarms, metrics };
}

/** One section per alarm, in table order. */
export function alarmSections(table: readonly AlarmKind[] = ALARMS): string {
  const summary = [
    "| alarm | on | fires when | rolls back a deploy |",
    "|---|---|---|---|",
    ...table.map((k) => `| [\`${k.id}\`](#${k.id}) | ${SCOPE[k.scope]} | ${cell(whenText(k))} | ${k.deploymentAlarm ? "yes" : "no"} |`),
  ].join("\n");
  const sections = table.map((k) => {
    const only =
      k.onlyWhen === "efs-bursting"
        ? " Exists only while `efs_throughput_mode` is `bursting`."
        : k.onlyWhen === "service-keeps-a-task"
          ? " Exists only for services that keep a task (`<service>_min_capacity` at least 1)."
          : "";
    return [
      `### ${k.id}`,
      "",
      `**Means:** ${k.meaning}`,
      "",
      `**Watches** ${SCOPE[k.scope]}: ${metricText(k)}. **Fires** ${whenText(k)}.${only}` +
        (k.deploymentAlarm ? " A deploy of the service during which it fires rolls back (`deployment_alarms_rollback`)." : ""),
      "",
      "**What to do:**",
      "",
      ...k.runbook.map((line, i) => `${i + 1}. ${line}`),
      "",
      `*Basis:* ${k.basis}`,
    ].join("\n");
  });
  return [summary, "", ...sections].join("\n\n").replace(/\n{3,}/g, "\n\n");
}

const usd = (n: number) => `$${n.toFixed(2)}`;

/** What the defaults cost a month, from the alarm table and `PRICES`. */
export function costTable(services: ServiceTable = SERVICES, table: readonly AlarmKind[] = ALARMS): string {
  const { alarms, metrics } = defaultAlarmCount(services, table);
  const alarmCost = metrics * PRICES.alarmMetric;
  const alarmCostAfterFree = Math.max(0, metrics - PRICES.freeAlarmMetrics) * PRICES.alarmMetric;
  const total = alarmCost + PRICES.dashboard + PRICES.kmsKey;
  return [
    "| what | count with the defaults | a month |",
    "|---|---|---|",
    `| alarms (standard resolution, ${usd(PRICES.alarmMetric)} per metric an alarm reads) | ${alarms} alarms reading ${metrics} metrics | ${usd(alarmCost)} (${usd(alarmCostAfterFree)} if the account's ${PRICES.freeAlarmMetrics} free alarm metrics are unused) |`,
    `| dashboard \`<project>-platform\` | 1 | ${usd(PRICES.dashboard)} (free if the account has fewer than ${PRICES.freeDashboards} other custom dashboards) |`,
    `| KMS key of the alerts topic | 1 | ${usd(PRICES.kmsKey)}, plus $0.03 per 10,000 requests beyond the free 20,000 a month (at most two per alert: SNS reuses a data key for 5 minutes) |`,
    "| SNS topic, alarm notifications | one publish per state change | $0: the first million publishes a month are free |",
    "| SNS e-mail (`alarm_emails`) | one e-mail per address per state change | $0 for the first 1,000 a month, then $2 per 100,000 |",
    "| EventBridge rule for task start failures | 1 | $0: events from AWS services on the default bus are free |",
    `| **total** | | **about ${usd(total)}** (less with the free tiers) |`,
    "",
    `Each further service adds ${table.filter((k) => k.scope === "service" || k.scope === "target-group").length} alarms (${usd(
      table.filter((k) => k.scope === "service" || k.scope === "target-group").length * PRICES.alarmMetric,
    )} a month); \`efs_throughput_mode = "bursting"\` adds one (${usd(PRICES.alarmMetric)}); a service kept off the ALB has ${
      table.filter((k) => k.scope === "target-group").length
    } fewer.`,
  ].join("\n");
}

function replaceBetween(text: string, [begin, end]: readonly [string, string], content: string): string {
  const from = text.indexOf(begin);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`docs/ALARMS.md: markers ${begin} … ${end} are missing`);
  return `${text.slice(0, from + begin.length)}\n${content}\n${text.slice(to)}`;
}

/** docs/ALARMS.md with its generated parts replaced by what the tables say. */
export function renderAlarmsDoc(current: string): string {
  return replaceBetween(replaceBetween(current, ALARM_MARKERS, alarmSections()), COST_MARKERS, costTable());
}
