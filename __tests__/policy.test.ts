/**
 * Each policy rule, with a deliberately bad construct that it must catch
 * and a good one that it must pass; then the platform itself.
 */
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { EcrLifecyclePolicy } from "@cdktf/provider-aws/lib/ecr-lifecycle-policy";
import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { EfsAccessPoint } from "@cdktf/provider-aws/lib/efs-access-point";
import { EfsBackupPolicy } from "@cdktf/provider-aws/lib/efs-backup-policy";
import { EfsFileSystem } from "@cdktf/provider-aws/lib/efs-file-system";
import { EfsFileSystemPolicy } from "@cdktf/provider-aws/lib/efs-file-system-policy";
import { FlowLog } from "@cdktf/provider-aws/lib/flow-log";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import { LbListenerRule } from "@cdktf/provider-aws/lib/lb-listener-rule";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecretsmanagerSecretRotation } from "@cdktf/provider-aws/lib/secretsmanager-secret-rotation";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import * as path from "node:path";
import { App, Fn, TerraformStack, TerraformVariable, Testing } from "cdktf";
import { Construct } from "constructs";
import { describe, expect, it } from "vitest";
import { ArtifactsBucket } from "../constructs/artifacts-bucket";
import { checkPolicies, formatReport, type PolicyReport } from "../synth/policy/checker";
import { suppress } from "../constructs/terraform/suppress";
import { RULES } from "../synth/policy/rules";
import { renderRoot } from "../synth/root-writer";
import { policyDocument } from "../constructs/terraform/iam";
import { EfsShare } from "../constructs/efs-share";
import { EfsAccessPolicy } from "../constructs/efs-access-policy";
import { buildPlatform } from "../main";
import { renderPlatform } from "./helpers";
import { testTmp } from "./temp";

function check(build: (scope: Construct) => void): PolicyReport {
  const stack = new TerraformStack(Testing.app(), "test");
  build(stack);
  return checkPolicies(stack, JSON.parse(Testing.synth(stack)), RULES);
}
const ids = (report: PolicyReport) => [...new Set(report.findings.map((f) => f.ruleId))].sort();

const container = (extra: object = {}) =>
  Fn.jsonencode([
    { name: "app", image: "x", logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": "/ecs/app" } }, ...extra },
  ]);
const taskDefinition = (scope: Construct, id: string, extra: Partial<ConstructorParameters<typeof EcsTaskDefinition>[2]> = {}) =>
  new EcsTaskDefinition(scope, id, {
    family: id,
    containerDefinitions: container(),
    taskRoleArn: `arn:${id}`,
    executionRoleArn: "arn:exec",
    ...extra,
  });
const denyWithoutTls = (resource: string) =>
  policyDocument([
    { Effect: "Deny", Principal: "*", Action: "*", Resource: resource, Condition: { Bool: { "aws:SecureTransport": "false" } } },
  ]);
const toolListener = (scope: Construct, id: string) =>
  new LbListener(scope, id, {
    loadBalancerArn: "arn:lb",
    port: 443,
    protocol: "HTTPS",
    certificateArn: "arn:cert",
    defaultAction: [{ type: "forward", targetGroupArn: "arn:tg" }],
  });
const rule = (description: string | undefined, cidr: string) => ({
  description,
  fromPort: 443,
  toPort: 443,
  protocol: "tcp",
  cidrBlocks: [cidr],
  ipv6CidrBlocks: [],
  prefixListIds: [],
  securityGroups: [],
  selfAttribute: false,
});
const share = (scope: Construct) =>
  new EfsShare(scope, "share", {
    creationToken: "t",
    name: "n",
    accessPointName: "ap",
    provisionedThroughputMibps: 1,
    subnetIds: ["s"],
    mountTargetCount: 1,
    securityGroupId: "sg",
    rootDirectory: "/data",
  });

/** Per rule: what must be caught, and what must pass. */
const CASES: Record<string, { bad: (s: Construct) => void; good: (s: Construct) => void }> = {
  "S3-NO-PUBLIC": { bad: (s) => new S3Bucket(s, "b", { bucket: "b" }), good: (s) => new ArtifactsBucket(s, "b", { bucketName: "b" }) },
  "S3-ENCRYPTION": { bad: (s) => new S3Bucket(s, "b", { bucket: "b" }), good: (s) => new ArtifactsBucket(s, "b", { bucketName: "b" }) },
  "S3-TLS-ONLY": { bad: (s) => new S3Bucket(s, "b", { bucket: "b" }), good: (s) => new ArtifactsBucket(s, "b", { bucketName: "b" }) },
  "S3-VERSION-LIFECYCLE": {
    bad: (s) => new S3Bucket(s, "b", { bucket: "b" }),
    good: (s) => new ArtifactsBucket(s, "b", { bucketName: "b" }),
  },
  "EFS-ENCRYPT": {
    bad: (s) => new EfsFileSystem(s, "fs", { encrypted: false }),
    good: (s) => share(s),
  },
  "EFS-TLS-ONLY": {
    bad: (s) => new EfsFileSystem(s, "fs", { encrypted: true }),
    good: (s) => new EfsAccessPolicy(s, "p", { share: share(s), clients: [{ roleArn: "arn:r", access: "ro" }] }),
  },
  "EFS-AP-SCOPED": {
    bad: (s) => new EfsAccessPoint(s, "ap", { fileSystemId: "fs-1", rootDirectory: { path: "/" } }),
    good: (s) => new EfsAccessPoint(s, "ap", { fileSystemId: "fs-1", posixUser: { uid: 1, gid: 1 }, rootDirectory: { path: "/data" } }),
  },
  "EFS-BACKUP": {
    bad: (s) => new EfsFileSystem(s, "fs", { encrypted: true }),
    good: (s) => {
      const fs = new EfsFileSystem(s, "fs", { encrypted: true });
      new EfsBackupPolicy(s, "bp", { fileSystemId: fs.id, backupPolicy: { status: "ENABLED" } });
      new EfsFileSystemPolicy(s, "p", { fileSystemId: fs.id, policy: denyWithoutTls(fs.arn) });
    },
  },
  "SG-RESTRICTED": {
    bad: (s) => new SecurityGroup(s, "sg", { name: "ssh", ingress: [rule(undefined, "0.0.0.0/0")] }),
    good: (s) => new SecurityGroup(s, "sg", { name: "https", ingress: [rule("HTTPS from the office", "203.0.113.0/24")] }),
  },
  "IAM-LEAST-PRIV": {
    bad: (s) => new IamRolePolicy(s, "p", { role: "r", policy: policyDocument([{ Effect: "Allow", Action: "s3:*", Resource: "*" }]) }),
    good: (s) =>
      new IamRolePolicy(s, "p", {
        role: "r",
        policy: policyDocument([
          { Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
          { Effect: "Allow", Action: ["s3:GetObject"], Resource: "arn:aws:s3:::b/*" },
        ]),
      }),
  },
  "ECS-SECRETS": {
    bad: (s) => taskDefinition(s, "td", { containerDefinitions: container({ environment: [{ name: "WANDB_API_KEY", value: "abc" }] }) }),
    good: (s) =>
      taskDefinition(s, "td", {
        containerDefinitions: container({
          environment: [{ name: "ENV_MODE", value: "prod" }],
          secrets: [{ name: "WANDB_API_KEY", valueFrom: "arn:s" }],
        }),
      }),
  },
  "ECS-LOGGING": {
    bad: (s) => taskDefinition(s, "td", { containerDefinitions: Fn.jsonencode([{ name: "app", image: "x" }]) }),
    good: (s) => taskDefinition(s, "td"),
  },
  "LOG-RETENTION": {
    bad: (s) => new CloudwatchLogGroup(s, "lg", { name: "/x" }),
    good: (s) => new CloudwatchLogGroup(s, "lg", { name: "/x", retentionInDays: 30 }),
  },
  "ECS-PRIVATE": {
    bad: (s) => new EcsService(s, "svc", { name: "s", networkConfiguration: { subnets: ["s"], assignPublicIp: true } }),
    good: (s) => new EcsService(s, "svc", { name: "s", networkConfiguration: { subnets: ["s"], assignPublicIp: false } }),
  },
  "ECS-HARDENING": {
    bad: (s) => taskDefinition(s, "td", { containerDefinitions: container({ privileged: true }) }),
    good: (s) => taskDefinition(s, "td"),
  },
  "ECS-INSIGHTS": {
    bad: (s) => new EcsCluster(s, "c", { name: "c" }),
    good: (s) => new EcsCluster(s, "c", { name: "c", setting: [{ name: "containerInsights", value: "enabled" }] }),
  },
  "ECS-EXEC-LOGGED": {
    bad: (s) => {
      const c = new EcsCluster(s, "c", { name: "c" });
      new EcsService(s, "svc", { name: "svc", cluster: c.id, enableExecuteCommand: true });
    },
    good: (s) => {
      const c = new EcsCluster(s, "c", {
        name: "c",
        configuration: { executeCommandConfiguration: { logging: "OVERRIDE", logConfiguration: { cloudWatchLogGroupName: "/ecs/exec" } } },
      });
      new EcsService(s, "svc", { name: "svc", cluster: c.id, enableExecuteCommand: true });
    },
  },
  "ECS-ROLES": {
    bad: (s) => {
      taskDefinition(s, "a", { taskRoleArn: "arn:shared" });
      taskDefinition(s, "b", { taskRoleArn: "arn:shared" });
    },
    good: (s) => {
      taskDefinition(s, "a");
      taskDefinition(s, "b");
    },
  },
  "ALB-HEADERS": {
    bad: (s) => new Lb(s, "lb", { name: "lb" }),
    good: (s) => new Lb(s, "lb", { name: "lb", dropInvalidHeaderFields: true }),
  },
  "ECR-HYGIENE": {
    bad: (s) => new EcrRepository(s, "r", { name: "r" }),
    good: (s) => {
      const r = new EcrRepository(s, "r", { name: "r", imageScanningConfiguration: { scanOnPush: true } });
      new EcrLifecyclePolicy(s, "lp", { repository: r.name, policy: "{}" });
    },
  },
  "ALB-DELETION": {
    bad: (s) => new Lb(s, "lb", { name: "lb", enableDeletionProtection: false }),
    good: (s) => new Lb(s, "lb", { name: "lb", enableDeletionProtection: true }),
  },
  "ALB-TLS": {
    bad: (s) =>
      new LbListener(s, "l", {
        loadBalancerArn: "arn:lb",
        port: 80,
        protocol: "HTTP",
        defaultAction: [{ type: "forward", targetGroupArn: "arn:tg" }],
      }),
    good: (s) =>
      new LbListener(s, "l", {
        loadBalancerArn: "arn:lb",
        port: 443,
        protocol: "HTTPS",
        certificateArn: "arn:cert",
        defaultAction: [{ type: "forward", targetGroupArn: "arn:tg" }],
      }),
  },
  "ALB-SIGN-IN": {
    bad: (s) => toolListener(s, "https"),
    good: (s) => {
      const l = toolListener(s, "https");
      new LbListenerRule(s, "sign-in", {
        listenerArn: l.arn,
        priority: 1,
        condition: [{ pathPattern: { values: ["/*"] } }],
        action: [
          {
            type: "authenticate-cognito",
            order: 1,
            authenticateCognito: { userPoolArn: "arn:pool", userPoolClientId: "c", userPoolDomain: "d" },
          },
          { type: "forward", order: 2, targetGroupArn: "arn:tg" },
        ],
      });
    },
  },
  "ALB-LOGS": {
    bad: (s) => new Lb(s, "lb", { name: "lb" }),
    good: (s) => new Lb(s, "lb", { name: "lb", accessLogs: { bucket: "logs", enabled: true } }),
  },
  "VPC-FLOW-LOGS": {
    bad: (s) => new Vpc(s, "vpc", { cidrBlock: "10.0.0.0/16" }),
    good: (s) => {
      const vpc = new Vpc(s, "vpc", { cidrBlock: "10.0.0.0/16" });
      new FlowLog(s, "fl", { vpcId: vpc.id, trafficType: "ALL" });
    },
  },
  "SECRET-ROTATION": {
    bad: (s) => new SecretsmanagerSecret(s, "sec", { name: "s" }),
    good: (s) => {
      const secret = new SecretsmanagerSecret(s, "sec", { name: "s", kmsKeyId: "k" });
      new SecretsmanagerSecretRotation(s, "rot", { secretId: secret.id, rotationRules: { automaticallyAfterDays: 30 } });
    },
  },
  "KMS-CMK": {
    bad: (s) => new EfsFileSystem(s, "fs", { encrypted: true }),
    good: (s) => new EfsFileSystem(s, "fs", { encrypted: true, kmsKeyId: "arn:aws:kms:us-west-1:1:key/k" }),
  },
  "ALARM-ACTIONS": {
    bad: (s) => {
      const alarm = { comparisonOperator: "GreaterThanThreshold", evaluationPeriods: 1, metricName: "m", namespace: "n", period: 60 };
      new CloudwatchMetricAlarm(s, "silent", { alarmName: "silent", ...alarm, statistic: "Sum", threshold: 1 });
      new CloudwatchMetricAlarm(s, "no-ok", { alarmName: "no-ok", ...alarm, statistic: "Sum", threshold: 1, alarmActions: ["arn:t"] });
    },
    good: (s) =>
      new CloudwatchMetricAlarm(s, "heard", {
        alarmName: "heard",
        comparisonOperator: "GreaterThanThreshold",
        evaluationPeriods: 1,
        metricName: "m",
        namespace: "n",
        period: 60,
        statistic: "Sum",
        threshold: 1,
        alarmActions: ["arn:t"],
        okActions: ["arn:t"],
      }),
  },
  "SNS-ENCRYPTED": {
    bad: (s) => {
      new SnsTopic(s, "plain", { name: "plain" });
      new SnsTopic(s, "aws-managed", { name: "aws-managed", kmsMasterKeyId: "alias/aws/sns" });
    },
    good: (s) => new SnsTopic(s, "t", { name: "t", kmsMasterKeyId: "arn:aws:kms:us-west-1:1:key/k" }),
  },
};

describe("policy rules", () => {
  it("every rule has an id, a one-line rationale and a test case", () => {
    for (const r of RULES) {
      expect(r.id).toMatch(/^[A-Z0-9]+(-[A-Z0-9]+)+$/);
      expect(r.rationale.length).toBeGreaterThan(20);
      expect(CASES, r.id).toHaveProperty(r.id);
    }
    expect(Object.keys(CASES).sort()).toEqual(RULES.map((r) => r.id).sort());
  });

  it.each(Object.keys(CASES))("%s fails a deliberately bad construct", (id) => {
    expect(ids(check(CASES[id].bad))).toContain(id);
  });

  it.each(Object.keys(CASES))("%s passes a good construct", (id) => {
    expect(ids(check(CASES[id].good))).not.toContain(id);
  });
});

describe("suppressions", () => {
  it("moves a finding to the report's suppressed list, with its reason", () => {
    const report = check((s) => {
      const lg = new CloudwatchLogGroup(s, "lg", { name: "/x" });
      suppress(lg, "LOG-RETENTION", "Kept for ever on purpose: audit records the law says we keep.");
    });
    expect(report.findings.filter((f) => f.ruleId === "LOG-RETENTION")).toEqual([]);
    expect(report.suppressed).toEqual([
      expect.objectContaining({ ruleId: "LOG-RETENTION", reason: expect.stringContaining("audit records") }),
    ]);
    expect(formatReport(report)).toContain("suppressed LOG-RETENTION aws_cloudwatch_log_group.lg: Kept for ever on purpose");
  });

  it("fails without a written reason", () => {
    expect(() => check((s) => suppress(new CloudwatchLogGroup(s, "lg", { name: "/x" }), "LOG-RETENTION", "because"))).toThrow(
      /the reason must say why/,
    );
  });

  it("fails for a rule that does not exist", () => {
    expect(() =>
      check((s) =>
        suppress(new CloudwatchLogGroup(s, "lg", { name: "/x" }), "NO-SUCH-RULE", "A long enough reason to pass the length check."),
      ),
    ).toThrow(/suppression of unknown rule NO-SUCH-RULE/);
  });

  it("a finding stops synthesis of the root", () => {
    const stack = new TerraformStack(Testing.app(), "test");
    new AwsProvider(stack, "aws", { region: "us-west-1" });
    const unit = new Construct(stack, "storage");
    new CloudwatchLogGroup(unit, "lg", { name: "/x" });
    expect(() => renderRoot(stack, { storage: unit }, RULES)).toThrow(
      /synthesis stopped by the policy rules:[\s\S]*FINDING LOG-RETENTION aws_cloudwatch_log_group\.storage_lg/,
    );
  });
});

describe("the platform", () => {
  it("passes every rule, with only reasoned suppressions", () => {
    expect(() => renderPlatform()).not.toThrow();
  });

  it("warns, without stopping synthesis, that with the defaults the UI, MLflow and TensorBoard are public, on HTTP and without sign-in", () => {
    const { root, units } = buildPlatform(new App({ outdir: path.join(testTmp(), "cdktf.out") }));
    const { report } = renderRoot(root, units, RULES);
    const warned = report.warnings.filter((w) => w.ruleId === "ALB-SIGN-IN");
    expect(warned.map((w) => w.address).sort()).toEqual(
      ["aws_lb_listener.https", "aws_lb_listener.mlflow", "aws_lb_listener.tensorboard", "aws_lb_listener.ui"].sort(),
    );
    expect(warned.find((w) => w.address === "aws_lb_listener.mlflow")?.message).toMatch(
      /public \(alb_ingress_cidr_blocks includes 0\.0\.0\.0\/0\), on HTTP \(alb_certificate_arn is empty\), without sign-in \(sign_in is "none"\)/,
    );
    // The API is for programs: its listener's finding is suppressed with the reason, and never a warning.
    expect(report.suppressed.find((f) => f.ruleId === "ALB-SIGN-IN")?.address).toBe("aws_lb_listener.api");
    expect(warned.some((w) => w.address === "aws_lb_listener.api")).toBe(false);
    expect(formatReport(report)).toContain("WARNING ALB-SIGN-IN aws_lb_listener.mlflow");
  });

  it("names only the reasons that hold with the defaults (a tool signed in on HTTPS from an office range: no warning)", () => {
    const report = check((s) => {
      new TerraformVariable(s, "alb_ingress_cidr_blocks", { default: ["203.0.113.0/24"] });
      new TerraformVariable(s, "alb_certificate_arn", { default: "" });
      new TerraformVariable(s, "sign_in", { default: "cognito" });
      CASES["ALB-SIGN-IN"].good(s);
    });
    expect(report.warnings).toEqual([]);
    const open = check((s) => {
      new TerraformVariable(s, "alb_ingress_cidr_blocks", { default: ["0.0.0.0/0"] });
      new TerraformVariable(s, "sign_in", { default: "none" });
      CASES["ALB-SIGN-IN"].good(s);
    });
    expect(open.warnings.map((w) => w.message)).toEqual([
      'with the defaults this tool is public (alb_ingress_cidr_blocks includes 0.0.0.0/0), without sign-in (sign_in is "none"): see docs/SIGN-IN.md',
    ]);
  });
});
