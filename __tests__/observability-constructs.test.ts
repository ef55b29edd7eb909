/**
 * The observability constructs on their own: what each builds, and bad
 * input refused before anything is built, with the input, the value and
 * what is allowed in the message. The alarm table's own checks too.
 */
import { describe, expect, it } from "vitest";
import { AlertsTopic, type AlertsTopicProps } from "../constructs/alerts-topic";
import { FargateWebService, type DeploymentAlarms } from "../constructs/fargate-web-service";
import { MetricAlarms, type AlarmDefinition } from "../constructs/metric-alarms";
import { PlatformDashboard, type PlatformDashboardProps } from "../constructs/platform-dashboard";
import { START_FAILURE_PREFIXES, TaskFailureAlerts } from "../constructs/task-failure-alerts";
import { ALARMS, checkAlarmTable, type AlarmKind } from "../platform/alarms";
import { readJsonencode } from "../synth/policy/hcl-object";
import { resources, synthScope, type Json } from "./helpers";

const topic: AlertsTopicProps = {
  name: "demo-alerts",
  accountId: "123456789012",
  publishers: [{ service: "cloudwatch.amazonaws.com" }],
};

const alarm: AlarmDefinition = {
  id: "api-cpu-high",
  name: "demo-api-cpu-high",
  description: "CPU high",
  metric: { namespace: "AWS/ECS", metricName: "CPUUtilization", statistic: "Average" },
  dimensions: { ClusterName: "demo", ServiceName: "api" },
  comparison: "GreaterThanThreshold",
  threshold: 90,
  periodSeconds: 60,
  evaluationPeriods: 5,
  datapointsToAlarm: 5,
  treatMissingData: "notBreaching",
};

const dashboard: PlatformDashboardProps = {
  name: "demo-platform",
  region: "us-west-1",
  fileSystemId: "fs-1",
  loadBalancerArnSuffix: "app/demo/1",
  clusterName: "demo",
  services: [{ label: "api", serviceName: "demo-api" }],
};

describe("AlertsTopic", () => {
  it("encrypts the topic with its own rotated key, lets the publishers use it, and subscribes literal addresses", () => {
    const json = synthScope((s) => new AlertsTopic(s, "alerts", { ...topic, emails: ["a@example.com"] }));
    const [key] = Object.values(resources(json, "aws_kms_key"));
    expect(key).toMatchObject({ enable_key_rotation: true, deletion_window_in_days: 30 });
    const policy = readJsonencode(key.policy) as { Statement: Json[] };
    expect(policy.Statement[0]).toMatchObject({ Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "kms:*" });
    expect(policy.Statement[1]).toMatchObject({ Principal: { Service: ["cloudwatch.amazonaws.com"] } });
    const [sns] = Object.values(resources(json, "aws_sns_topic"));
    expect(sns.kms_master_key_id).toMatch(/^\$\{aws_kms_key\.\w+\.arn\}$/);
    const [subscription] = Object.values(resources(json, "aws_sns_topic_subscription"));
    expect(subscription).toMatchObject({ protocol: "email", for_each: '${toset(["a@example.com"])}' });
    expect(Object.values(resources(json, "aws_kms_alias"))[0].name).toBe("alias/demo-alerts");
  });

  it("subscribes nobody without addresses", () => {
    const json = synthScope((s) => new AlertsTopic(s, "alerts", topic));
    expect(resources(json, "aws_sns_topic_subscription")).toEqual({});
  });

  it.each([
    [{ name: "demo alerts" }, 'name "demo alerts" must be 1-256 letters, digits, hyphens or underscores'],
    [{ publishers: [] }, "publishers is empty"],
    [{ publishers: [{ service: "cloudwatch" }] }, 'publisher "cloudwatch" must be an AWS service principal'],
    [{ keyDeletionWindowDays: 5 }, "keyDeletionWindowDays is 5; allowed: a whole number from 7 to 30"],
    [{ emails: ["team"] }, 'emails holds "team", which is not an e-mail address'],
  ] as [Partial<AlertsTopicProps>, string][])("refuses %j", (bad, message) => {
    expect(() => synthScope((s) => new AlertsTopic(s, "alerts", { ...topic, ...bad }))).toThrow(message);
  });
});

describe("MetricAlarms", () => {
  it("notifies the same actions on ALARM and on OK, with a count only behind a switch", () => {
    const json = synthScope(
      (s) => new MetricAlarms(s, "alarms", { alarms: [alarm, { ...alarm, id: "b", enabled: false }], actionArns: ["arn:t"] }),
    );
    const [first, second] = Object.values(resources(json, "aws_cloudwatch_metric_alarm"));
    expect(first).toMatchObject({ alarm_actions: ["arn:t"], ok_actions: ["arn:t"], statistic: "Average", period: 60, threshold: 90 });
    expect(first.count).toBeUndefined();
    expect(second.count).toBe("${false ? 1 : 0}");
  });

  it("writes metric math as hidden metrics and one returned expression", () => {
    const json = synthScope(
      (s) =>
        new MetricAlarms(s, "alarms", {
          alarms: [
            {
              ...alarm,
              metric: {
                expression: "m1 / m2",
                label: "ratio",
                metrics: {
                  m1: { namespace: "AWS/EFS", metricName: "MeteredIOBytes", statistic: "Sum" },
                  m2: { namespace: "AWS/EFS", metricName: "PermittedThroughput", statistic: "Average" },
                },
              },
            },
          ],
          actionArns: ["arn:t"],
        }),
    );
    const [math] = Object.values(resources(json, "aws_cloudwatch_metric_alarm"));
    expect(math.metric_name).toBeUndefined();
    expect(math.metric_query).toEqual([
      {
        id: "m1",
        return_data: false,
        metric: { namespace: "AWS/EFS", metric_name: "MeteredIOBytes", stat: "Sum", period: 60, dimensions: alarm.dimensions },
      },
      {
        id: "m2",
        return_data: false,
        metric: { namespace: "AWS/EFS", metric_name: "PermittedThroughput", stat: "Average", period: 60, dimensions: alarm.dimensions },
      },
      { id: "e1", expression: "m1 / m2", label: "ratio", return_data: true },
    ]);
  });

  it.each([
    [{}, [], "actionArns is empty"],
    [{ comparison: "Above" }, ["arn:t"], 'comparison "Above" must be one of GreaterThanThreshold'],
    [{ treatMissingData: "zero" }, ["arn:t"], 'treatMissingData "zero" must be one of breaching'],
    [{ periodSeconds: 30 }, ["arn:t"], "periodSeconds is 30; allowed: 60 or a multiple of 60"],
    [{ datapointsToAlarm: 6 }, ["arn:t"], "datapointsToAlarm is 6; allowed: 1 to evaluationPeriods (5)"],
    [{ threshold: Number.NaN }, ["arn:t"], "threshold is NaN"],
    [{ metric: { expression: "e1", label: "x", metrics: {} } }, ["arn:t"], "the metric math has no metrics"],
  ] as [Partial<AlarmDefinition>, string[], string][])("refuses %j", (bad, actionArns, message) => {
    expect(() => synthScope((s) => new MetricAlarms(s, "alarms", { alarms: [{ ...alarm, ...bad }], actionArns }))).toThrow(message);
  });

  it("refuses two alarms with one id", () => {
    expect(() => synthScope((s) => new MetricAlarms(s, "alarms", { alarms: [alarm, alarm], actionArns: ["arn:t"] }))).toThrow(
      'alarm id "api-cpu-high" appears twice',
    );
  });
});

describe("TaskFailureAlerts", () => {
  it("matches stopped tasks of the cluster by their stopped reason's beginning, and names the group and reason", () => {
    const json = synthScope((s) => new TaskFailureAlerts(s, "tf", { ruleName: "demo-tf", clusterArn: "arn:c", topicArn: "arn:t" }));
    const [rule] = Object.values(resources(json, "aws_cloudwatch_event_rule"));
    expect(readJsonencode(rule.event_pattern)).toMatchObject({
      detail: { clusterArn: ["arn:c"], lastStatus: ["STOPPED"], stoppedReason: START_FAILURE_PREFIXES.map((prefix) => ({ prefix })) },
    });
    const [target] = Object.values(resources(json, "aws_cloudwatch_event_target"));
    expect(JSON.parse(target.input_transformer.input_template)).toBe(
      "ECS task of <group> failed to start in <cluster>: <reason> (task <task>).",
    );
  });

  it.each([
    [{ ruleName: "demo rule" }, 'ruleName "demo rule" must be 1-64 letters'],
    [{ stoppedReasonPrefixes: [] }, "stoppedReasonPrefixes must hold at least one non-empty prefix"],
  ])("refuses %j", (bad, message) => {
    expect(() =>
      synthScope((s) => new TaskFailureAlerts(s, "tf", { ruleName: "r", clusterArn: "arn:c", topicArn: "arn:t", ...bad })),
    ).toThrow(message);
  });
});

describe("PlatformDashboard", () => {
  it("lays the widgets out on the 24-column grid without overlap", () => {
    const json = synthScope((s) => new PlatformDashboard(s, "d", dashboard));
    const [board] = Object.values(resources(json, "aws_cloudwatch_dashboard"));
    const body = readJsonencode(board.dashboard_body) as { widgets: { x: number; y: number; width: number; height: number }[] };
    const cells = new Set<string>();
    for (const w of body.widgets) {
      expect(w.x + w.width).toBeLessThanOrEqual(24);
      for (let x = w.x; x < w.x + w.width; x++) {
        for (let y = w.y; y < w.y + w.height; y++) {
          expect(cells.has(`${x},${y}`), `${x},${y}`).toBe(false);
          cells.add(`${x},${y}`);
        }
      }
    }
  });

  it.each([
    [{ name: "demo platform" }, 'name "demo platform" must be 1-255 letters'],
    [{ services: [] }, "services is empty"],
    [
      {
        services: [
          { label: "api", serviceName: "a" },
          { label: "api", serviceName: "b" },
        ],
      },
      'service label "api" appears twice',
    ],
  ] as [Partial<PlatformDashboardProps>, string][])("refuses %j", (bad, message) => {
    expect(() => synthScope((s) => new PlatformDashboard(s, "d", { ...dashboard, ...bad }))).toThrow(message);
  });
});

describe("FargateWebService deployment alarms", () => {
  const service = (deploymentAlarms?: DeploymentAlarms) =>
    synthScope((s) => {
      const fake = { arn: "arn:x", name: "x" } as never;
      new FargateWebService(s, "svc", {
        enabled: true,
        serviceName: "demo-api",
        containerName: "api",
        namePrefix: "demo",
        image: "img",
        command: [],
        environment: {},
        secrets: {},
        cpu: 256,
        memoryMiB: 512,
        desiredCount: 1,
        port: 8000,
        healthCheck: {
          path: "/",
          intervalSeconds: 10,
          timeoutSeconds: 5,
          healthyThreshold: 2,
          unhealthyThreshold: 2,
          containerStartPeriodSeconds: 5,
        },
        deployment: { minimumHealthyPercent: 100, maximumPercent: 200, circuitBreakerRollback: true, forceNewDeployment: false },
        deregistrationDelaySeconds: 30,
        clusterId: "c",
        serviceConnectNamespaceArn: "arn:ns",
        vpcId: "vpc",
        subnetIds: ["s"],
        securityGroupIds: ["sg"],
        loadBalancer: fake,
        logGroup: fake,
        logGroupName: "/ecs/demo-api",
        region: "us-west-1",
        executionRole: fake,
        taskRole: fake,
        deploymentAlarms,
      });
    });
  const ecs = (json: Json) => Object.values(resources(json, "aws_ecs_service"))[0];

  it("has no alarms block without alarms, or with an empty list", () => {
    expect(ecs(service()).alarms).toBeUndefined();
    expect(ecs(service({ names: [], enabled: true, rollback: true })).alarms).toBeUndefined();
  });

  it("writes literal names as one alarms block", () => {
    expect(ecs(service({ names: ["a", "b"], enabled: true, rollback: false })).alarms).toEqual({
      alarm_names: ["a", "b"],
      enable: true,
      rollback: false,
    });
  });
});

describe("the alarm table's checks", () => {
  const kind = ALARMS[0];
  it.each([
    [[kind, kind], `id "${kind.id}" appears twice`],
    [[{ ...kind, id: "CPU_high" }], 'id "CPU_high" must be kebab-case'],
    [[{ ...kind, datapointsToAlarm: 9 }], `${kind.id}.datapointsToAlarm is 9; allowed: 1 to evaluationPeriods (5)`],
    [[{ ...kind, periodSeconds: 90 }], `${kind.id}.periodSeconds is 90; allowed: 60 or a multiple of 60`],
    [[{ ...kind, periodSeconds: 3600, evaluationPeriods: 48, datapointsToAlarm: 1 }], "CloudWatch allows at most one day"],
    [[{ ...kind, runbook: [] }], `${kind.id} has no runbook line`],
  ] as [AlarmKind[], string][])("refuses a table with %#", (table, message) => {
    expect(() => checkAlarmTable(table)).toThrow(message);
  });

  it("passes the platform's table", () => {
    expect(() => checkAlarmTable()).not.toThrow();
  });
});
