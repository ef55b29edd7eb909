import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { TerraformIterator, Token } from "cdktf";
import { Construct } from "constructs";
import { address } from "./terraform/addresses";
import { policyDocument, type PolicyStatement } from "./terraform/iam";

/** An AWS service that publishes to the topic: CloudWatch alarms, EventBridge rules. */
export interface TopicPublisher {
  /** Its service principal, e.g. `cloudwatch.amazonaws.com`. */
  readonly service: string;
  /**
   * What may publish, as an ARN pattern (the topic policy's `aws:SourceArn`), e.g.
   * `arn:aws:cloudwatch:<region>:<account>:alarm:<project>-*`.
   * @default - anything of that service in the account
   */
  readonly sourceArn?: string;
}

export interface AlertsTopicProps {
  /** Topic name (1-256 letters, digits, hyphens or underscores); the key's alias is `alias/<name>`. A token is fine. */
  readonly name: string;
  /** The account the topic lives in: its root manages the key, and only its resources may publish. */
  readonly accountId: string;
  /** The AWS services that publish to the topic; each may use the key to encrypt what it sends. */
  readonly publishers: readonly TopicPublisher[];
  /**
   * E-mail addresses to subscribe (one subscription each, keyed by the address); a list token
   * (`var.alarm_emails`) is fine. Each address must confirm the e-mail AWS sends it.
   * @default - none
   */
  readonly emails?: string[];
  /** Days AWS waits before deleting the key after a destroy (7-30). @default 30 */
  readonly keyDeletionWindowDays?: number;
}

const SNS_NAME = /^[A-Za-z0-9_-]{1,256}$/;

/** Checks the props before anything is made; returns the key's deletion window in days. */
function checkProps(props: AlertsTopicProps): number {
  if (!Token.isUnresolved(props.name) && !SNS_NAME.test(props.name)) {
    throw new Error(`AlertsTopic: name "${props.name}" must be 1-256 letters, digits, hyphens or underscores (an SNS topic name)`);
  }
  if (props.publishers.length === 0) {
    throw new Error("AlertsTopic: publishers is empty; name the AWS services that publish (e.g. cloudwatch.amazonaws.com)");
  }
  for (const p of props.publishers) {
    if (!/^[a-z0-9.-]+\.amazonaws\.com$/.test(p.service)) {
      throw new Error(`AlertsTopic: publisher "${p.service}" must be an AWS service principal such as "cloudwatch.amazonaws.com"`);
    }
  }
  const window = props.keyDeletionWindowDays ?? 30;
  if (!Number.isInteger(window) || window < 7 || window > 30) {
    throw new Error(`AlertsTopic: keyDeletionWindowDays is ${window}; allowed: a whole number from 7 to 30 (KMS's range)`);
  }
  const emails = props.emails ?? [];
  const known = Token.isUnresolved(emails) ? [] : emails.filter((e) => !Token.isUnresolved(e));
  const wrong = known.find((e) => !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(e));
  if (wrong !== undefined) {
    throw new Error(`AlertsTopic: emails holds "${wrong}", which is not an e-mail address such as "ml-team@example.com"`);
  }
  return window;
}

/**
 * An alerts topic that AWS services can actually publish to while it is
 * encrypted: SNS with a customer managed KMS key (rotated yearly) whose key
 * policy lets the publishers encrypt, a topic policy that lets only them
 * publish, and e-mail subscriptions. The AWS managed key `alias/aws/sns`
 * would not do: its key policy cannot be changed, so CloudWatch alarms and
 * EventBridge could not encrypt with it and their notifications would be
 * dropped (AWS SNS developer guide, "Enable compatibility between event
 * sources from AWS services and encrypted topics").
 */
export class AlertsTopic extends Construct {
  public readonly key: KmsKey;
  public readonly topic: SnsTopic;
  /** The topic's ARN: where alarms and rules send. */
  public readonly topicArn: string;

  constructor(scope: Construct, id: string, props: AlertsTopicProps) {
    super(scope, id);
    const window = checkProps(props);
    const emails = props.emails ?? [];

    const root = `arn:aws:iam::${props.accountId}:root`;
    this.key = address(
      new KmsKey(this, "key", {
        description: `Encrypts the ${props.name} SNS topic; CloudWatch alarms and EventBridge may use it to publish there`,
        enableKeyRotation: true,
        deletionWindowInDays: window,
        policy: policyDocument([
          // The account manages the key through IAM, as with a key made in the console (KMS refuses a policy that locks it out).
          { Sid: "AccountManagesTheKey", Effect: "Allow", Principal: { AWS: root }, Action: "kms:*", Resource: "*" },
          {
            Sid: "PublishersEncrypt",
            Effect: "Allow",
            Principal: { Service: props.publishers.map((p) => p.service) },
            Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
            Resource: "*",
          },
        ]),
      }),
    );
    address(new KmsAlias(this, "key-alias", { name: `alias/${props.name}`, targetKeyId: this.key.keyId }));

    this.topic = address(new SnsTopic(this, "topic", { name: props.name, kmsMasterKeyId: this.key.arn }));
    this.topicArn = this.topic.arn;

    const statements: PolicyStatement[] = props.publishers.map((p, i) => ({
      Sid: `Publisher${i}`,
      Effect: "Allow",
      Principal: { Service: p.service },
      Action: "sns:Publish",
      Resource: this.topic.arn,
      Condition: {
        StringEquals: { "aws:SourceAccount": props.accountId },
        ...(p.sourceArn ? { ArnLike: { "aws:SourceArn": p.sourceArn } } : {}),
      },
    }));
    address(new SnsTopicPolicy(this, "topic-policy", { arn: this.topic.arn, policy: policyDocument(statements) }));

    if (Token.isUnresolved(emails) || emails.length > 0) {
      const each = TerraformIterator.fromList(emails);
      address(
        new SnsTopicSubscription(this, "email-subscriptions", {
          forEach: each,
          topicArn: this.topic.arn,
          protocol: "email",
          endpoint: each.value as string,
        }),
      );
    }
  }
}
