import { DataAwsAvailabilityZones } from "@cdktf/provider-aws/lib/data-aws-availability-zones";
import { Eip } from "@cdktf/provider-aws/lib/eip";
import { InternetGateway } from "@cdktf/provider-aws/lib/internet-gateway";
import { NatGateway } from "@cdktf/provider-aws/lib/nat-gateway";
import { Route } from "@cdktf/provider-aws/lib/route";
import { RouteTable } from "@cdktf/provider-aws/lib/route-table";
import { RouteTableAssociation } from "@cdktf/provider-aws/lib/route-table-association";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { Fn, Op, TerraformCount, TerraformSelf, Token } from "cdktf";
import { Construct } from "constructs";
import { address, instanceRef, splatRef } from "./terraform/addresses";

export interface NetworkProps {
  /** The VPC's IPv4 range; subnets are /24 slices of it when it is a /16. */
  readonly cidrBlock: string;
  /** Availability zones to use: one private and one public subnet in each (a token is fine). */
  readonly azCount: number;
  /** Prefix of the `Name` tags (`<prefix>-vpc`, `<prefix>-private-subnet-1` …). */
  readonly namePrefix: string;
  /** Bits added to the VPC prefix for each subnet. @default 8 (a /16 VPC gets /24 subnets) */
  readonly subnetNewBits?: number;
  /** How the zone count is named to the user, in the message that refuses more zones than the region offers. @default "azCount" */
  readonly azCountName?: string;
}

/**
 * A two-tier VPC: private subnets for the tasks and the file system, public
 * subnets for the load balancer, one NAT gateway (in the first public
 * subnet) shared by all private subnets, DNS support and hostnames on.
 *
 * Subnet `i` of the private tier is `cidrsubnet(vpc, newBits, i)`, of the
 * public tier `cidrsubnet(vpc, newBits, azCount + i)`. One NAT gateway saves
 * about $33 a month per extra AZ at the price of AZ-level resilience for
 * outbound traffic.
 */
export class Network extends Construct {
  public readonly vpc: Vpc;
  public readonly privateSubnets: Subnet;
  public readonly publicSubnets: Subnet;
  public readonly natGateway: NatGateway;
  public readonly internetGateway: InternetGateway;
  /** The private subnets' ids (tasks, EFS mount targets). */
  public readonly privateSubnetIds: string[];
  /** The one route table of the private subnets (gateway endpoints attach to it). */
  public readonly privateRouteTableId: string;
  /** The public subnets' ids (load balancer). */
  public readonly publicSubnetIds: string[];

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const newBits = props.subnetNewBits ?? 8;
    const prefix = props.namePrefix;

    const zones = this.availabilityZones(props);

    this.vpc = address(
      new Vpc(this, "vpc", {
        cidrBlock: props.cidrBlock,
        enableDnsSupport: true,
        enableDnsHostnames: true,
        tags: { Name: `${prefix}-vpc` },
      }),
    );

    const privateCount = TerraformCount.of(props.azCount);
    this.privateSubnets = address(
      new Subnet(this, "private-subnets", {
        count: privateCount,
        vpcId: this.vpc.id,
        cidrBlock: Fn.cidrsubnet(this.vpc.cidrBlock, newBits, privateCount.index),
        availabilityZone: Fn.element(zones.names, privateCount.index),
        tags: { Name: `${prefix}-private-subnet-\${count.index + 1}`, Type: "Private" },
      }),
    );

    const publicCount = TerraformCount.of(props.azCount);
    this.publicSubnets = address(
      new Subnet(this, "public-subnets", {
        count: publicCount,
        vpcId: this.vpc.id,
        cidrBlock: Fn.cidrsubnet(this.vpc.cidrBlock, newBits, Token.asNumber(Op.add(props.azCount, publicCount.index))),
        availabilityZone: Fn.element(zones.names, publicCount.index),
        mapPublicIpOnLaunch: true,
        tags: { Name: `${prefix}-public-subnet-\${count.index + 1}`, Type: "Public" },
      }),
    );

    this.internetGateway = address(new InternetGateway(this, "internet-gateway", { vpcId: this.vpc.id, tags: { Name: `${prefix}-igw` } }));

    address(
      new Route(this, "internet-route", {
        routeTableId: this.vpc.mainRouteTableId,
        destinationCidrBlock: "0.0.0.0/0",
        gatewayId: this.internetGateway.id,
      }),
    );

    this.natGateway = this.natGatewayFor(prefix);
    const privateRoutes = this.privateRouting(prefix, props.azCount);

    this.privateRouteTableId = privateRoutes.id;
    this.privateSubnetIds = splatRef(this.privateSubnets, "id");
    this.publicSubnetIds = splatRef(this.publicSubnets, "id");
  }

  /** The region's zones, with a postcondition that refuses more zones than it has. */
  private availabilityZones(props: NetworkProps): DataAwsAvailabilityZones {
    // More zones than the region offers would put two subnets (and two EFS mount targets) in one zone: refused at plan time.
    const azCountName = props.azCountName ?? "azCount";
    return address(
      new DataAwsAvailabilityZones(this, "availability-zones", {
        state: "available",
        lifecycle: {
          postcondition: [
            {
              condition: Op.gte(Fn.lengthOf(TerraformSelf.getAny("names")), props.azCount),
              errorMessage:
                `${azCountName} must be at most the number of availability zones region \${self.id} offers: ` +
                `\${length(self.names)} (\${join(", ", self.names)}); got ${props.azCount}.`,
            },
          ],
        },
      }),
    );
  }

  /** The NAT gateway of the private subnets, in the first public subnet, with its address. */
  private natGatewayFor(prefix: string): NatGateway {
    const natIp = address(
      new Eip(this, "nat-eip", {
        domain: "vpc",
        dependsOn: [this.internetGateway],
        tags: { Name: `${prefix}-nat-eip` },
      }),
    );

    return address(
      new NatGateway(this, "nat-gateway", {
        allocationId: natIp.id,
        subnetId: instanceRef(this.publicSubnets, 0, "id"),
        dependsOn: [this.internetGateway],
        tags: { Name: `${prefix}-nat-gateway` },
      }),
    );
  }

  /** The private subnets' route table (out through the NAT gateway), associated with each of them. */
  private privateRouting(prefix: string, azCount: number): RouteTable {
    const privateRoutes = address(
      new RouteTable(this, "private-route-table", {
        vpcId: this.vpc.id,
        route: [{ cidrBlock: "0.0.0.0/0", natGatewayId: this.natGateway.id }],
        tags: { Name: `${prefix}-private-route-table` },
      }),
    );

    const associationCount = TerraformCount.of(azCount);
    address(
      new RouteTableAssociation(this, "private-route-table-associations", {
        count: associationCount,
        subnetId: Fn.element(splatRef(this.privateSubnets, "id"), associationCount.index),
        routeTableId: privateRoutes.id,
      }),
    );
    return privateRoutes;
  }
}
