import { Fn, TerraformStack, Testing } from "cdktf";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Construct } from "constructs";
import { describe, expect, it } from "vitest";
import { address, assertAddressTableUsed, EACH_KEY, instanceRef, splatRef, useAddressTable } from "../constructs/terraform/addresses";

function stackWith(table?: Record<string, string>) {
  const stack = new TerraformStack(Testing.app(), "test");
  if (table) useAddressTable(stack, table);
  return stack;
}

describe("address", () => {
  it("takes the logical id from the stack's address table by construct path", () => {
    const stack = stackWith({ "net/vpc": "main" });
    const unit = new Construct(stack, "net");
    const vpc = address(new Vpc(unit, "vpc", { cidrBlock: "10.0.0.0/16" }));
    expect(vpc.friendlyUniqueId).toBe("main");
    expect(JSON.parse(Testing.synth(stack)).resource.aws_vpc.main).toBeDefined();
  });

  it("falls back to the path below the unit in snake_case, never a hash", () => {
    const stack = stackWith({});
    const unit = new Construct(stack, "services");
    const vpc = address(new Vpc(new Construct(unit, "ui-task"), "extra-vpc", { cidrBlock: "10.0.0.0/16" }));
    expect(vpc.friendlyUniqueId).toBe("ui_task_extra_vpc");
  });

  it("fails when a table entry names no element (a typo would rename a live resource)", () => {
    const stack = stackWith({ "net/vcp": "main" });
    address(new Vpc(new Construct(stack, "net"), "vpc", { cidrBlock: "10.0.0.0/16" }));
    expect(() => assertAddressTableUsed(stack)).toThrow(/no element at net\/vcp/);
  });

  it("fails on an id Terraform would not accept", () => {
    const stack = stackWith();
    expect(() => address(new Vpc(stack, "vpc", { cidrBlock: "10.0.0.0/16" }), "Main-VPC")).toThrow(/must be snake_case/);
  });
});

describe("instance references", () => {
  it("renders count, for_each and splat references with their keys", () => {
    const stack = stackWith();
    const subnet = address(new Subnet(stack, "subnet", { count: 2, vpcId: "vpc-1", cidrBlock: "10.0.0.0/24" }), "private");
    new Vpc(stack, "user", {
      cidrBlock: "10.0.0.0/16",
      tags: { a: instanceRef(subnet, 0, "id"), b: instanceRef(subnet, EACH_KEY, "arn"), c: instanceRef(subnet, "api", "id") },
    });
    new Vpc(stack, "user2", { cidrBlock: "10.0.0.0/16", tags: { d: Fn.join(",", splatRef(subnet, "id")) } });
    const json = JSON.stringify(JSON.parse(Testing.synth(stack)));
    expect(json).toContain("${aws_subnet.private[0].id}");
    expect(json).toContain("${aws_subnet.private[each.key].arn}");
    expect(json).toContain('${aws_subnet.private[\\"api\\"].id}');
    expect(json).toContain("aws_subnet.private[*].id");
  });
});
