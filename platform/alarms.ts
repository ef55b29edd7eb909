/**
 * The platform's CloudWatch alarms, as data: one entry per kind of alarm,
 * after AWS's recommended alarms for ECS, ALB and EFS. Each entry says what
 * it watches (a service, a service's target group, the ALB or the
 * experiments file system), the metric (or metric math), the statistic,
 * the threshold (a number, or a root variable a team tunes), the period,
 * how many periods must breach, the comparison, what missing data means,
 * and what to do when it fires (docs/ALARMS.md is written from it).
 *
 * The observability unit (`stacks/observability-unit.ts`) makes one alarm
 * per entry and subject: a service-scoped entry gives every service of the
 * services table its own alarm, so a fifth service gets its alarms from its
 * table entry alone.
 */
import type { PLATFORM_INPUTS } from "./inputs";

/** What one alarm watches. */
export type AlarmScope = "service" | "target-group" | "load-balancer" | "file-system";

/** CloudWatch's comparison operators (the ones a static threshold uses). */
export type Comparison = "GreaterThanThreshold" | "GreaterThanOrEqualToThreshold" | "LessThanThreshold" | "LessThanOrEqualToThreshold";

/** How an alarm reads a period without data (CloudWatch's `TreatMissingData`). */
export type MissingData = "breaching" | "notBreaching" | "ignore" | "missing";

export type Statistic = "Average" | "Sum" | "Minimum" | "Maximum" | "SampleCount";

/** One CloudWatch metric; its dimensions follow from the alarm's scope (the observability unit sets them). */
export interface MetricRef {
  readonly namespace: string;
  readonly metricName: string;
  readonly statistic: Statistic;
}

/** A metric math expression over named metrics (`m1`, `m2` …), all with the scope's dimensions. */
export interface MetricMath {
  /** CloudWatch metric math, e.g. `100 * (m1 / PERIOD(m1)) / m2`. */
  readonly expression: string;
  readonly label: string;
  readonly metrics: Readonly<Record<string, MetricRef>>;
}

/** The root variables that hold a threshold. */
export type ThresholdInput = Extract<keyof typeof PLATFORM_INPUTS, `alarm_${string}`>;

/** A threshold read from a root variable, times `scale` (a unit conversion). */
export interface InputThreshold {
  readonly input: ThresholdInput;
  /** @default 1 */
  readonly scale?: number;
}

/** Extra conditions, beyond the scope's own switch, under which an alarm exists. */
export type AlarmCondition =
  /** the experiments file system runs in bursting mode (`efs_throughput_mode = "bursting"`) */
  | "efs-bursting"
  /** the service keeps at least one task (`<key>_min_capacity > 0`); a service allowed to scale to 0 has no such alarm */
  | "service-keeps-a-task";

export interface AlarmKind {
  /** Kebab-case, unique in the table: the alarm is `<project>-<subject>-<id>`, its address `<subject>_<id>`. */
  readonly id: string;
  readonly scope: AlarmScope;
  /** What it means when it fires, in one sentence (the alarm's description, docs/ALARMS.md). */
  readonly meaning: string;
  readonly metric: MetricRef | MetricMath;
  readonly comparison: Comparison;
  readonly threshold: number | InputThreshold;
  /** Seconds per evaluated period (60 or a multiple). */
  readonly periodSeconds: number;
  readonly evaluationPeriods: number;
  /** Breaching periods out of `evaluationPeriods` that fire it. */
  readonly datapointsToAlarm: number;
  readonly treatMissingData: MissingData;
  /** @default - the scope's switch only */
  readonly onlyWhen?: AlarmCondition;
  /** A deploy of the service rolls back when this alarm fires during it (`deployment_alarms_rollback`). */
  readonly deploymentAlarm: boolean;
  /** What to do when it fires, in order (docs/ALARMS.md). */
  readonly runbook: readonly string[];
  /** Where the values come from. */
  readonly basis: string;
}

/** Runbook lines shared by several alarms (the design document's troubleshooting section, EFS_SETUP.md). */
const RUNBOOK = {
  stoppedReason:
    "Read why its tasks stop: `aws ecs describe-tasks` on a stopped task (stoppedReason), and its log group `/ecs/<service name>`; a task that never started is also reported by the task start failure alert.",
  mount:
    "If tasks stop with ResourceInitializationError on EFS: check security group rules (the EFS group must allow NFS 2049 from the ECS tasks group), subnet routing (a mount target in each private subnet), and the task role's IAM permissions (elasticfilesystem:ClientMount, and ClientWrite for writers, through the access point).",
  accessPoint:
    "If the app fails on files (permission denied): verify the access point configuration (root `/app/experiments`), its POSIX user settings (uid/gid 1000, mode 755) and the file system policy.",
  throughput:
    "Consider increasing provisioned throughput (`efs_provisioned_throughput_mibps`), or `efs_throughput_mode` = elastic for spiky training bursts; check for high I/O operations (DataReadIOBytes, DataWriteIOBytes and MetadataIOBytes on the dashboard).",
  scaleDown: "If it never comes near the limit, scale down: lower `efs_provisioned_throughput_mibps` (AWS allows one decrease a day).",
  targets:
    "Open the target group in the console (Targets tab: the health check's reason), and the service's log group `/ecs/<service name>`: a failing health check path, a slow start or a crash.",
} as const;

/** The alarm table. Order: services, target groups, the ALB, the experiments file system. */
export const ALARMS: readonly AlarmKind[] = [
  {
    id: "cpu-high",
    scope: "service",
    meaning: "The service's tasks have used more than alarm_cpu_percent of their CPU for 5 minutes: requests slow down or time out.",
    metric: { namespace: "AWS/ECS", metricName: "CPUUtilization", statistic: "Average" },
    comparison: "GreaterThanThreshold",
    threshold: { input: "alarm_cpu_percent" },
    periodSeconds: 60,
    evaluationPeriods: 5,
    datapointsToAlarm: 5,
    treatMissingData: "notBreaching",
    deploymentAlarm: false,
    runbook: [
      "Check whether autoscaling is at its ceiling (`<service>_max_capacity`) and raise it, or give each task more CPU (`<service>_cpu`).",
      "If one request pattern causes it (a training run on the API), look at the service's log group.",
    ],
    basis: "AWS recommended alarm for ECS CPUUtilization: average above 90 % for 5 of 5 one-minute periods.",
  },
  {
    id: "memory-high",
    scope: "service",
    meaning:
      "The service's tasks have used more than alarm_memory_percent of their memory for 5 minutes: a task that reaches 100 % is killed (OutOfMemory).",
    metric: { namespace: "AWS/ECS", metricName: "MemoryUtilization", statistic: "Average" },
    comparison: "GreaterThanThreshold",
    threshold: { input: "alarm_memory_percent" },
    periodSeconds: 60,
    evaluationPeriods: 5,
    datapointsToAlarm: 5,
    treatMissingData: "notBreaching",
    deploymentAlarm: false,
    runbook: [
      "Give each task more memory (`<service>_memory`, a Fargate size for its CPU) or more tasks (`<service>_max_capacity`).",
      "Look for a leak: memory that climbs after each deploy and never falls.",
    ],
    basis: "AWS recommended alarm for ECS MemoryUtilization: average above 90 % for 5 of 5 one-minute periods.",
  },
  {
    id: "no-running-task",
    scope: "service",
    meaning: "The service has had no running task for 5 minutes: it is down.",
    metric: { namespace: "ECS/ContainerInsights", metricName: "RunningTaskCount", statistic: "Minimum" },
    comparison: "LessThanThreshold",
    threshold: 1,
    periodSeconds: 60,
    evaluationPeriods: 5,
    datapointsToAlarm: 5,
    treatMissingData: "breaching",
    onlyWhen: "service-keeps-a-task",
    deploymentAlarm: true,
    runbook: [RUNBOOK.stoppedReason, RUNBOOK.mount, RUNBOOK.accessPoint],
    basis:
      "Container Insights' RunningTaskCount below 1 for 5 of 5 one-minute periods (no data counts as no task). Only for services that keep a task (`<service>_min_capacity` above 0).",
  },
  {
    id: "unhealthy-targets",
    scope: "target-group",
    meaning: "At least one of the service's tasks has failed the load balancer's health check for 5 minutes.",
    metric: { namespace: "AWS/ApplicationELB", metricName: "UnHealthyHostCount", statistic: "Maximum" },
    comparison: "GreaterThanThreshold",
    threshold: 0,
    periodSeconds: 60,
    evaluationPeriods: 5,
    datapointsToAlarm: 5,
    treatMissingData: "notBreaching",
    deploymentAlarm: true,
    runbook: [RUNBOOK.targets, "Check the service's health check path (`<service>_health_check_path`) answers 2xx on its port."],
    basis: "AWS recommended alarm for ALB target groups: UnHealthyHostCount above 0, here for 5 of 5 one-minute periods.",
  },
  {
    id: "no-healthy-target",
    scope: "target-group",
    meaning: "The load balancer has had no healthy task of the service for 5 minutes: its URL answers 502/503.",
    metric: { namespace: "AWS/ApplicationELB", metricName: "HealthyHostCount", statistic: "Minimum" },
    comparison: "LessThanThreshold",
    threshold: 1,
    periodSeconds: 60,
    evaluationPeriods: 5,
    datapointsToAlarm: 5,
    treatMissingData: "breaching",
    deploymentAlarm: true,
    runbook: [RUNBOOK.targets, RUNBOOK.stoppedReason],
    basis: "AWS recommended alarm for ALB target groups: HealthyHostCount below 1 for 5 of 5 one-minute periods (no data counts as none).",
  },
  {
    id: "target-5xx",
    scope: "target-group",
    meaning: "The service's tasks answered more than alarm_target_5xx_count HTTP 5xx errors in 5 minutes.",
    metric: { namespace: "AWS/ApplicationELB", metricName: "HTTPCode_Target_5XX_Count", statistic: "Sum" },
    comparison: "GreaterThanThreshold",
    threshold: { input: "alarm_target_5xx_count" },
    periodSeconds: 300,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    treatMissingData: "notBreaching",
    deploymentAlarm: true,
    runbook: [
      "Read the service's log group `/ecs/<service name>` for the failing requests' tracebacks.",
      "If it began with a deploy, the deploy rolls back by itself (`deployment_alarms_rollback`); otherwise redeploy the last good image.",
    ],
    basis: "AWS recommended alarm for ALB HTTPCode_Target_5XX_Count: the sum over a period above a threshold you choose.",
  },
  {
    id: "elb-5xx",
    scope: "load-balancer",
    meaning:
      "The load balancer itself answered more than alarm_alb_5xx_count HTTP 5xx errors in 5 minutes (502/503/504: no healthy task, a task that closed the connection, or a timeout).",
    metric: { namespace: "AWS/ApplicationELB", metricName: "HTTPCode_ELB_5XX_Count", statistic: "Sum" },
    comparison: "GreaterThanThreshold",
    threshold: { input: "alarm_alb_5xx_count" },
    periodSeconds: 300,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    treatMissingData: "notBreaching",
    deploymentAlarm: false,
    runbook: [
      "Look at healthy hosts per service on the dashboard: a service with none answers 503.",
      "Check the ALB and tasks security groups (the tasks group must allow the ALB group on the service ports).",
    ],
    basis: "AWS recommended alarm for ALB HTTPCode_ELB_5XX_Count: the sum over a period above a threshold you choose.",
  },
  {
    id: "rejected-connections",
    scope: "load-balancer",
    meaning: "The load balancer rejected connections for 5 minutes: it reached its connection limit.",
    metric: { namespace: "AWS/ApplicationELB", metricName: "RejectedConnectionCount", statistic: "Sum" },
    comparison: "GreaterThanThreshold",
    threshold: 0,
    periodSeconds: 60,
    evaluationPeriods: 5,
    datapointsToAlarm: 5,
    treatMissingData: "notBreaching",
    deploymentAlarm: false,
    runbook: [
      "Look at request count on the dashboard for a surge; narrow `alb_ingress_cidr_blocks` if the traffic is not yours.",
      "Give the busy service more tasks (`<service>_max_capacity`) so that connections are served faster.",
    ],
    basis: "AWS recommended alarm for ALB RejectedConnectionCount: above 0, here for 5 of 5 one-minute periods.",
  },
  {
    id: "io-limit",
    scope: "file-system",
    meaning:
      "The experiments file system has been at alarm_efs_io_limit_percent or more of the General Purpose mode's I/O limit for 15 minutes: file operations queue and slow every service.",
    metric: { namespace: "AWS/EFS", metricName: "PercentIOLimit", statistic: "Maximum" },
    comparison: "GreaterThanOrEqualToThreshold",
    threshold: { input: "alarm_efs_io_limit_percent" },
    periodSeconds: 60,
    evaluationPeriods: 15,
    datapointsToAlarm: 15,
    treatMissingData: "notBreaching",
    deploymentAlarm: false,
    runbook: [
      "Check for high I/O operations: many small files (checkpoints, TensorBoard event files) written at once; batch or compress them.",
      "Monitor EFS metrics in CloudWatch (the dashboard's IO limit widget) to see whether it is a burst or the new normal.",
    ],
    basis: "AWS recommended alarm for EFS PercentIOLimit (General Purpose mode): at or above the limit for 15 of 15 one-minute periods.",
  },
  {
    id: "throughput-high",
    scope: "file-system",
    meaning:
      "The experiments file system has used alarm_efs_throughput_percent or more of the throughput it is permitted for 15 minutes (MeteredIOBytes against PermittedThroughput): reads and writes are about to be throttled.",
    metric: {
      expression: "100 * (m1 / PERIOD(m1)) / m2",
      label: "Throughput utilization (%)",
      metrics: {
        m1: { namespace: "AWS/EFS", metricName: "MeteredIOBytes", statistic: "Sum" },
        m2: { namespace: "AWS/EFS", metricName: "PermittedThroughput", statistic: "Average" },
      },
    },
    comparison: "GreaterThanOrEqualToThreshold",
    threshold: { input: "alarm_efs_throughput_percent" },
    periodSeconds: 60,
    evaluationPeriods: 15,
    datapointsToAlarm: 15,
    treatMissingData: "notBreaching",
    deploymentAlarm: false,
    runbook: [RUNBOOK.throughput, RUNBOOK.scaleDown],
    basis:
      "AWS EFS metric math 'percentage of permitted throughput utilization' (metered bytes per second over permitted throughput), for 15 of 15 one-minute periods; in every throughput mode.",
  },
  {
    id: "burst-credits-low",
    scope: "file-system",
    meaning:
      "The experiments file system (bursting mode) has burst credits for less than alarm_efs_burst_credit_minutes of bursting at 100 MiB/s: it will soon fall back to its baseline throughput.",
    metric: { namespace: "AWS/EFS", metricName: "BurstCreditBalance", statistic: "Minimum" },
    comparison: "LessThanThreshold",
    // Minutes of bursting at 100 MiB/s, in bytes: minutes x 60 s x 100 MiB.
    threshold: { input: "alarm_efs_burst_credit_minutes", scale: 60 * 100 * 1024 * 1024 },
    periodSeconds: 60,
    evaluationPeriods: 15,
    datapointsToAlarm: 15,
    treatMissingData: "notBreaching",
    onlyWhen: "efs-bursting",
    deploymentAlarm: false,
    runbook: [
      "Credits refill while usage stays below the baseline (about 50 KiB/s per GiB stored): move heavy jobs off peak, or",
      "switch `efs_throughput_mode` to elastic (pay per GB moved) or provisioned (a fixed rate) when bursts are the normal work.",
    ],
    basis:
      "AWS recommended alarm for EFS BurstCreditBalance: the minimum below a reserve for 15 of 15 one-minute periods; only in bursting mode, where credits exist.",
  },
];

/** Every entry's id, for a check that they are unique and kebab-case. */
export function checkAlarmTable(table: readonly AlarmKind[] = ALARMS): void {
  const seen = new Set<string>();
  for (const kind of table) {
    if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(kind.id)) {
      throw new Error(`alarm table: id "${kind.id}" must be kebab-case (lower-case letters and digits, words joined by "-")`);
    }
    if (seen.has(kind.id)) throw new Error(`alarm table: id "${kind.id}" appears twice; every kind needs its own id`);
    seen.add(kind.id);
    if (kind.datapointsToAlarm < 1 || kind.datapointsToAlarm > kind.evaluationPeriods) {
      throw new Error(
        `alarm table: ${kind.id}.datapointsToAlarm is ${kind.datapointsToAlarm}; allowed: 1 to evaluationPeriods (${kind.evaluationPeriods})`,
      );
    }
    if (kind.periodSeconds < 60 || kind.periodSeconds % 60 !== 0) {
      throw new Error(`alarm table: ${kind.id}.periodSeconds is ${kind.periodSeconds}; allowed: 60 or a multiple of 60`);
    }
    if (kind.periodSeconds * kind.evaluationPeriods > 86_400) {
      throw new Error(
        `alarm table: ${kind.id} evaluates ${kind.periodSeconds * kind.evaluationPeriods} s; CloudWatch allows at most one day`,
      );
    }
    if (kind.runbook.length === 0) throw new Error(`alarm table: ${kind.id} has no runbook line; say what to do when it fires`);
  }
}

/** Whether an entry's metric is metric math. */
export function isMetricMath(metric: MetricRef | MetricMath): metric is MetricMath {
  return "expression" in metric;
}

/** The subject of the ALB's and the file system's alarms in names and addresses. */
export const PLATFORM_SUBJECTS: Readonly<Record<Exclude<AlarmScope, "service" | "target-group">, string>> = {
  "load-balancer": "alb",
  "file-system": "efs",
};

/** The subject of an alarm: the service key for service and target-group alarms, else `alb` / `efs`. */
export function subjectOf(kind: AlarmKind, serviceKey?: string): string {
  if (kind.scope === "service" || kind.scope === "target-group") {
    if (!serviceKey) throw new Error(`alarm ${kind.id}: a ${kind.scope} alarm needs a service key`);
    return serviceKey;
  }
  return PLATFORM_SUBJECTS[kind.scope];
}

/** An alarm's name: `<prefix>-<subject>-<id>`; the prefix is the project, with `-<environment>` outside prod (a token is fine). */
export function alarmName(prefix: string, kind: AlarmKind, serviceKey?: string): string {
  return `${prefix}-${subjectOf(kind, serviceKey)}-${kind.id}`;
}

/** An alarm's Terraform logical id: `<subject>_<id>` in snake_case. */
export function alarmLogicalId(kind: AlarmKind, serviceKey?: string): string {
  return `${subjectOf(kind, serviceKey)}_${kind.id}`.replace(/-/g, "_");
}

/** The construct id of an alarm in the observability unit's `alarms` construct. */
export function alarmConstructId(kind: AlarmKind, serviceKey?: string): string {
  return `${subjectOf(kind, serviceKey)}-${kind.id}`;
}

/** The alarms of one service's subject, in table order (service and target-group scopes). */
export function serviceAlarmKinds(table: readonly AlarmKind[] = ALARMS): AlarmKind[] {
  return table.filter((k) => k.scope === "service" || k.scope === "target-group");
}

/** The alarms of the platform as a whole (the ALB and the file system). */
export function platformAlarmKinds(table: readonly AlarmKind[] = ALARMS): AlarmKind[] {
  return table.filter((k) => k.scope === "load-balancer" || k.scope === "file-system");
}

/** Where the observability unit's resources live: construct path → logical id (spread into `platform/addresses.ts`). */
export function observabilityAddresses(serviceKeys: readonly string[], table: readonly AlarmKind[] = ALARMS): Record<string, string> {
  const alarms: Record<string, string> = {};
  for (const kind of serviceAlarmKinds(table)) {
    for (const key of serviceKeys) alarms[`observability/alarms/${alarmConstructId(kind, key)}`] = alarmLogicalId(kind, key);
  }
  for (const kind of platformAlarmKinds(table)) alarms[`observability/alarms/${alarmConstructId(kind)}`] = alarmLogicalId(kind);
  return {
    "observability/account": "observability_account",
    "observability/alerts/key": "alerts",
    "observability/alerts/key-alias": "alerts",
    "observability/alerts/topic": "alerts",
    "observability/alerts/topic-policy": "alerts",
    "observability/alerts/email-subscriptions": "alert_emails",
    "observability/task-failures/rule": "task_start_failures",
    "observability/task-failures/target": "task_start_failures",
    "observability/dashboard/dashboard": "platform",
    ...alarms,
  };
}
