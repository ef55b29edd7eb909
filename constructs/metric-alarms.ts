import { CloudwatchMetricAlarm, type CloudwatchMetricAlarmMetricQuery } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { Fn, Token, type IResolvable } from "cdktf";
import { Construct } from "constructs";
import { address } from "./terraform/addresses";

/** One CloudWatch metric of an alarm. */
export interface AlarmMetric {
  readonly namespace: string;
  readonly metricName: string;
  /** Average, Sum, Minimum, Maximum, SampleCount or a percentile (p99). */
  readonly statistic: string;
}

/** A metric math expression over named metrics (all with the alarm's dimensions). */
export interface AlarmMetricMath {
  /** e.g. `100 * (m1 / PERIOD(m1)) / m2`. */
  readonly expression: string;
  readonly label: string;
  /** Id (lower-case first letter, then letters, digits, underscores) → metric. */
  readonly metrics: Readonly<Record<string, AlarmMetric>>;
}

/** One alarm. */
export interface AlarmDefinition {
  /** Construct id (kebab-case); its Terraform address comes from the address table or the snake_case fallback. */
  readonly id: string;
  /** The alarm's name in CloudWatch (a token is fine). */
  readonly name: string;
  readonly description: string;
  readonly metric: AlarmMetric | AlarmMetricMath;
  /** Dimension name → value (tokens are fine): every metric of the alarm gets them. */
  readonly dimensions: Readonly<Record<string, string>>;
  readonly comparison: string;
  /** A number or a number token (a variable). */
  readonly threshold: number;
  readonly periodSeconds: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  /** breaching, notBreaching, ignore or missing. */
  readonly treatMissingData: string;
  /** Create the alarm or not (a bool token gives `count = x ? 1 : 0`). @default - always, no count */
  readonly enabled?: boolean | IResolvable;
}

export interface MetricAlarmsProps {
  readonly alarms: readonly AlarmDefinition[];
  /** Notified when an alarm goes to ALARM and when it goes back to OK (SNS topic ARNs). */
  readonly actionArns: string[];
}

const COMPARISONS = ["GreaterThanThreshold", "GreaterThanOrEqualToThreshold", "LessThanThreshold", "LessThanOrEqualToThreshold"];
const MISSING = ["breaching", "notBreaching", "ignore", "missing"];

/** Checks one alarm definition against CloudWatch's rules before anything is made. */
function check(a: AlarmDefinition): void {
  const where = `MetricAlarms: alarm "${a.id}"`;
  if (!COMPARISONS.includes(a.comparison))
    throw new Error(`${where}: comparison "${a.comparison}" must be one of ${COMPARISONS.join(", ")}`);
  if (!MISSING.includes(a.treatMissingData)) {
    throw new Error(`${where}: treatMissingData "${a.treatMissingData}" must be one of ${MISSING.join(", ")}`);
  }
  if (a.periodSeconds < 60 || a.periodSeconds % 60 !== 0) {
    throw new Error(`${where}: periodSeconds is ${a.periodSeconds}; allowed: 60 or a multiple of 60 (standard resolution)`);
  }
  if (!Number.isInteger(a.evaluationPeriods) || a.evaluationPeriods < 1) {
    throw new Error(`${where}: evaluationPeriods is ${a.evaluationPeriods}; allowed: a whole number of at least 1`);
  }
  if (!Number.isInteger(a.datapointsToAlarm) || a.datapointsToAlarm < 1 || a.datapointsToAlarm > a.evaluationPeriods) {
    throw new Error(`${where}: datapointsToAlarm is ${a.datapointsToAlarm}; allowed: 1 to evaluationPeriods (${a.evaluationPeriods})`);
  }
  if (!Token.isUnresolved(a.threshold) && !Number.isFinite(a.threshold)) {
    throw new Error(`${where}: threshold is ${a.threshold}; allowed: a finite number or a number variable`);
  }
  if ("expression" in a.metric) checkMetricIds(where, Object.keys(a.metric.metrics));
}

/** The metric math's metric ids: at least one, each a valid CloudWatch id other than the expression's own "e1". */
function checkMetricIds(where: string, ids: readonly string[]): void {
  if (ids.length === 0) throw new Error(`${where}: the metric math has no metrics; name the ones its expression reads`);
  const wrong = ids.find((id) => !/^[a-z][a-zA-Z0-9_]*$/.test(id) || id === "e1");
  if (wrong !== undefined) {
    throw new Error(`${where}: metric id "${wrong}" must start with a lower-case letter, then letters, digits or underscores (not "e1")`);
  }
}

/**
 * CloudWatch metric alarms (standard resolution) that notify the same
 * actions on ALARM and on OK. An alarm reads one metric or a metric math
 * expression; with `enabled` it exists only while the switch is on.
 */
export class MetricAlarms extends Construct {
  /** Each alarm resource, by its definition's id. */
  public readonly alarms: Readonly<Record<string, CloudwatchMetricAlarm>>;

  constructor(scope: Construct, id: string, props: MetricAlarmsProps) {
    super(scope, id);
    if (props.actionArns.length === 0) {
      throw new Error("MetricAlarms: actionArns is empty; an alarm nobody hears of is no alarm: give the alerts topic's ARN");
    }
    const seen = new Set<string>();
    for (const a of props.alarms) {
      if (seen.has(a.id)) throw new Error(`MetricAlarms: alarm id "${a.id}" appears twice; every alarm needs its own id`);
      seen.add(a.id);
      check(a);
    }

    const alarms: Record<string, CloudwatchMetricAlarm> = {};
    for (const a of props.alarms) {
      const dimensions = { ...a.dimensions };
      const metric: Partial<ConstructorParameters<typeof CloudwatchMetricAlarm>[2]> =
        "expression" in a.metric
          ? {
              metricQuery: [
                ...Object.entries(a.metric.metrics).map(
                  ([metricId, m]): CloudwatchMetricAlarmMetricQuery => ({
                    id: metricId,
                    returnData: false,
                    metric: { namespace: m.namespace, metricName: m.metricName, stat: m.statistic, period: a.periodSeconds, dimensions },
                  }),
                ),
                { id: "e1", expression: a.metric.expression, label: a.metric.label, returnData: true },
              ],
            }
          : {
              namespace: a.metric.namespace,
              metricName: a.metric.metricName,
              statistic: a.metric.statistic,
              period: a.periodSeconds,
              dimensions,
            };
      alarms[a.id] = address(
        new CloudwatchMetricAlarm(this, a.id, {
          ...(a.enabled === undefined ? {} : { count: Token.asNumber(Fn.conditional(a.enabled, 1, 0)) }),
          alarmName: a.name,
          alarmDescription: a.description,
          comparisonOperator: a.comparison,
          threshold: a.threshold,
          evaluationPeriods: a.evaluationPeriods,
          datapointsToAlarm: a.datapointsToAlarm,
          treatMissingData: a.treatMissingData,
          actionsEnabled: true,
          alarmActions: props.actionArns,
          okActions: props.actionArns,
          ...metric,
        }),
      );
    }
    this.alarms = alarms;
  }
}
