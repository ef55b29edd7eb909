/**
 * The platform with its alarms, run as the team runs it: real terraform and
 * the real AWS provider against the emulator, on the run's shared applied
 * platform (the default variables, alarms included: appliedPlatform in
 * harness.ts), then with alarm_emails set. Every
 * expectation about the alarms is derived from the alarm table
 * (platform/alarms.ts), the services table and the inputs' defaults, and
 * read back from the emulator's APIs, not from the state.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALARMS, alarmName, isMetricMath, serviceAlarmKinds, platformAlarmKinds, type AlarmKind } from "../../platform/alarms";
import { PLATFORM_INPUTS } from "../../platform/inputs";
import { SERVICES } from "../../platform/services";
import { START_FAILURE_PREFIXES } from "../../constructs/task-failure-alerts";
import {
  appliedPlatform,
  awsCall,
  checkTools,
  planJson,
  REGION,
  stateJson,
  terraform,
  terraformOk,
  timing,
  type Moto,
  type StateJson,
  NO_REFRESH,
  valuesAt,
} from "./harness";

const PROJECT = PLATFORM_INPUTS.project_name.default;
const CLUSTER = PLATFORM_INPUTS.cluster_name.default;
const EMAILS = ["ml-team@example.com", "oncall@example.com"];

let moto: Moto;
let dir: string;

/** Terraform's error text on one line, without its box drawing. */
const flat = (text: string) => text.replace(/\s*│\s*/g, " ").replace(/\s+/g, " ");

type Alarm = {
  AlarmName: string;
  AlarmActions: string[];
  OKActions: string[];
  ActionsEnabled: boolean;
  Namespace?: string;
  MetricName?: string;
  Statistic?: string;
  Period?: number;
  Dimensions?: { Name: string; Value: string }[];
  Metrics?: { Id: string; Expression?: string; ReturnData?: boolean; MetricStat?: { Metric: { MetricName: string }; Stat: string } }[];
  Threshold: number;
  ComparisonOperator: string;
  EvaluationPeriods: number;
  DatapointsToAlarm: number;
  TreatMissingData: string;
};

/** The platform's own alarms in the emulator (autoscaling's target tracking alarms are Application Auto Scaling's). */
function alarmsInEmulator(): Map<string, Alarm> {
  const found = awsCall(moto, "cloudwatch", "describe_alarms", { AlarmNamePrefix: `${PROJECT}-`, MaxRecords: 100 }).MetricAlarms as Alarm[];
  return new Map(found.map((a) => [a.AlarmName, a]));
}

function thresholdDefault(kind: AlarmKind): number {
  if (typeof kind.threshold === "number") return kind.threshold;
  return (PLATFORM_INPUTS[kind.threshold.input].default as number) * (kind.threshold.scale ?? 1);
}

/** The alarms the default variables give: every service keeps a task and is on the ALB; the file system is provisioned. */
function expectedAlarms(mode: string, offAlb: readonly string[] = []): Map<string, { kind: AlarmKind; key?: string }> {
  const out = new Map<string, { kind: AlarmKind; key?: string }>();
  for (const kind of serviceAlarmKinds()) {
    for (const [key, spec] of Object.entries(SERVICES)) {
      if (kind.scope === "target-group" && offAlb.includes(key)) continue;
      if (kind.onlyWhen === "service-keeps-a-task" && spec.defaults.minCapacity < 1) continue;
      out.set(alarmName(PROJECT, kind, key), { kind, key });
    }
  }
  for (const kind of platformAlarmKinds()) {
    if (kind.onlyWhen === "efs-bursting" && mode !== "bursting") continue;
    out.set(alarmName(PROJECT, kind), { kind });
  }
  return out;
}

/** An ECS "Task State Change" event, as EventBridge delivers it. */
function taskEvent(clusterArn: string, stoppedReason: string, lastStatus = "STOPPED"): string {
  return JSON.stringify({
    version: "0",
    id: "3317b2af-7005-947d-b652-f55e762e571a",
    "detail-type": "ECS Task State Change",
    source: "aws.ecs",
    account: "123456789012",
    time: "2026-11-29T10:00:00Z",
    region: REGION,
    resources: [`${clusterArn.replace(":cluster/", ":task/")}/0123456789abcdef`],
    detail: {
      clusterArn,
      group: "service:autovision-api",
      lastStatus,
      desiredStatus: "STOPPED",
      stopCode: "TaskFailedToStart",
      stoppedReason,
      taskArn: `${clusterArn.replace(":cluster/", ":task/")}/0123456789abcdef`,
    },
  });
}

/** The dimensions an alarm's metric has in the emulator, for its scope. */
function emulatorDimensions(
  kind: AlarmKind,
  key: string | undefined,
  applied: { state: StateJson; lbSuffix: string; fsId: string },
): Record<string, unknown> {
  if (kind.scope === "service") return { ClusterName: CLUSTER, ServiceName: SERVICES[key as keyof typeof SERVICES].defaults.serviceName };
  if (kind.scope === "target-group")
    return { TargetGroup: valuesAt(applied.state, `aws_lb_target_group.${key}[0]`).arn_suffix, LoadBalancer: applied.lbSuffix };
  if (kind.scope === "load-balancer") return { LoadBalancer: applied.lbSuffix };
  return { FileSystemId: applied.fsId };
}

describe("the platform with alarms, against the emulator", () => {
  beforeAll(async () => {
    checkTools();
    ({ moto, dir } = await appliedPlatform("observability"));
    fs.writeFileSync(path.join(dir, "terraform.tfvars"), `alarm_emails = ${JSON.stringify(EMAILS)}\n`);
  });

  afterAll(async () => {
    await moto?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("refuses bad alarm inputs at plan time, naming each input, its value and what is allowed", async () => {
    // The refusals are the variables' own rules: made with or without reading the resources again.
    const run = await terraform(dir, moto, [
      "plan",
      "-input=false",
      "-lock=false",
      NO_REFRESH,
      "-var",
      'alarm_emails=["ml-team@example.com", "not an address"]',
      "-var",
      "alarm_cpu_percent=0",
      "-var",
      "alarm_efs_throughput_percent=101",
      "-var",
      "alarm_efs_burst_credit_minutes=1.5",
    ]);
    expect(run.code).toBe(1);
    const errors = flat(run.stderr);
    expect(errors).toContain(
      'alarm_emails must be a list of e-mail addresses such as "ml-team@example.com"; got ["ml-team@example.com","not an address"]',
    );
    expect(errors).toContain("alarm_cpu_percent must be a whole number from 1 to 100; got 0");
    expect(errors).toContain("alarm_efs_throughput_percent must be a whole number from 1 to 100; got 101");
    expect(errors).toContain("alarm_efs_burst_credit_minutes must be a whole number from 1 to 1440; got 1.5");
    const twice = await terraform(dir, moto, [
      "plan",
      "-input=false",
      "-lock=false",
      NO_REFRESH,
      "-var",
      'alarm_emails=["a@example.com", "a@example.com"]',
    ]);
    expect(twice.code).toBe(1);
    expect(flat(twice.stderr)).toContain("alarm_emails must not name an address twice");
  });

  it("applies alarm_emails to the platform with its alarms, alerts topic, task start alert and dashboard: one subscription each, nothing else", async () => {
    const run = await terraformOk(dir, moto, ["apply", "-input=false", "-auto-approve"]);
    timing("observability suite: apply of alarm_emails", run.seconds);
    expect(run.stdout).toContain(`Apply complete! Resources: ${EMAILS.length} added, 0 changed, 0 destroyed`);
  });

  it("creates one alarm per table entry and subject, each as the table says, notifying the topic on ALARM and on OK", async () => {
    const state = await stateJson(dir, moto);
    const topicArn = valuesAt(state, "aws_sns_topic.alerts").arn as string;
    const lbSuffix = valuesAt(state, "aws_lb.main").arn_suffix as string;
    const fsId = valuesAt(state, "aws_efs_file_system.experiments").id as string;
    const expected = expectedAlarms("provisioned");
    const found = alarmsInEmulator();
    expect([...found.keys()].sort()).toEqual([...expected.keys()].sort());

    for (const [name, { kind, key }] of expected) {
      const alarm = found.get(name) as Alarm;
      expect(alarm.AlarmActions, name).toEqual([topicArn]);
      expect(alarm.OKActions, name).toEqual([topicArn]);
      expect(alarm.ActionsEnabled, name).toBe(true);
      expect(alarm, name).toMatchObject({
        Threshold: thresholdDefault(kind),
        ComparisonOperator: kind.comparison,
        EvaluationPeriods: kind.evaluationPeriods,
        DatapointsToAlarm: kind.datapointsToAlarm,
        TreatMissingData: kind.treatMissingData,
      });
      const dimensions = emulatorDimensions(kind, key, { state, lbSuffix, fsId });
      if (isMetricMath(kind.metric)) {
        const queries = alarm.Metrics ?? [];
        expect(queries.find((q) => q.ReturnData)?.Expression, name).toBe(kind.metric.expression);
        for (const [id, metric] of Object.entries(kind.metric.metrics)) {
          expect(queries.find((q) => q.Id === id)?.MetricStat, `${name} ${id}`).toMatchObject({
            Metric: {
              Namespace: metric.namespace,
              MetricName: metric.metricName,
              Dimensions: Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value })),
            },
            Stat: metric.statistic,
            Period: kind.periodSeconds,
          });
        }
      } else {
        expect(alarm, name).toMatchObject({
          Namespace: kind.metric.namespace,
          MetricName: kind.metric.metricName,
          Statistic: kind.metric.statistic,
          Period: kind.periodSeconds,
        });
        expect(Object.fromEntries((alarm.Dimensions ?? []).map((d) => [d.Name, d.Value])), name).toEqual(dimensions);
      }
    }
  });

  it("encrypts the alerts topic with its own key, lets only alarms and EventBridge publish, and subscribes each e-mail", async () => {
    const state = await stateJson(dir, moto);
    const topicArn = valuesAt(state, "aws_sns_topic.alerts").arn as string;
    const keyArn = valuesAt(state, "aws_kms_key.alerts").arn as string;
    const attributes = awsCall(moto, "sns", "get_topic_attributes", { TopicArn: topicArn }).Attributes as Record<string, string>;
    expect(attributes.KmsMasterKeyId).toBe(keyArn);
    const policy = JSON.parse(attributes.Policy) as { Statement: { Principal: { Service: string }; Action: string; Condition: unknown }[] };
    expect(policy.Statement.map((s) => [s.Principal.Service, s.Action])).toEqual([
      ["cloudwatch.amazonaws.com", "sns:Publish"],
      ["events.amazonaws.com", "sns:Publish"],
    ]);
    expect(JSON.stringify(policy.Statement[0].Condition)).toContain(`:alarm:${PROJECT}-*`);
    const keyPolicy = JSON.parse(awsCall(moto, "kms", "get_key_policy", { KeyId: keyArn, PolicyName: "default" }).Policy as string) as {
      Statement: { Principal: { Service?: string[] }; Action: string[] }[];
    };
    expect(keyPolicy.Statement.find((s) => s.Principal.Service)).toMatchObject({
      Principal: { Service: ["cloudwatch.amazonaws.com", "events.amazonaws.com"] },
      Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
    });
    expect(awsCall(moto, "kms", "get_key_rotation_status", { KeyId: keyArn }).KeyRotationEnabled).toBe(true);
    const subscriptions = awsCall(moto, "sns", "list_subscriptions_by_topic", { TopicArn: topicArn }).Subscriptions as {
      Protocol: string;
      Endpoint: string;
    }[];
    expect(subscriptions.map((s) => [s.Protocol, s.Endpoint]).sort()).toEqual(EMAILS.map((e) => ["email", e]));
    const outputs = JSON.parse((await terraformOk(dir, moto, ["output", "-json"])).stdout) as Record<string, { value: string }>;
    expect(outputs.alerts_topic_arn.value).toBe(topicArn);
  });

  it("alerts on tasks of this cluster that fail to start (EFS mount, secret, image pull), naming the service and the reason", async () => {
    const state = await stateJson(dir, moto);
    const clusterArn = valuesAt(state, "aws_ecs_cluster.main").arn as string;
    const topicArn = valuesAt(state, "aws_sns_topic.alerts").arn as string;
    const ruleName = `${PROJECT}-task-start-failures`;
    const pattern = awsCall(moto, "events", "describe_rule", { Name: ruleName }).EventPattern as string;
    const matches = (event: string) => awsCall(moto, "events", "test_event_pattern", { EventPattern: pattern, Event: event }).Result;
    const failures = [
      "ResourceInitializationError: failed to invoke EFS utils commands to set up EFS volumes: stderr: mount.nfs4: Connection timed out",
      "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: AccessDeniedException",
      "CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve ref 123456789012.dkr.ecr.us-west-1.amazonaws.com/autovisionai:app: not found",
    ];
    for (const reason of failures) expect(matches(taskEvent(clusterArn, reason)), reason).toBe(true);
    for (const prefix of START_FAILURE_PREFIXES) expect(matches(taskEvent(clusterArn, `${prefix}: x`)), prefix).toBe(true);
    // Not a start failure, not stopped, or another cluster: no alert.
    expect(matches(taskEvent(clusterArn, "Essential container in task exited"))).toBe(false);
    expect(matches(taskEvent(clusterArn, "Scaling activity initiated by (deployment ecs-svc/123)"))).toBe(false);
    expect(matches(taskEvent(clusterArn, failures[0], "RUNNING"))).toBe(false);
    expect(matches(taskEvent(clusterArn.replace(`/${CLUSTER}`, "/other"), failures[0]))).toBe(false);

    const [target] = awsCall(moto, "events", "list_targets_by_rule", { Rule: ruleName }).Targets as {
      Arn: string;
      InputTransformer: { InputPathsMap: Record<string, string>; InputTemplate: string };
    }[];
    expect(target.Arn).toBe(topicArn);
    expect(target.InputTransformer.InputPathsMap).toMatchObject({ group: "$.detail.group", reason: "$.detail.stoppedReason" });
    expect(target.InputTransformer.InputTemplate).toMatch(/^".*<group>.*<reason>.*"$/);
  });

  it("rolls a deploy back when its service's deployment alarms fire, each of them an alarm that exists", async () => {
    const found = alarmsInEmulator();
    const deploymentKinds = ALARMS.filter((k) => k.deploymentAlarm);
    expect(deploymentKinds.length).toBeGreaterThan(0);
    for (const [key, spec] of Object.entries(SERVICES)) {
      const [service] = awsCall(moto, "ecs", "describe_services", { cluster: CLUSTER, services: [spec.defaults.serviceName] }).services as {
        deploymentConfiguration: { alarms?: { alarmNames: string[]; enable: boolean; rollback: boolean } };
      }[];
      const alarms = service.deploymentConfiguration.alarms;
      expect(alarms, key).toMatchObject({ enable: true, rollback: true });
      expect([...(alarms?.alarmNames ?? [])].sort(), key).toEqual(deploymentKinds.map((k) => alarmName(PROJECT, k, key)).sort());
      for (const name of alarms?.alarmNames ?? []) expect(found.has(name), name).toBe(true);
    }
  });

  it("puts EFS, the services and the ALB on one dashboard, and outputs its URL", async () => {
    const state = await stateJson(dir, moto);
    const name = `${PROJECT}-platform`;
    const body = awsCall(moto, "cloudwatch", "get_dashboard", { DashboardName: name }).DashboardBody as string;
    const dashboard = JSON.parse(body) as { widgets: { type: string; properties: { title?: string; metrics?: unknown[] } }[] };
    const text = JSON.stringify(dashboard);
    expect(text).toContain(valuesAt(state, "aws_efs_file_system.experiments").id as string);
    expect(text).toContain(valuesAt(state, "aws_lb.main").arn_suffix as string);
    for (const spec of Object.values(SERVICES)) expect(text).toContain(spec.defaults.serviceName);
    const titles = dashboard.widgets.map((w) => w.properties.title ?? "");
    for (const title of [
      "EFS throughput",
      "EFS I/O limit",
      "EFS client connections",
      "EFS storage",
      "CPU",
      "Memory",
      "Running tasks",
      "ALB requests",
      "ALB latency",
      "ALB 4xx / 5xx",
      "Healthy hosts",
    ]) {
      expect(
        titles.some((t) => t.startsWith(title)),
        title,
      ).toBe(true);
    }
    const outputs = JSON.parse((await terraformOk(dir, moto, ["output", "-json"])).stdout) as Record<string, { value: string }>;
    expect(outputs.dashboard_url.value).toBe(
      `https://${REGION}.console.aws.amazon.com/cloudwatch/home?region=${REGION}#dashboards/dashboard/${name}`,
    );
  });

  it("plans no change right after apply", async () => {
    const run = await terraform(dir, moto, ["plan", "-input=false", "-detailed-exitcode"]);
    timing("observability suite: second plan", run.seconds);
    expect(run.stdout).toContain("No changes.");
    expect(run.code).toBe(0);
  });

  it("plans the burst-credit alarm in bursting mode only, at alarm_efs_burst_credit_minutes of bursting at 100 MiB/s", async () => {
    const burst = ALARMS.find((k) => k.onlyWhen === "efs-bursting") as AlarmKind;
    const { plan } = await planJson(dir, moto, [
      NO_REFRESH,
      "-var",
      "efs_throughput_mode=bursting",
      "-var",
      "alarm_efs_burst_credit_minutes=30",
    ]);
    fs.rmSync(path.join(dir, "tfplan"));
    const alarms = (plan.resource_changes ?? []).filter(
      (c) => c.type === "aws_cloudwatch_metric_alarm" && c.change.actions.join() !== "no-op",
    );
    expect(alarms.map((c) => [c.address, c.change.actions.join()])).toEqual([
      ["aws_cloudwatch_metric_alarm.efs_burst_credits_low[0]", "create"],
    ]);
    expect(alarms[0].change.after).toMatchObject({
      alarm_name: alarmName(PROJECT, burst),
      metric_name: "BurstCreditBalance",
      threshold: 30 * 60 * 100 * 1024 * 1024,
      alarm_actions: [(await stateJson(dir, moto)).values?.outputs?.alerts_topic_arn.value],
    });
  });

  it("with MLflow off the ALB: drops MLflow's target-group alarms and deployment alarms, keeps the rest, re-plans empty", async () => {
    const vars = ["-var", "mlflow_public=false"];
    const { plan } = await planJson(dir, moto, [NO_REFRESH, ...vars]);
    const alarmChanges = (plan.resource_changes ?? [])
      .filter((c) => c.type === "aws_cloudwatch_metric_alarm" && c.change.actions.join() !== "no-op")
      .map((c) => `${c.change.actions.join()} ${c.address}`)
      .sort();
    expect(alarmChanges).toEqual(
      serviceAlarmKinds()
        .filter((k) => k.scope === "target-group")
        .map((k) => `delete aws_cloudwatch_metric_alarm.mlflow_${k.id.replace(/-/g, "_")}[0]`)
        .sort(),
    );
    const applied = await terraformOk(dir, moto, ["apply", "-input=false", "tfplan"]);
    timing("observability suite: apply with MLflow off the ALB", applied.seconds);
    const again = await terraform(dir, moto, ["plan", "-input=false", "-detailed-exitcode", ...vars]);
    expect(again.stdout).toContain("No changes.");
    expect(again.code).toBe(0);

    expect([...alarmsInEmulator().keys()].sort()).toEqual([...expectedAlarms("provisioned", ["mlflow"]).keys()].sort());
    const [mlflow] = awsCall(moto, "ecs", "describe_services", { cluster: CLUSTER, services: ["autovision-mlflow"] }).services as {
      deploymentConfiguration: { alarms: { alarmNames: string[] }; deploymentCircuitBreaker: { enable: boolean; rollback: boolean } };
    }[];
    expect(mlflow.deploymentConfiguration.alarms.alarmNames).toEqual(
      ALARMS.filter((k) => k.deploymentAlarm && k.scope === "service").map((k) => alarmName(PROJECT, k, "mlflow")),
    );
    expect(mlflow.deploymentConfiguration.deploymentCircuitBreaker).toEqual({ enable: true, rollback: true });
  });
});
