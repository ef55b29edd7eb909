import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { FlowLog } from "@cdktf/provider-aws/lib/flow-log";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Fn, Token, type IResolvable } from "cdktf";
import { Construct } from "constructs";
import { address, instanceRef } from "./terraform/addresses";
import { assumeRolePolicy, policyDocument } from "./terraform/iam";

export interface VpcFlowLogsProps {
  readonly vpcId: string;
  /** Create the flow log (a bool token gives `count = x ? 1 : 0`). */
  readonly enabled: boolean | IResolvable;
  /** Log group name, e.g. `/vpc/<project>-flow-logs`. */
  readonly logGroupName: string;
  /** IAM role name for the flow log service. */
  readonly roleName: string;
  /** Days the records are kept. @default 30 */
  readonly retentionDays?: number;
}

/**
 * VPC flow logs (all traffic) to a CloudWatch log group with retention, behind
 * a switch: flow logs are billed per GB ingested.
 */
export class VpcFlowLogs extends Construct {
  constructor(scope: Construct, id: string, props: VpcFlowLogsProps) {
    super(scope, id);
    const count = Token.asNumber(Fn.conditional(props.enabled, 1, 0));
    const logGroup = address(
      new CloudwatchLogGroup(this, "log-group", { count, name: props.logGroupName, retentionInDays: props.retentionDays ?? 30 }),
    );
    const role = address(
      new IamRole(this, "role", { count, name: props.roleName, assumeRolePolicy: assumeRolePolicy("vpc-flow-logs.amazonaws.com") }),
    );
    const groupArn = instanceRef(logGroup, 0, "arn");
    address(
      new IamRolePolicy(this, "policy", {
        count,
        name: `${props.roleName}Policy`,
        role: instanceRef(role, 0, "id"),
        policy: policyDocument([
          {
            Sid: "WriteFlowLogs",
            Effect: "Allow",
            Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
            Resource: [groupArn, `${groupArn}:*`],
          },
        ]),
      }),
    );
    address(
      new FlowLog(this, "flow-log", {
        count,
        vpcId: props.vpcId,
        trafficType: "ALL",
        logDestinationType: "cloud-watch-logs",
        logDestination: groupArn,
        iamRoleArn: instanceRef(role, 0, "arn"),
      }),
    );
  }
}
