/**
 * The observability unit, driven by the alarm table (platform/alarms.ts):
 * every service × service-scoped alarm kind, every target group × target
 * group kind, the ALB's and the file system's alarms, each with its metric,
 * its threshold from the variable the table names, its switches, and the
 * alerts topic on ALARM and on OK. Then the topic, the task start alert,
 * the deployment alarms, the dashboard, the outputs, the intended changes
 * and the docs.
 */
import * as fs from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { START_FAILURE_PREFIXES } from "../constructs/task-failure-alerts";
import { ALARMS, alarmLogicalId, isMetricMath, platformAlarmKinds, serviceAlarmKinds, type AlarmKind } from "../platform/alarms";
import { INTENDED_CHANGES, observabilityChanges } from "../platform/intended-changes";
import { PLATFORM_INPUTS } from "../platform/inputs";
import { SERVICES, type ServiceTable } from "../platform/services";
import { ALARMS_DOC, renderAlarmsDoc } from "../scripts/alarms-doc";
import { readJsonencode } from "../synth/policy/hcl-object";
import { FIFTH_SERVICE_TABLE } from "./fifth-service";
import { LIVE_SERVICES, LIVE_TABLE, mergeRoot, renderPlatform, resources, SUFFIX, type Json } from "./helpers";

const TOPIC = "${aws_sns_topic.alerts.arn}";
/** How the observability names start: the project, with the environment outside prod. */
const PREFIX = `\${var.project_name}${SUFFIX}`;

let root: Json;
let fifth: Json;
/** The live services only: the switch and the fifth service are measured against it. */
let live: Json;
beforeAll(() => {
  root = mergeRoot(renderPlatform());
  fifth = mergeRoot(renderPlatform(FIFTH_SERVICE_TABLE));
  live = mergeRoot(renderPlatform(LIVE_TABLE));
});

const alarms = (json: Json) => resources(json, "aws_cloudwatch_metric_alarm");

/** The threshold as the table gives it: a number, or the variable (scaled) that holds it. */
function expectedThreshold(kind: AlarmKind): unknown {
  if (typeof kind.threshold === "number") return kind.threshold;
  if (kind.threshold.scale) return `\${(var.${kind.threshold.input} * ${kind.threshold.scale})}`;
  return `\${var.${kind.threshold.input}}`;
}

/** The metric's dimensions for the alarm's scope. */
function expectedDimensions(kind: AlarmKind, key: string | undefined): Record<string, string> {
  if (kind.scope === "service") return { ClusterName: "${var.cluster_name}", ServiceName: `\${var.${key}_service_name}` };
  if (kind.scope === "target-group")
    return { TargetGroup: `\${aws_lb_target_group.${key}[0].arn_suffix}`, LoadBalancer: "${aws_lb.main.arn_suffix}" };
  if (kind.scope === "load-balancer") return { LoadBalancer: "${aws_lb.main.arn_suffix}" };
  return { FileSystemId: "${aws_efs_file_system.experiments.id}" };
}

/** What the table says the alarm resource holds. */
function expectAlarm(json: Json, kind: AlarmKind, key: string | undefined, table: ServiceTable): void {
  const id = alarmLogicalId(kind, key);
  const alarm = alarms(json)[id];
  expect(alarm, id).toBeDefined();
  expect(alarm.alarm_actions, id).toEqual([TOPIC]);
  expect(alarm.ok_actions, id).toEqual([TOPIC]);
  expect(alarm.actions_enabled, id).toBe(true);
  expect(alarm, id).toMatchObject({
    comparison_operator: kind.comparison,
    evaluation_periods: kind.evaluationPeriods,
    datapoints_to_alarm: kind.datapointsToAlarm,
    treat_missing_data: kind.treatMissingData,
  });
  expect(alarm.threshold, id).toBe(expectedThreshold(kind));
  const dimensions = expectedDimensions(kind, key);
  if (isMetricMath(kind.metric)) {
    const queries = alarm.metric_query as Json[];
    expect(queries.find((q) => q.return_data)?.expression, id).toBe(kind.metric.expression);
    for (const [metricId, m] of Object.entries(kind.metric.metrics)) {
      expect(queries.find((q) => q.id === metricId)?.metric, `${id} ${metricId}`).toEqual({
        namespace: m.namespace,
        metric_name: m.metricName,
        stat: m.statistic,
        period: kind.periodSeconds,
        dimensions,
      });
    }
  } else {
    expect(alarm, id).toMatchObject({
      namespace: kind.metric.namespace,
      metric_name: kind.metric.metricName,
      statistic: kind.metric.statistic,
      period: kind.periodSeconds,
      dimensions,
    });
  }

  // The switches: services exist, a target group exists (services that may leave the ALB), the table's own condition.
  const count = alarm.count as string | undefined;
  if (kind.scope === "service" || kind.scope === "target-group") {
    expect(count, id).toContain("var.create_ecs_services");
    const optional = (table[key as string] as { optionalPublic: boolean }).optionalPublic;
    expect(count?.includes(`var.${key}_public`), `${id} follows ${key}_public`).toBe(kind.scope === "target-group" && optional);
    expect(count?.includes(`var.${key}_min_capacity >= 1`), id).toBe(kind.onlyWhen === "service-keeps-a-task");
  } else if (kind.onlyWhen === "efs-bursting") {
    expect(count, id).toBe('${(var.efs_throughput_mode == "bursting") ? 1 : 0}');
  } else {
    expect(count, id).toBeUndefined();
  }
}

describe("the alarm table", () => {
  it("names only threshold variables that exist, each validated", () => {
    for (const kind of ALARMS) {
      if (typeof kind.threshold === "number") continue;
      const input = PLATFORM_INPUTS[kind.threshold.input];
      expect(input.type, kind.id).toBe("number");
      expect(input.validations?.length, kind.id).toBeGreaterThan(0);
      expect(root.variable[kind.threshold.input].description, kind.id).toContain(kind.id);
    }
  });

  it("covers what the issue asks: services, target groups, the ALB and EFS", () => {
    const metrics = ALARMS.flatMap((k) => (isMetricMath(k.metric) ? Object.values(k.metric.metrics) : [k.metric])).map((m) => m.metricName);
    for (const m of [
      "CPUUtilization",
      "MemoryUtilization",
      "RunningTaskCount",
      "UnHealthyHostCount",
      "HealthyHostCount",
      "HTTPCode_Target_5XX_Count",
      "HTTPCode_ELB_5XX_Count",
      "RejectedConnectionCount",
      "PercentIOLimit",
      "MeteredIOBytes",
      "PermittedThroughput",
      "BurstCreditBalance",
    ]) {
      expect(metrics, m).toContain(m);
    }
  });
});

describe("one alarm per table entry and subject", () => {
  it.each(serviceAlarmKinds().map((k) => [k.id, k] as const))("%s: one per service, as the table says", (_id, kind) => {
    for (const key of Object.keys(SERVICES)) expectAlarm(root, kind, key, SERVICES);
  });

  it.each(platformAlarmKinds().map((k) => [k.id, k] as const))("%s: one for the platform, as the table says", (_id, kind) => {
    expectAlarm(root, kind, undefined, SERVICES);
  });

  it("has no other alarm", () => {
    const expected = [
      ...serviceAlarmKinds().flatMap((k) => Object.keys(SERVICES).map((key) => alarmLogicalId(k, key))),
      ...platformAlarmKinds().map((k) => alarmLogicalId(k)),
    ];
    expect(Object.keys(alarms(root)).sort()).toEqual(expected.sort());
  });

  it("gives a fifth service its alarms from its table entry alone", () => {
    for (const kind of serviceAlarmKinds()) expectAlarm(fifth, kind, "notebook", FIFTH_SERVICE_TABLE);
    expect(Object.keys(alarms(fifth)).length).toBe(Object.keys(alarms(live)).length + serviceAlarmKinds().length);
  });

  it("makes every alarm notify the alerts topic on ALARM and on OK (also the policy rule ALARM-ACTIONS)", () => {
    for (const [id, alarm] of Object.entries(alarms(root))) {
      expect([id, alarm.alarm_actions, alarm.ok_actions]).toEqual([id, [TOPIC], [TOPIC]]);
    }
  });
});

describe("deployment alarms", () => {
  const deploymentKinds = serviceAlarmKinds().filter((k) => k.deploymentAlarm);

  it.each(Object.keys(FIFTH_SERVICE_TABLE))(
    "the %s service rolls back on its own deployment alarms, while deployment_alarms_rollback",
    (key) => {
      const service = resources(fifth, "aws_ecs_service")[key];
      const block = service.dynamic?.alarms as Json;
      expect(block.content.enable).toBe("${var.deployment_alarms_rollback}");
      expect(block.content.rollback).toBe("${var.deployment_alarms_rollback}");
      const names = block.content.alarm_names as string;
      for (const kind of deploymentKinds) {
        expect(names, kind.id).toContain(`format("%s%s-%s-%s", var.project_name, local.name_suffix, "${key}", "${kind.id}")`);
        // The same name as the alarm resource.
        expect(alarms(fifth)[alarmLogicalId(kind, key)].alarm_name).toBe(`${PREFIX}-${key}-${kind.id}`);
      }
      for (const kind of serviceAlarmKinds().filter((k) => !k.deploymentAlarm)) expect(names).not.toContain(`"${kind.id}"`);
      // A name only while its alarm exists: target-group alarms follow <key>_public, the running-task alarm min_capacity.
      const optional = FIFTH_SERVICE_TABLE[key].optionalPublic;
      expect(names.includes(`var.${key}_public ?`)).toBe(optional);
      expect(names).toContain(`(var.${key}_min_capacity >= 1) ?`);
      // No block while the list is empty.
      expect(block.for_each).toMatch(/^\$\{\(length\(concat\(.*\)\) >= 1\) \? \["alarms"\] : \[\]\}$/);
    },
  );

  it("names them from the variables, and waits for them to exist (no alarm refers back to a service: no cycle)", () => {
    for (const [key, service] of Object.entries(resources(root, "aws_ecs_service"))) {
      expect(JSON.stringify(service.dynamic.alarms)).not.toContain("aws_cloudwatch_metric_alarm");
      expect(service.depends_on, key).toEqual(
        expect.arrayContaining(deploymentKinds.map((k) => `aws_cloudwatch_metric_alarm.${alarmLogicalId(k, key)}`)),
      );
    }
    for (const [id, alarm] of Object.entries(alarms(root))) expect(JSON.stringify(alarm), id).not.toContain("aws_ecs_service");
  });

  it("is on by default", () => {
    expect(root.variable.deployment_alarms_rollback).toMatchObject({ type: "bool", default: true });
  });
});

describe("the alerts topic", () => {
  it("is encrypted with its own rotated key, which CloudWatch and EventBridge may use", () => {
    const topic = resources(root, "aws_sns_topic").alerts;
    expect(topic).toEqual({ name: `${PREFIX}-alerts`, kms_master_key_id: "${aws_kms_key.alerts.arn}" });
    const key = resources(root, "aws_kms_key").alerts;
    expect(key.enable_key_rotation).toBe(true);
    const policy = readJsonencode(key.policy) as { Statement: Json[] };
    expect(policy.Statement.find((s) => s.Sid === "PublishersEncrypt")).toMatchObject({
      Principal: { Service: ["cloudwatch.amazonaws.com", "events.amazonaws.com"] },
      Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
    });
    expect(resources(root, "aws_kms_alias").alerts.name).toBe(`alias/${PREFIX}-alerts`);
  });

  it("lets only this platform's alarms and rules publish", () => {
    const policy = readJsonencode(resources(root, "aws_sns_topic_policy").alerts.policy) as { Statement: Json[] };
    expect(policy.Statement.map((s) => [s.Principal.Service, s.Action, s.Condition.ArnLike["aws:SourceArn"]])).toEqual([
      [
        "cloudwatch.amazonaws.com",
        "sns:Publish",
        `arn:aws:cloudwatch:\${var.aws_region}:\${data.aws_caller_identity.observability_account.account_id}:alarm:${PREFIX}-*`,
      ],
      [
        "events.amazonaws.com",
        "sns:Publish",
        `arn:aws:events:\${var.aws_region}:\${data.aws_caller_identity.observability_account.account_id}:rule/${PREFIX}-*`,
      ],
    ]);
  });

  it("subscribes each address of alarm_emails (none by default), keyed by the address", () => {
    expect(resources(root, "aws_sns_topic_subscription").alert_emails).toEqual({
      for_each: "${toset(var.alarm_emails)}",
      topic_arn: TOPIC,
      protocol: "email",
      endpoint: "${each.value}",
    });
    expect(root.variable.alarm_emails).toMatchObject({ type: "list(string)", default: [] });
    expect(root.variable.alarm_emails.description).toContain("COST:");
  });
});

describe("the task start failure alert", () => {
  it("matches this cluster's tasks stopped by an EFS mount, secret or image pull failure", () => {
    const rule = resources(root, "aws_cloudwatch_event_rule").task_start_failures;
    expect(rule.name).toBe(`${PREFIX}-task-start-failures`);
    expect(readJsonencode(rule.event_pattern)).toEqual({
      source: ["aws.ecs"],
      "detail-type": ["ECS Task State Change"],
      detail: {
        clusterArn: ["aws_ecs_cluster.main.arn"],
        lastStatus: ["STOPPED"],
        stoppedReason: START_FAILURE_PREFIXES.map((prefix) => ({ prefix })),
      },
    });
  });

  it("sends one sentence naming the service (its group) and the reason to the alerts topic", () => {
    const target = resources(root, "aws_cloudwatch_event_target").task_start_failures;
    expect(target.arn).toBe(TOPIC);
    expect(target.input_transformer.input_paths).toMatchObject({ group: "$.detail.group", reason: "$.detail.stoppedReason" });
    const template = JSON.parse(target.input_transformer.input_template as string) as string;
    expect(template).toMatch(/^ECS task of <group> failed to start in <cluster>: <reason> \(task <task>\)\. What to do: docs\/ALARMS\.md/);
  });
});

describe("the dashboard", () => {
  it("is <project>-platform, with EFS, every service and the ALB on it", () => {
    const dashboard = resources(fifth, "aws_cloudwatch_dashboard").platform;
    expect(dashboard.dashboard_name).toBe(`${PREFIX}-platform`);
    const body = dashboard.dashboard_body as string;
    expect(body).toContain("aws_efs_file_system.experiments.id");
    expect(body).toContain("aws_lb.main.arn_suffix");
    for (const key of Object.keys(FIFTH_SERVICE_TABLE)) expect(body, key).toContain(`var.${key}_service_name`);
    for (const metric of ["MeteredIOBytes", "PermittedThroughput", "PercentIOLimit", "ClientConnections", "StorageBytes"]) {
      expect(body, metric).toContain(`"${metric}"`);
    }
    for (const metric of [
      "CPUUtilization",
      "MemoryUtilization",
      "RunningTaskCount",
      "RequestCount",
      "TargetResponseTime",
      "HealthyHostCount",
    ]) {
      expect(body, metric).toContain(metric);
    }
    expect(body).toContain('"stat" = "p50"');
    expect(body).toContain('"stat" = "p99"');
    // The alarms' thresholds as lines.
    expect(body).toContain("var.alarm_efs_throughput_percent");
    expect(body).toContain("var.alarm_efs_io_limit_percent");
  });

  it("outputs its URL and the topic's ARN, with descriptions", () => {
    expect(root.output.dashboard_url.value).toBe(
      "https://${var.aws_region}.console.aws.amazon.com/cloudwatch/home?region=${var.aws_region}#dashboards/dashboard/${aws_cloudwatch_dashboard.platform.dashboard_name}",
    );
    expect(root.output.alerts_topic_arn.value).toBe(TOPIC);
    expect(root.output.dashboard_url.description.length).toBeGreaterThan(20);
    expect(root.output.alerts_topic_arn.description.length).toBeGreaterThan(20);
  });
});

describe("the switch from the live platform", () => {
  it("lists a creation for every new resource the default variables give, and the ECS services' deployment alarms", () => {
    const changes = observabilityChanges(LIVE_SERVICES);
    expect(INTENDED_CHANGES).toEqual(expect.arrayContaining(changes));
    const created = changes.filter((c) => c.kind === "create").map((c) => c.address.replace(/\[0\]$/, ""));
    for (const address of created) {
      const [type, name] = address.split(".");
      expect(resources(live, type)[name], address).toBeDefined();
    }
    // Every resource of the observability unit is listed, except the subscriptions (none by default) and the burst alarm (bursting only).
    const unit = renderPlatform(LIVE_TABLE)["observability.tf.json"].resource as Record<string, Record<string, Json>>;
    const all = Object.entries(unit).flatMap(([type, byName]) => Object.keys(byName).map((n) => `${type}.${n}`));
    expect(all.filter((a) => !created.includes(a)).sort()).toEqual(
      [
        "aws_sns_topic_subscription.alert_emails",
        `aws_cloudwatch_metric_alarm.${alarmLogicalId(ALARMS.find((k) => k.onlyWhen === "efs-bursting") as AlarmKind)}`,
      ].sort(),
    );
    expect(changes.filter((c) => c.kind === "update").map((c) => c.address)).toEqual(LIVE_SERVICES.map((k) => `aws_ecs_service.${k}[0]`));
  });
});

describe("docs/ALARMS.md", () => {
  it("is up to date with the alarm table (run `npm run docs`)", () => {
    const current = fs.readFileSync(ALARMS_DOC, "utf8");
    expect(current).toBe(renderAlarmsDoc(current));
  });

  it("says what each alarm means and what to do, with the design document's runbook lines", () => {
    const text = fs.readFileSync(ALARMS_DOC, "utf8");
    for (const kind of ALARMS) {
      expect(text, kind.id).toContain(`### ${kind.id}`);
      for (const line of kind.runbook) expect(text, kind.id).toContain(line);
    }
    for (const phrase of ["security group rules", "subnet routing", "IAM permissions", "POSIX user settings", "provisioned throughput"]) {
      expect(text, phrase).toContain(phrase);
    }
  });
});
