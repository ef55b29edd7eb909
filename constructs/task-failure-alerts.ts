import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { Fn, Token } from "cdktf";
import { Construct } from "constructs";
import { address } from "./terraform/addresses";

/**
 * How a Fargate task's `stoppedReason` begins when it failed before its
 * container ran (AWS ECS, "Stopped tasks error codes"):
 * ResourceInitializationError covers an EFS volume that would not mount,
 * a secret or the registry credentials that could not be read, and the
 * log driver; CannotPullContainerError an image that could not be pulled;
 * CannotCreateVolumeError a volume that could not be created.
 */
export const START_FAILURE_PREFIXES = ["ResourceInitializationError", "CannotPullContainerError", "CannotCreateVolumeError"] as const;

export interface TaskFailureAlertsProps {
  /** The EventBridge rule's name (1-64 letters, digits, `.`, `-`, `_`; a token is fine). */
  readonly ruleName: string;
  /** Only this cluster's tasks. */
  readonly clusterArn: string;
  /** Where the alert goes (an SNS topic that lets events.amazonaws.com publish). */
  readonly topicArn: string;
  /** Beginnings of `stoppedReason` that count as a start failure. @default START_FAILURE_PREFIXES */
  readonly stoppedReasonPrefixes?: readonly string[];
  /** The last sentence of every alert: where to read what to do. @default - none */
  readonly runbook?: string;
}

/**
 * An alert for ECS tasks that stop before they start: an EventBridge rule on
 * "ECS Task State Change" events of one cluster whose task stopped with a
 * start failure reason (an EFS mount, a secret, an image pull), sent to an
 * SNS topic as one sentence naming the service (the task's group,
 * `service:<name>`), the reason and the task.
 */
export class TaskFailureAlerts extends Construct {
  public readonly rule: CloudwatchEventRule;
  /** The rule's event pattern (a jsonencode token). */
  public readonly eventPattern: string;

  constructor(scope: Construct, id: string, props: TaskFailureAlertsProps) {
    super(scope, id);
    if (!Token.isUnresolved(props.ruleName) && !/^[.\-_A-Za-z0-9]{1,64}$/.test(props.ruleName)) {
      throw new Error(
        `TaskFailureAlerts: ruleName "${props.ruleName}" must be 1-64 letters, digits, ".", "-" or "_" (an EventBridge rule name)`,
      );
    }
    const prefixes = props.stoppedReasonPrefixes ?? START_FAILURE_PREFIXES;
    if (prefixes.length === 0 || prefixes.some((p) => p.trim() === "")) {
      throw new Error("TaskFailureAlerts: stoppedReasonPrefixes must hold at least one non-empty prefix, e.g. ResourceInitializationError");
    }

    this.eventPattern = Fn.jsonencode({
      source: ["aws.ecs"],
      "detail-type": ["ECS Task State Change"],
      detail: {
        clusterArn: [props.clusterArn],
        lastStatus: ["STOPPED"],
        stoppedReason: prefixes.map((prefix) => ({ prefix })),
      },
    });
    this.rule = address(
      new CloudwatchEventRule(this, "rule", {
        name: props.ruleName,
        description: "ECS tasks that stopped before they started: EFS mount, secret or image pull failures",
        eventPattern: this.eventPattern,
      }),
    );

    const runbook = props.runbook ? ` ${props.runbook}` : "";
    address(
      new CloudwatchEventTarget(this, "target", {
        rule: this.rule.name,
        targetId: "alerts-topic",
        arn: props.topicArn,
        inputTransformer: {
          inputPaths: {
            group: "$.detail.group",
            reason: "$.detail.stoppedReason",
            task: "$.detail.taskArn",
            cluster: "$.detail.clusterArn",
          },
          // A quoted template: the topic receives plain text (EventBridge escapes the values).
          inputTemplate: JSON.stringify(`ECS task of <group> failed to start in <cluster>: <reason> (task <task>).${runbook}`),
        },
      }),
    );
  }
}
