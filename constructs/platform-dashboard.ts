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

type Widget = { type: "metric" | "text"; width: number; height: number; properties: Record<string, unknown> };
type Metric = readonly unknown[];

const MIB = 1048576;

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
    if (!Token.isUnresolved(props.name) && !/^[A-Za-z0-9_-]{1,255}$/.test(props.name)) {
      throw new Error(`PlatformDashboard: name "${props.name}" must be 1-255 letters, digits, "-" or "_" (a CloudWatch dashboard name)`);
    }
    if (props.services.length === 0) throw new Error("PlatformDashboard: services is empty; give at least one ECS service to show");
    const labels = props.services.map((s) => s.label);
    const twice = labels.find((l, i) => labels.indexOf(l) !== i);
    if (twice) throw new Error(`PlatformDashboard: service label "${twice}" appears twice; lines on a graph need their own labels`);

    const t = props.thresholds ?? {};
    const line = (label: string, value: number | undefined) => (value === undefined ? [] : [{ label, value }]);
    const efs = (metric: string, options: Record<string, unknown>): Metric => [
      "AWS/EFS",
      metric,
      "FileSystemId",
      props.fileSystemId,
      options,
    ];
    const alb = (metric: string, options: Record<string, unknown>): Metric => [
      "AWS/ApplicationELB",
      metric,
      "LoadBalancer",
      props.loadBalancerArnSuffix,
      options,
    ];
    const perService = (namespace: string, metric: string, stat: string): Metric[] =>
      props.services.map((s) => [
        namespace,
        metric,
        "ClusterName",
        props.clusterName,
        "ServiceName",
        s.serviceName,
        { label: s.label, stat },
      ]);
    const graph = (title: string, metrics: readonly Metric[], extra: Record<string, unknown> = {}): Widget => ({
      type: "metric",
      width: 8,
      height: 6,
      properties: { title, region: props.region, view: "timeSeries", stacked: false, period: 60, metrics, ...extra },
    });

    const widgets: Widget[] = [
      {
        type: "text",
        width: 24,
        height: 2,
        properties: { markdown: `# ${props.name}${props.note ? `\n${props.note}` : ""}` },
      },
      // EFS: the design document's "monitor EFS metrics in CloudWatch".
      graph(
        "EFS throughput (MiB/s): used against permitted",
        [
          efs("MeteredIOBytes", { id: "m1", stat: "Sum", visible: false }),
          efs("PermittedThroughput", { id: "m2", stat: "Average", visible: false }),
          [{ id: "e1", expression: `m1 / PERIOD(m1) / ${MIB}`, label: "metered" }],
          [{ id: "e2", expression: `m2 / ${MIB}`, label: "permitted" }],
        ],
        { yAxis: { left: { min: 0, label: "MiB/s", showUnits: false } } },
      ),
      graph(
        "EFS throughput utilization (%)",
        [
          efs("MeteredIOBytes", { id: "m1", stat: "Sum", visible: false }),
          efs("PermittedThroughput", { id: "m2", stat: "Average", visible: false }),
          [{ id: "e1", expression: "100 * (m1 / PERIOD(m1)) / m2", label: "utilization" }],
        ],
        { yAxis: { left: { min: 0, max: 100 } }, annotations: { horizontal: line("alarm", t.efsThroughputPercent) } },
      ),
      graph("EFS I/O limit (%)", [efs("PercentIOLimit", { stat: "Maximum", label: "PercentIOLimit" })], {
        yAxis: { left: { min: 0, max: 100 } },
        annotations: { horizontal: line("alarm", t.efsIoLimitPercent) },
      }),
      graph("EFS client connections", [efs("ClientConnections", { stat: "Sum", label: "connections" })]),
      graph(
        "EFS storage (GiB)",
        [
          [
            "AWS/EFS",
            "StorageBytes",
            "FileSystemId",
            props.fileSystemId,
            "StorageClass",
            "Total",
            { id: "s1", stat: "Average", visible: false },
          ],
          [{ id: "e1", expression: `s1 / ${MIB * 1024}`, label: "stored" }],
        ],
        { period: 900 },
      ),
      graph(
        "EFS I/O by kind (MiB)",
        ["DataReadIOBytes", "DataWriteIOBytes", "MetadataIOBytes"].map((m) => efs(m, { stat: "Sum", label: m })),
        { period: 300 },
      ),
      // Services: CPU, memory and running tasks, one line per service.
      graph("CPU utilization (%)", perService("AWS/ECS", "CPUUtilization", "Average"), {
        yAxis: { left: { min: 0, max: 100 } },
        annotations: { horizontal: line("alarm", t.cpuPercent) },
      }),
      graph("Memory utilization (%)", perService("AWS/ECS", "MemoryUtilization", "Average"), {
        yAxis: { left: { min: 0, max: 100 } },
        annotations: { horizontal: line("alarm", t.memoryPercent) },
      }),
      graph("Running tasks", perService("ECS/ContainerInsights", "RunningTaskCount", "Minimum"), { yAxis: { left: { min: 0 } } }),
      // The ALB.
      graph("ALB requests", [alb("RequestCount", { stat: "Sum", label: "requests" })], { period: 300 }),
      graph("ALB latency (s)", [
        alb("TargetResponseTime", { stat: "p50", label: "p50" }),
        alb("TargetResponseTime", { stat: "p99", label: "p99" }),
      ]),
      graph(
        "ALB 4xx / 5xx",
        [
          alb("HTTPCode_ELB_4XX_Count", { stat: "Sum", label: "ALB 4xx" }),
          alb("HTTPCode_ELB_5XX_Count", { stat: "Sum", label: "ALB 5xx" }),
          alb("HTTPCode_Target_4XX_Count", { stat: "Sum", label: "targets 4xx" }),
          alb("HTTPCode_Target_5XX_Count", { stat: "Sum", label: "targets 5xx" }),
        ],
        { period: 300 },
      ),
      // Every target group of the ALB, found by search: services kept off the ALB have none.
      graph(
        "Healthy hosts per target group",
        [
          [
            {
              id: "e1",
              // format(): cdktf does not escape the quotes of a string template inside jsonencode.
              expression: Fn.format(
                Fn.rawString(
                  `SEARCH('{AWS/ApplicationELB,LoadBalancer,TargetGroup} MetricName="HealthyHostCount" LoadBalancer="%s"', 'Minimum', 60)`,
                ),
                [props.loadBalancerArnSuffix],
              ),
              label: "",
            },
          ],
        ],
        { yAxis: { left: { min: 0 } } },
      ),
    ];

    // Left to right, top to bottom, on the 24-column grid.
    let x = 0;
    let y = 0;
    let rowHeight = 0;
    const placed = widgets.map((w) => {
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

    this.dashboard = address(
      new CloudwatchDashboard(this, "dashboard", {
        dashboardName: props.name,
        dashboardBody: Fn.jsonencode({ widgets: placed }),
      }),
    );
    this.url = `https://${props.region}.console.aws.amazon.com/cloudwatch/home?region=${props.region}#dashboards/dashboard/${this.dashboard.dashboardName}`;
  }
}
