import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { Wafv2WebAcl } from "@cdktf/provider-aws/lib/wafv2-web-acl";
import { Wafv2WebAclAssociation } from "@cdktf/provider-aws/lib/wafv2-web-acl-association";
import { Wafv2WebAclLoggingConfiguration } from "@cdktf/provider-aws/lib/wafv2-web-acl-logging-configuration";
import { Fn, Token, type IResolvable } from "cdktf";
import { Construct } from "constructs";
import { MANAGED_RULE_GROUPS, RATE_RULE_NAME } from "../platform/web-firewall-rules";
import { address, instanceRef } from "./terraform/addresses";

export interface WebFirewallProps {
  /** Create the web ACL, its association and its logging (a bool token is fine). */
  readonly enabled: boolean | IResolvable;
  /** The web ACL's name, also its metric name. */
  readonly name: string;
  /** The resource it protects (the ALB's ARN). */
  readonly resourceArn: string;
  /** Requests one IP address may send in 5 minutes before it is blocked. */
  readonly rateLimit: number;
  /** Name of the log group of its requests; AWS WAF requires the prefix `aws-waf-logs-`. */
  readonly logGroupName: string;
  readonly logRetentionDays: number;
}

const visibility = (metricName: string) => ({ cloudwatchMetricsEnabled: true, metricName, sampledRequestsEnabled: true });

/**
 * An AWS WAF web ACL (REGIONAL) in front of a load balancer: AWS managed
 * rule groups and a rate-based rule per client IP, allowing the rest; its
 * requests logged to a CloudWatch log group (`aws-waf-logs-…`). All of it
 * exists only while `enabled`.
 */
export class WebFirewall extends Construct {
  /** The web ACL's ARN (`…[0].arn`); only while enabled. */
  public readonly webAclArn: string;

  constructor(scope: Construct, id: string, props: WebFirewallProps) {
    super(scope, id);
    if (!Token.isUnresolved(props.logGroupName) && !props.logGroupName.startsWith("aws-waf-logs-")) {
      throw new Error(`WebFirewall ${id}: logGroupName "${props.logGroupName}" must start with "aws-waf-logs-" (AWS WAF logs only there)`);
    }
    const count = Token.asNumber(Fn.conditional(props.enabled, 1, 0));

    const acl = address(
      new Wafv2WebAcl(this, "web-acl", {
        count,
        name: props.name,
        description: "Managed rule groups and a per-IP rate limit in front of the platform's load balancer",
        scope: "REGIONAL",
        defaultAction: { allow: {} },
        rule: [
          ...MANAGED_RULE_GROUPS.map((group, i) => ({
            name: group,
            priority: i + 1,
            overrideAction: { none: {} },
            statement: { managed_rule_group_statement: { name: group, vendor_name: "AWS" } },
            visibilityConfig: visibility(group),
          })),
          {
            name: RATE_RULE_NAME,
            priority: MANAGED_RULE_GROUPS.length + 1,
            action: { block: {} },
            statement: { rate_based_statement: { limit: props.rateLimit, aggregate_key_type: "IP" } },
            visibilityConfig: visibility(RATE_RULE_NAME),
          },
        ],
        visibilityConfig: visibility(props.name),
        tags: { Name: props.name },
      }),
    );
    this.webAclArn = instanceRef(acl, 0, "arn");

    address(new Wafv2WebAclAssociation(this, "association", { count, resourceArn: props.resourceArn, webAclArn: this.webAclArn }));

    const logs = address(
      new CloudwatchLogGroup(this, "logs", {
        count,
        name: props.logGroupName,
        retentionInDays: props.logRetentionDays,
        tags: { Name: props.logGroupName },
      }),
    );
    address(
      new Wafv2WebAclLoggingConfiguration(this, "logging", {
        count,
        resourceArn: this.webAclArn,
        logDestinationConfigs: [instanceRef(logs, 0, "arn")],
      }),
    );
  }
}
