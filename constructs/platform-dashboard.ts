import { CloudwatchDashboard } from "@cdktf/provider-aws/lib/cloudwatch-dashboard";
import { Fn, Token } from "cdktf";
import { Construct } from "constructs";
import { address } from "./terraform/addresses";

/** One ECS service on the dashboard. */
export interface DashboardService {
  /** Its line's label (the services table key). */
  readonly label: string;
  /** Its ECS service name (a token is fine). */
  readonly serviceName: string;
}

export interface PlatformDashboardProps {
  /** Dashboard name (letters, digits, `-`, `_`; a token is fine). */
  readonly name: string;
  /** Region of the metrics (the console opens the dashboard there). */
  readonly region: string;
  readonly fileSystemId: string;
  /** The ALB's ARN suffix (`app/<name>/<id>`), its metrics' LoadBalancer dimension. */
  readonly loadBalancerArnSuffix: string;
  readonly clusterName: string;
  readonly services: readonly DashboardService[];
  /** Horizontal lines at the alarms' thresholds (numbers or number tokens). @default - none */
  readonly thresholds?: {
    readonly efsIoLimitPercent?: number;
    readonly efsThroughputPercent?: number;
    readonly cpuPercent?: number;
    readonly memoryPercent?: number;
  };
  /** A line of markdown at the top (where the runbook is). @default - the title only */
  readonly note?: string;
}

/** A metric line of a graph: namespace, name, dimension pairs, then its options (or an expression object). */
type Metric = readonly unknown[];

/** What the widgets draw from: the platform's metrics and the alarms' thresholds. */
export interface DashboardSources {
  /** An EFS metric of the file system. */
  efs(metric: string, options: Record<string, unknown>): Metric;
  /** An ALB metric of the load balancer. */
  alb(metric: string, options: Record<string, unknown>): Metric;
  /** One line per service of an ECS metric. */
  perService(namespace: string, metric: string, stat: string): Metric[];
  /** A horizontal annotation at an alarm's threshold, when it has one. */
  line(label: string, value: number | undefined): { label: string; value: number }[];
  readonly thresholds: NonNullable<PlatformDashboardProps["thresholds"]>;
  readonly fileSystemId: string;
  readonly loadBalancerArnSuffix: string;
}

/** One graph of the dashboard (8 columns x 6 rows, one-minute period unless its options say otherwise). */
interface GraphSpec {
  readonly title: string;
  readonly metrics: (s: DashboardSources) => readonly Metric[];
  /** More graph properties (axes, annotations, period). */
  readonly options?: (s: DashboardSources) => Record<string, unknown>;
}

const MIB = 1048576;
const PERCENT_AXIS = { yAxis: { left: { min: 0, max: 100 } } };

/** The graphs, in order: EFS (the design document's "monitor EFS metrics in CloudWatch"), the services, the ALB. */
const GRAPHS: readonly GraphSpec[] = [
  {
    title: "EFS throughput (MiB/s): used against permitted",
    metrics: ({ efs }) => [
      efs("MeteredIOBytes", { id: "m1", stat: "Sum", visible: false }),
      efs("PermittedThroughput", { id: "m2", stat: "Average", visible: false }),
      [{ id: "e1", expression: `m1 / PERIOD(m1) / ${MIB}`, label: "metered" }],
      [{ id: "e2", expression: `m2 / ${MIB}`, label: "permitted" }],
    ],
    options: () => ({ yAxis: { left: { min: 0, label: "MiB/s", showUnits: false } } }),
  },
  {
    title: "EFS throughput utilization (%)",
    metrics: ({ efs }) => [
      efs("MeteredIOBytes", { id: "m1", stat: "Sum", visible: false }),
      efs("PermittedThroughput", { id: "m2", stat: "Average", visible: false }),
      [{ id: "e1", expression: "100 * (m1 / PERIOD(m1)) / m2", label: "utilization" }],
    ],
    options: ({ line, thresholds }) => ({ ...PERCENT_AXIS, annotations: { horizontal: line("alarm", thresholds.efsThroughputPercent) } }),
  },
  {
    title: "EFS I/O limit (%)",
    metrics: ({ efs }) => [efs("PercentIOLimit", { stat: "Maximum", label: "PercentIOLimit" })],
    options: ({ line, thresholds }) => ({ ...PERCENT_AXIS, annotations: { horizontal: line("alarm", thresholds.efsIoLimitPercent) } }),
  },
  { title: "EFS client connections", metrics: ({ efs }) => [efs("ClientConnections", { stat: "Sum", label: "connections" })] },
  {
    title: "EFS storage (GiB)",
    metrics: ({ fileSystemId }) => [
      ["AWS/EFS", "StorageBytes", "FileSystemId", fileSystemId, "StorageClass", "Total", { id: "s1", stat: "Average", visible: false }],
      [{ id: "e1", expression: `s1 / ${MIB * 1024}`, label: "stored" }],
    ],
    options: () => ({ period: 900 }),
  },
  {
    title: "EFS I/O by kind (MiB)",
    metrics: ({ efs }) => ["DataReadIOBytes", "DataWriteIOBytes", "MetadataIOBytes"].map((m) => efs(m, { stat: "Sum", label: m })),
    options: () => ({ period: 300 }),
  },
  // Services: CPU, memory and running tasks, one line per service.
  {
    title: "CPU utilization (%)",
    metrics: ({ perService }) => perService("AWS/ECS", "CPUUtilization", "Average"),
    options: ({ line, thresholds }) => ({ ...PERCENT_AXIS, annotations: { horizontal: line("alarm", thresholds.cpuPercent) } }),
  },
  {
    title: "Memory utilization (%)",
    metrics: ({ perService }) => perService("AWS/ECS", "MemoryUtilization", "Average"),
    options: ({ line, thresholds }) => ({ ...PERCENT_AXIS, annotations: { horizontal: line("alarm", thresholds.memoryPercent) } }),
  },
  {
    title: "Running tasks",
    metrics: ({ perService }) => perService("ECS/ContainerInsights", "RunningTaskCount", "Minimum"),
    options: () => ({ yAxis: { left: { min: 0 } } }),
  },
  // The ALB.
  {
    title: "ALB requests",
    metrics: ({ alb }) => [alb("RequestCount", { stat: "Sum", label: "requests" })],
    options: () => ({ period: 300 }),
  },
  {
    title: "ALB latency (s)",
    metrics: ({ alb }) => [
      alb("TargetResponseTime", { stat: "p50", label: "p50" }),
      alb("TargetResponseTime", { stat: "p99", label: "p99" }),
    ],
  },
  {
    title: "ALB 4xx / 5xx",
    metrics: ({ alb }) => [
      alb("HTTPCode_ELB_4XX_Count", { stat: "Sum", label: "ALB 4xx" }),
      alb("HTTPCode_ELB_5XX_Count", { stat: "Sum", label: "ALB 5xx" }),
      alb("HTTPCode_Target_4XX_Count", { stat: "Sum", label: "targets 4xx" }),
      alb("HTTPCode_Target_5XX_Count", { stat: "Sum", label: "targets 5xx" }),
    ],
    options: () => ({ period: 300 }),
  },
  // Every target group of the ALB, found by search: services kept off the ALB have none.
  {
    title: "Healthy hosts per target group",
    metrics: ({ loadBalancerArnSuffix }) => [
      [
        {
          id: "e1",
          // format(): cdktf does not escape the quotes of a string template inside jsonencode.
          expression: Fn.format(
            Fn.rawString(
              `SEARCH('{AWS/ApplicationELB,LoadBalancer,TargetGroup} MetricName="HealthyHostCount" LoadBalancer="%s"', 'Minimum', 60)`,
            ),
            [loadBalancerArnSuffix],
          ),
          label: "",
        },
      ],
    ],
    options: () => ({ yAxis: { left: { min: 0 } } }),
  },
];

type Widget = { type: "metric" | "text"; width: number; height: number; properties: Record<string, unknown> };

/** The props' mistakes, before anything is built. */
function checkProps(props: PlatformDashboardProps): void {
  if (!Token.isUnresolved(props.name) && !/^[A-Za-z0-9_-]{1,255}$/.test(props.name)) {
    throw new Error(`PlatformDashboard: name "${props.name}" must be 1-255 letters, digits, "-" or "_" (a CloudWatch dashboard name)`);
  }
  if (props.services.length === 0) throw new Error("PlatformDashboard: services is empty; give at least one ECS service to show");
  const labels = props.services.map((s) => s.label);
  const twice = labels.find((l, i) => labels.indexOf(l) !== i);
  if (twice) throw new Error(`PlatformDashboard: service label "${twice}" appears twice; lines on a graph need their own labels`);
}

function sources(props: PlatformDashboardProps): DashboardSources {
  return {
    efs: (metric, options) => ["AWS/EFS", metric, "FileSystemId", props.fileSystemId, options],
    alb: (metric, options) => ["AWS/ApplicationELB", metric, "LoadBalancer", props.loadBalancerArnSuffix, options],
    perService: (namespace, metric, stat) =>
      props.services.map((s) => [
        namespace,
        metric,
        "ClusterName",
        props.clusterName,
        "ServiceName",
        s.serviceName,
        { label: s.label, stat },
      ]),
    line: (label, value) => (value === undefined ? [] : [{ label, value }]),
    thresholds: props.thresholds ?? {},
    fileSystemId: props.fileSystemId,
    loadBalancerArnSuffix: props.loadBalancerArnSuffix,
  };
}

/** Left to right, top to bottom, on CloudWatch's 24-column grid. */
function layout(widgets: readonly Widget[]) {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  return widgets.map((w) => {
    if (x + w.width > 24) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    const at = { ...w, x, y };
    x += w.width;
    rowHeight = Math.max(rowHeight, w.height);
    return at;
  });
}

/** The title widget, then one widget per graph of the table. */
function widgetsOf(props: PlatformDashboardProps): Widget[] {
  const src = sources(props);
  const title: Widget = {
    type: "text",
    width: 24,
    height: 2,
    properties: { markdown: `# ${props.name}${props.note ? `\n${props.note}` : ""}` },
  };
  const graphs = GRAPHS.map(
    (g): Widget => ({
      type: "metric",
      width: 8,
      height: 6,
      properties: {
        title: g.title,
        region: props.region,
        view: "timeSeries",
        stacked: false,
        period: 60,
        metrics: g.metrics(src),
        ...g.options?.(src),
      },
    }),
  );
  return [title, ...graphs];
}

/**
 * One CloudWatch dashboard for a Fargate-behind-an-ALB platform sharing an
 * EFS file system: EFS throughput against what it is permitted, its I/O
 * limit, client connections and storage; per service CPU, memory and
 * running tasks; the ALB's requests, latency p50/p99, 4xx/5xx and healthy
 * hosts of each target group. Widgets are laid out left to right on
 * CloudWatch's 24-column grid.
 */
export class PlatformDashboard extends Construct {
  public readonly dashboard: CloudwatchDashboard;
  /** The console URL of the dashboard. */
  public readonly url: string;

  constructor(scope: Construct, id: string, props: PlatformDashboardProps) {
    super(scope, id);
    checkProps(props);
    this.dashboard = address(
      new CloudwatchDashboard(this, "dashboard", {
        dashboardName: props.name,
        dashboardBody: Fn.jsonencode({ widgets: layout(widgetsOf(props)) }),
      }),
    );
    this.url = `https://${props.region}.console.aws.amazon.com/cloudwatch/home?region=${props.region}#dashboards/dashboard/${this.dashboard.dashboardName}`;
  }
}
