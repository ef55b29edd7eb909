import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";
import { Fn, Op, TerraformIterator, Token, type IResolvable } from "cdktf";
import { Construct } from "constructs";
import { address, instanceRef } from "./terraform/addresses";

export interface VpcEndpointsProps {
  readonly vpcId: string;
  /** The VPC's CIDR block: the endpoints accept HTTPS from inside the VPC. */
  readonly vpcCidr: string;
  readonly region: string;
  /** Route tables the S3 gateway endpoint is added to (the private subnets'). */
  readonly routeTableIds: string[];
  /** Subnets the interface endpoints are placed in (one network interface per subnet). */
  readonly subnetIds: string[];
  /** Create the S3 gateway endpoint (a bool token is fine). Free: no hourly or per-GB charge. */
  readonly s3Gateway: boolean | IResolvable;
  /** Interface endpoints to create, by service (`ecr.api`, `logs` …; a list token is fine). Each is billed per AZ-hour and per GB. */
  readonly interfaceServices: string[];
  /** Prefix of the security group's name and of the `Name` tags. */
  readonly namePrefix: string;
}

/**
 * Private ways out of the VPC to AWS services: an S3 gateway endpoint on the
 * private route tables (S3 traffic, image layers included, no longer goes
 * through the NAT gateway), and interface endpoints with private DNS for the
 * services named (ECR, CloudWatch Logs, Secrets Manager, SSM messages), in
 * their own security group that accepts HTTPS from the VPC.
 */
export class VpcEndpoints extends Construct {
  constructor(scope: Construct, id: string, props: VpcEndpointsProps) {
    super(scope, id);
    const gatewayCount =
      typeof props.s3Gateway === "boolean" ? (props.s3Gateway ? 1 : 0) : Token.asNumber(Fn.conditional(props.s3Gateway, 1, 0));
    address(
      new VpcEndpoint(this, "s3-gateway", {
        count: gatewayCount,
        vpcId: props.vpcId,
        serviceName: `com.amazonaws.${props.region}.s3`,
        vpcEndpointType: "Gateway",
        routeTableIds: props.routeTableIds,
        tags: { Name: `${props.namePrefix}-s3-gateway-endpoint` },
      }),
    );

    const group = address(
      new SecurityGroup(this, "interface-security-group", {
        // >= 1 rather than > 0: cdktf renders a literal 0 in an operator as "undefined".
        count: Token.asNumber(Fn.conditional(Op.gte(Fn.lengthOf(props.interfaceServices), 1), 1, 0)),
        name: `${props.namePrefix}-vpc-endpoints`,
        description: "HTTPS from the VPC to the AWS service endpoints",
        vpcId: props.vpcId,
        ingress: [
          {
            description: "HTTPS from inside the VPC",
            protocol: "tcp",
            fromPort: 443,
            toPort: 443,
            cidrBlocks: [props.vpcCidr],
            ipv6CidrBlocks: [],
            prefixListIds: [],
            securityGroups: [],
            selfAttribute: false,
          },
        ],
        egress: [],
        tags: { Name: `${props.namePrefix}-vpc-endpoints-sg` },
      }),
    );
    const each = TerraformIterator.fromList(props.interfaceServices);
    address(
      new VpcEndpoint(this, "interface", {
        forEach: each,
        vpcId: props.vpcId,
        serviceName: `com.amazonaws.${props.region}.${each.value}`,
        vpcEndpointType: "Interface",
        privateDnsEnabled: true,
        subnetIds: props.subnetIds,
        securityGroupIds: [instanceRef(group, 0, "id")],
        tags: { Name: `${props.namePrefix}-${each.value}-endpoint` },
      }),
    );
  }
}
