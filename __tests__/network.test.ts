import { describe, expect, it } from "vitest";
import { Network } from "../constructs/network";
import { resources, synthScope } from "./helpers";

describe("Network", () => {
  const json = synthScope((scope) => new Network(scope, "network", { cidrBlock: "10.1.0.0/16", azCount: 3, namePrefix: "demo" }));

  it("creates one private and one public subnet per AZ, sliced from the VPC range", () => {
    const subnets = Object.values(resources(json, "aws_subnet"));
    expect(subnets).toHaveLength(2);
    expect(subnets.map((s) => s.count)).toEqual([3, 3]);
    expect(subnets.map((s) => s.cidr_block)).toEqual([
      expect.stringMatching(/cidrsubnet\(aws_vpc\.\w+\.cidr_block, 8, count\.index\)/),
      expect.stringMatching(/cidrsubnet\(aws_vpc\.\w+\.cidr_block, 8, \(3 \+ count\.index\)\)/),
    ]);
    expect(subnets[1].map_public_ip_on_launch).toBe(true);
  });

  it("turns DNS on and tags every piece with the prefix", () => {
    const [vpc] = Object.values(resources(json, "aws_vpc"));
    expect(vpc).toMatchObject({
      cidr_block: "10.1.0.0/16",
      enable_dns_support: true,
      enable_dns_hostnames: true,
      tags: { Name: "demo-vpc" },
    });
    expect(Object.values(resources(json, "aws_nat_gateway"))[0].tags).toEqual({ Name: "demo-nat-gateway" });
  });

  it("puts the one NAT gateway in the first public subnet and routes private traffic through it", () => {
    const [nat] = Object.values(resources(json, "aws_nat_gateway"));
    expect(nat.subnet_id).toMatch(/\$\{aws_subnet\.\w+\[0\]\.id\}/);
    const [table] = Object.values(resources(json, "aws_route_table"));
    expect(table.route[0]).toMatchObject({ cidr_block: "0.0.0.0/0", nat_gateway_id: expect.stringContaining("aws_nat_gateway") });
    expect(Object.values(resources(json, "aws_route_table_association"))[0].count).toBe(3);
  });

  it("sends the public subnets to the internet gateway through the main route table", () => {
    const [route] = Object.values(resources(json, "aws_route"));
    expect(route).toMatchObject({ destination_cidr_block: "0.0.0.0/0", route_table_id: expect.stringContaining("main_route_table_id") });
  });
});
