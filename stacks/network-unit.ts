import { SecurityGroup, type SecurityGroupEgress, type SecurityGroupIngress } from "@cdktf/provider-aws/lib/security-group";
import { Construct } from "constructs";
import { address } from "../constructs/terraform/addresses";
import { suppress } from "../constructs/terraform/suppress";
import { declareOutput } from "../constructs/terraform/variables";
import { Network } from "../constructs/network";
import { VpcEndpoints } from "../constructs/vpc-endpoints";
import { VpcFlowLogs } from "../constructs/vpc-flow-logs";
import { PLATFORM } from "../platform/config";
import type { PlatformInputs, PlatformNames, PlatformService } from "./platform-stack";

export interface NetworkUnitProps {
  readonly inputs: PlatformInputs;
  readonly services: readonly PlatformService[];
  readonly names: PlatformNames;
}

type Rule = SecurityGroupIngress & SecurityGroupEgress;

/** An inline rule with every field set, so that plans compare like with like. */
function rule(description: string, protocol: string, fromPort: number, toPort: number, target: Partial<Rule>): Rule {
  return {
    description,
    protocol,
    fromPort,
    toPort,
    cidrBlocks: [],
    ipv6CidrBlocks: [],
    prefixListIds: [],
    securityGroups: [],
    selfAttribute: false,
    ...target,
  };
}

/**
 * The network unit: the VPC with its subnets, gateways and routes, and the
 * three security groups (ALB, ECS tasks, EFS). Security group names and
 * descriptions force replacement, so they keep their live values.
 */
export class NetworkUnit extends Construct {
  public readonly network: Network;
  public readonly albSecurityGroup: SecurityGroup;
  public readonly ecsTasksSecurityGroup: SecurityGroup;
  public readonly efsSecurityGroup: SecurityGroup;

  constructor(scope: Construct, id: string, props: NetworkUnitProps) {
    super(scope, id);
    const { inputs } = props;
    const project = inputs.project_name;
    const vpcCidr = PLATFORM.vpcCidr;

    this.network = new Network(this, "network", {
      cidrBlock: vpcCidr,
      azCount: inputs.az_count,
      azCountName: "az_count",
      namePrefix: project,
    });
    const vpcId = this.network.vpc.id;

    new VpcFlowLogs(this, "flow-logs", {
      vpcId,
      enabled: inputs.vpc_flow_logs_enabled,
      logGroupName: props.names.scoped(`/vpc/${project}-flow-logs`),
      roleName: props.names.scoped(`${project}-vpc-flow-logs`),
      retentionDays: PLATFORM.logRetentionDays,
    });

    new VpcEndpoints(this, "endpoints", {
      vpcId,
      vpcCidr,
      region: inputs.aws_region,
      routeTableIds: [this.network.privateRouteTableId],
      subnetIds: this.network.privateSubnetIds,
      s3Gateway: inputs.s3_gateway_endpoint_enabled,
      interfaceServices: inputs.vpc_interface_endpoints,
      namePrefix: project,
    });

    this.albSecurityGroup = this.albGroup(props, vpcId);
    this.ecsTasksSecurityGroup = this.tasksGroup(project, vpcId);
    this.efsSecurityGroup = address(
      new SecurityGroup(this, "efs-security-group", {
        name: `${project}-efs-security-group`,
        description: "Allow EFS access from ECS tasks",
        vpcId,
        ingress: [rule("NFS from ECS tasks", "tcp", 2049, 2049, { securityGroups: [this.ecsTasksSecurityGroup.id] })],
        egress: [],
        tags: { Name: `${project}-efs-sg` },
      }),
    );

    this.declareOutputs(vpcId);
  }

  /** The load balancer's group: its listener ports open to alb_ingress_cidr_blocks, out to the tasks in the VPC. */
  private albGroup(props: NetworkUnitProps, vpcId: string): SecurityGroup {
    const { inputs } = props;
    const project = inputs.project_name;
    const vpcCidr = PLATFORM.vpcCidr;
    const world = { cidrBlocks: inputs.alb_ingress_cidr_blocks };
    const listenerPorts = props.services.map(({ key, vars }) => rule(`${key} listener`, "tcp", vars.port, vars.port, world));
    const group = address(
      new SecurityGroup(this, "alb-security-group", {
        name: `${project}-alb-security-group`,
        description: "Controls access to the Application Load Balancer",
        vpcId,
        ingress: [rule("HTTP", "tcp", 80, 80, world), rule("HTTPS", "tcp", 443, 443, world), ...listenerPorts],
        egress: [rule("To the tasks inside the VPC", "tcp", 0, 65535, { cidrBlocks: [vpcCidr] })],
        tags: { Name: `${project}-alb-sg` },
      }),
    );
    suppress(
      group,
      "SG-RESTRICTED",
      "The ALB is the platform's public entry: its listener ports are open to alb_ingress_cidr_blocks, the whole internet by default as today; narrow that variable to an office or VPN range.",
    );
    return group;
  }

  /** The tasks' group, with the live platform's rules. */
  private tasksGroup(project: string, vpcId: string): SecurityGroup {
    const vpcCidr = PLATFORM.vpcCidr;
    const inVpc = { cidrBlocks: [vpcCidr] };
    const anywhere = { cidrBlocks: ["0.0.0.0/0"] };
    return address(
      new SecurityGroup(this, "ecs-tasks-security-group", {
        name: `${project}-ecs-tasks-security-group`,
        description: "Controls access to and from ECS tasks",
        vpcId,
        // The live platform's rules, descriptions included: a changed rule is revoked and re-added.
        ingress: [
          rule("Allow ALB access to services", "tcp", 0, 65535, { securityGroups: [this.albSecurityGroup.id] }),
          rule("Inter-service traffic within tasks", "tcp", 0, 65535, { selfAttribute: true }),
        ],
        egress: [
          rule("HTTPS outbound for API calls", "tcp", 443, 443, anywhere),
          rule("HTTP outbound for package downloads", "tcp", 80, 80, anywhere),
          rule("DNS (UDP) for Cloud Map", "udp", 53, 53, anywhere),
          rule("DNS (TCP) for Cloud Map", "tcp", 53, 53, anywhere),
          rule("NFS access to EFS within VPC", "tcp", 2049, 2049, inVpc),
          rule("Allow all outbound traffic within the VPC", "-1", 0, 0, inVpc),
        ],
        tags: { Name: `${project}-ecs-tasks-sg` },
      }),
    );
  }

  private declareOutputs(vpcId: string): void {
    declareOutput(this, "vpc_id", vpcId, "ID of the VPC.");
    declareOutput(this, "public_subnet_ids", this.network.publicSubnetIds, "IDs of the public subnets (ALB), one per AZ.");
    declareOutput(
      this,
      "private_subnet_ids",
      this.network.privateSubnetIds,
      "IDs of the private subnets (tasks, EFS mount targets), one per AZ.",
    );
    declareOutput(
      this,
      "ecs_tasks_security_group_id",
      this.ecsTasksSecurityGroup.id,
      "ID of the ECS tasks' security group (one-off tasks such as the experiments transfer run in it).",
    );
  }
}
