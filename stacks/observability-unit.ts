import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { Fn, Op, Token, type IResolvable, type TerraformResource } from "cdktf";
import { Construct } from "constructs";
import { AlertsTopic } from "../constructs/alerts-topic";
import type { DeploymentAlarms } from "../constructs/fargate-web-service";
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

/** A bool token that is true when every condition is (a literal `true` is left out). */
function allOf(conditions: readonly (boolean | IResolvable)[]): boolean | IResolvable {
  const open = conditions.filter((c) => c !== true);
  if (open.length === 0) return true;
  return open.length === 1 ? open[0] : (Fn.alltrue(open as unknown[]) as unknown as IResolvable);
}

/** The condition under which a service-scoped alarm exists, beyond the services' own switch. */
function serviceCondition(kind: AlarmKind, service: PlatformService): (boolean | IResolvable)[] {
  const extra: (boolean | IResolvable)[] = [];
  if (kind.scope === "target-group") extra.push(service.vars.public);
  if (kind.onlyWhen === "service-keeps-a-task") extra.push(Op.gte(service.vars.minCapacity, 1)); // (cdktf renders a literal 0 operand as "undefined")
  return extra;
}

/** A threshold as the alarm resource takes it: a number, or the variable (times its scale). */
function thresholdOf(kind: AlarmKind, inputs: PlatformInputs): number {
  if (typeof kind.threshold === "number") return kind.threshold;
  const value = inputs[kind.threshold.input] as number;
  return kind.threshold.scale === undefined ? value : Token.asNumber(Op.mul(value, kind.threshold.scale));
}

/**
 * The names of the alarms that watch a deploy of one service, for the ECS
 * service's `alarms` block: the table's deployment alarms that exist for it
 * (its target-group alarms only while it is on the ALB). Built from the
 * variables only, never from the alarm resources, so that the ECS service
 * and its alarms do not depend on each other.
 */
export function deploymentAlarms(
  inputs: PlatformInputs,
  names: PlatformNames,
  service: PlatformService,
  table: readonly AlarmKind[] = ALARMS,
): DeploymentAlarms {
  const parts = serviceAlarmKinds(table)
    .filter((kind) => kind.deploymentAlarm)
    .map((kind) => {
      // format(), the suffix a separate argument: cdktf mis-renders string templates inside function calls.
      const name = Fn.format("%s%s-%s-%s", [inputs.project_name, names.suffix, subjectOf(kind, service.key), kind.id]);
      const when = allOf(serviceCondition(kind, service));
      return when === true ? [name] : Fn.conditional(when, [name], []);
    });
  return {
    names: Token.asList(Fn.concat(parts)),
    enabled: inputs.deployment_alarms_rollback,
    rollback: inputs.deployment_alarms_rollback,
  };
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
  /** Per service key, what its ECS service watches during a deploy (the same as `deploymentAlarms`). */
  public readonly deploymentAlarms: Readonly<Record<string, DeploymentAlarms>>;

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

    this.deploymentAlarms = Object.fromEntries(props.services.map((s) => [s.key, deploymentAlarms(inputs, props.names, s, table)]));
    // Each ECS service names its deployment alarms from the variables; it also waits for them, so that a deploy
    // in the same apply (force_new_deployment) starts with its alarms in place. (Alarms depend on target groups,
    // never on services: no cycle.)
    for (const service of props.services) {
      const ecs = servicesUnit.services[service.key].serviceDependency as TerraformResource;
      const watched = serviceAlarmKinds(table)
        .filter((kind) => kind.deploymentAlarm)
        .map((kind) => this.alarms.alarms[alarmConstructId(kind, service.key)])
        .map((alarm) => `${alarm.terraformResourceType}.${alarm.friendlyUniqueId}`);
      ecs.dependsOn = [...(ecs.dependsOn ?? []), ...watched];
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
