import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { Op, Token } from "cdktf";
import { Construct } from "constructs";
import { AlertsTopic } from "../constructs/alerts-topic";
import { MetricAlarms, type AlarmDefinition } from "../constructs/metric-alarms";
import { PlatformDashboard } from "../constructs/platform-dashboard";
import { TaskFailureAlerts } from "../constructs/task-failure-alerts";
import { address } from "../constructs/terraform/addresses";
import { declareOutput } from "../constructs/terraform/variables";
import {
  ALARMS,
  alarmConstructId,
  alarmName,
  checkAlarmTable,
  platformAlarmKinds,
  serviceAlarmKinds,
  subjectOf,
  type AlarmKind,
} from "../platform/alarms";
import type { PlatformInputs, PlatformNames, PlatformService } from "./platform-stack";
import type { ServicesUnit } from "./services/services-unit";
import type { StorageUnit } from "./storage-unit";
import { allOf, serviceCondition } from "./deployment-alarms";

export interface ObservabilityUnitProps {
  readonly inputs: PlatformInputs;
  readonly services: readonly PlatformService[];
  /** Names unique in the account carry the environment outside prod. */
  readonly names: PlatformNames;
  readonly storage: StorageUnit;
  readonly servicesUnit: ServicesUnit;
  /** The alarm table. @default ALARMS (platform/alarms.ts) */
  readonly alarms?: readonly AlarmKind[];
}

/** Where the runbook is, in every alert. */
const RUNBOOK = "What to do: docs/ALARMS.md in the infrastructure repository.";

/** A threshold as the alarm resource takes it: a number, or the variable (times its scale). */
function thresholdOf(kind: AlarmKind, inputs: PlatformInputs): number {
  if (typeof kind.threshold === "number") return kind.threshold;
  const value = inputs[kind.threshold.input] as number;
  return kind.threshold.scale === undefined ? value : Token.asNumber(Op.mul(value, kind.threshold.scale));
}

/** One alarm definition per entry of the alarm table and subject (each service, its target group, the ALB, the file system). */
function alarmDefinitions(props: ObservabilityUnitProps, table: readonly AlarmKind[], project: string): AlarmDefinition[] {
  const { inputs, storage, servicesUnit } = props;
  const lbSuffix = servicesUnit.entry.loadBalancer.arnSuffix;
  const definition = (kind: AlarmKind, serviceKey: string | undefined, dimensions: Record<string, string>) => {
    const subject = subjectOf(kind, serviceKey);
    return {
      id: alarmConstructId(kind, serviceKey),
      name: alarmName(project, kind, serviceKey),
      description: `${subject}: ${kind.meaning} ${RUNBOOK}`,
      metric: kind.metric,
      dimensions,
      comparison: kind.comparison,
      threshold: thresholdOf(kind, inputs),
      periodSeconds: kind.periodSeconds,
      evaluationPeriods: kind.evaluationPeriods,
      datapointsToAlarm: kind.datapointsToAlarm,
      treatMissingData: kind.treatMissingData,
    };
  };

  const definitions: AlarmDefinition[] = [];
  for (const kind of serviceAlarmKinds(table)) {
    for (const service of props.services) {
      const dimensions: Record<string, string> =
        kind.scope === "service"
          ? { ClusterName: inputs.cluster_name, ServiceName: service.vars.serviceName }
          : { TargetGroup: servicesUnit.services[service.key].targetGroupArnSuffix, LoadBalancer: lbSuffix };
      definitions.push({
        ...definition(kind, service.key, dimensions),
        enabled: allOf([inputs.create_ecs_services, ...serviceCondition(kind, service)]),
      });
    }
  }
  for (const kind of platformAlarmKinds(table)) {
    const dimensions: Record<string, string> =
      kind.scope === "load-balancer" ? { LoadBalancer: lbSuffix } : { FileSystemId: storage.experiments.fileSystem.id };
    const when = kind.onlyWhen === "efs-bursting" ? Op.eq(inputs.efs_throughput_mode, "bursting") : undefined;
    definitions.push({ ...definition(kind, undefined, dimensions), ...(when === undefined ? {} : { enabled: when }) });
  }
  return definitions;
}

/**
 * The observability unit: the encrypted alerts topic (with the e-mail
 * subscribers of `alarm_emails`), one CloudWatch alarm per entry of the
 * alarm table and subject (each service, its target group, the ALB, the
 * experiments file system), the alert for ECS tasks that fail to start, and
 * the `<project>-platform` dashboard. Every alarm notifies the topic on
 * ALARM and on OK.
 */
export class ObservabilityUnit extends Construct {
  public readonly alerts: AlertsTopic;
  public readonly alarms: MetricAlarms;
  public readonly taskFailures: TaskFailureAlerts;
  public readonly dashboard: PlatformDashboard;

  constructor(scope: Construct, id: string, props: ObservabilityUnitProps) {
    super(scope, id);
    const { inputs, storage, servicesUnit } = props;
    const table = props.alarms ?? ALARMS;
    checkAlarmTable(table);
    // <project> in prod, <project>-<environment> elsewhere: alarm, topic, rule and dashboard names are unique per account and region.
    const project = props.names.scoped(inputs.project_name);
    const region = inputs.aws_region;
    const account = address(new DataAwsCallerIdentity(this, "account"));

    this.alerts = new AlertsTopic(this, "alerts", {
      name: `${project}-alerts`,
      accountId: account.accountId,
      emails: inputs.alarm_emails,
      publishers: [
        // Only this platform's alarms (their names start with the project) …
        { service: "cloudwatch.amazonaws.com", sourceArn: `arn:aws:cloudwatch:${region}:${account.accountId}:alarm:${project}-*` },
        // … and this platform's rules.
        { service: "events.amazonaws.com", sourceArn: `arn:aws:events:${region}:${account.accountId}:rule/${project}-*` },
      ],
    });

    const cluster = servicesUnit.cluster;
    const lbSuffix = servicesUnit.entry.loadBalancer.arnSuffix;
    const definitions = alarmDefinitions(props, table, project);
    this.alarms = new MetricAlarms(this, "alarms", { alarms: definitions, actionArns: [this.alerts.topicArn] });

    this.taskFailures = new TaskFailureAlerts(this, "task-failures", {
      ruleName: `${project}-task-start-failures`,
      clusterArn: cluster.arn,
      topicArn: this.alerts.topicArn,
      runbook: RUNBOOK,
    });

    this.dashboard = new PlatformDashboard(this, "dashboard", {
      name: `${project}-platform`,
      region,
      fileSystemId: storage.experiments.fileSystem.id,
      loadBalancerArnSuffix: lbSuffix,
      clusterName: inputs.cluster_name,
      services: props.services.map((s) => ({ label: s.key, serviceName: s.vars.serviceName })),
      thresholds: {
        efsIoLimitPercent: inputs.alarm_efs_io_limit_percent,
        efsThroughputPercent: inputs.alarm_efs_throughput_percent,
        cpuPercent: inputs.alarm_cpu_percent,
        memoryPercent: inputs.alarm_memory_percent,
      },
      note: "Alarms, what each means and what to do: docs/ALARMS.md in the infrastructure repository.",
    });

    // Each ECS service names its deployment alarms from the variables; it also waits for them, so that a deploy
    // in the same apply (force_new_deployment) starts with its alarms in place. (Alarms depend on target groups,
    // never on services: no cycle.)
    for (const service of props.services) {
      const watched = serviceAlarmKinds(table)
        .filter((kind) => kind.deploymentAlarm)
        .map((kind) => this.alarms.alarms[alarmConstructId(kind, service.key)]);
      servicesUnit.services[service.key].waitFor(watched);
    }

    declareOutput(
      this,
      "alerts_topic_arn",
      this.alerts.topicArn,
      "ARN of the encrypted SNS topic every alarm and the task start failure alert notify; subscribe more endpoints to it (alarm_emails subscribes e-mail).",
    );
    declareOutput(this, "dashboard_url", this.dashboard.url, "Console URL of the <project>-platform CloudWatch dashboard.");
  }
}
