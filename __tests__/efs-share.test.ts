import { TerraformVariable } from "cdktf";
import { describe, expect, it } from "vitest";
import { EfsShare, type EfsShareProps } from "../constructs/efs-share";
import { EfsAccessPolicy, efsClientStatement } from "../constructs/efs-access-policy";
import { resources, synthScope } from "./helpers";

const props: EfsShareProps = {
  creationToken: "demo-data",
  name: "demo-data-efs",
  accessPointName: "demo-data-ap",
  provisionedThroughputMibps: 25,
  subnetIds: ["subnet-a", "subnet-b"],
  mountTargetCount: 2,
  securityGroupId: "sg-1",
  rootDirectory: "/data",
};

describe("EfsShare", () => {
  const json = synthScope((scope) => new EfsShare(scope, "share", props));

  it("creates an encrypted, provisioned file system that tiers to IA after 30 days", () => {
    expect(Object.values(resources(json, "aws_efs_file_system"))[0]).toMatchObject({
      creation_token: "demo-data",
      encrypted: true,
      performance_mode: "generalPurpose",
      throughput_mode: "provisioned",
      provisioned_throughput_in_mibps: 25,
      lifecycle_policy: [{ transition_to_ia: "AFTER_30_DAYS" }],
      tags: { Name: "demo-data-efs" },
    });
  });

  it("pins the access point to the directory as uid/gid 1000 with mode 755 by default", () => {
    expect(Object.values(resources(json, "aws_efs_access_point"))[0]).toMatchObject({
      posix_user: { uid: 1000, gid: 1000 },
      root_directory: { path: "/data", creation_info: { owner_uid: 1000, owner_gid: 1000, permissions: "755" } },
    });
  });

  it("places one mount target per subnet in the given security group", () => {
    expect(Object.values(resources(json, "aws_efs_mount_target"))[0]).toMatchObject({
      count: 2,
      security_groups: ["sg-1"],
      subnet_id: '${element(["subnet-a", "subnet-b"], count.index)}',
    });
  });

  it("turns automatic backups on by default", () => {
    expect(Object.values(resources(json, "aws_efs_backup_policy"))[0].backup_policy).toEqual({ status: "ENABLED" });
  });

  it("turns backups off when asked, and follows a Terraform variable", () => {
    const off = synthScope((s) => new EfsShare(s, "x", { ...props, backupEnabled: false }));
    expect(Object.values(resources(off, "aws_efs_backup_policy"))[0].backup_policy).toEqual({ status: "DISABLED" });
    const byVariable = synthScope((s) => {
      const v = new TerraformVariable(s, "backup", { type: "bool", default: true });
      new EfsShare(s, "x", { ...props, backupEnabled: v.booleanValue });
    });
    expect(Object.values(resources(byVariable, "aws_efs_backup_policy"))[0].backup_policy).toEqual({
      status: '${var.backup ? "ENABLED" : "DISABLED"}',
    });
  });

  it("fails when the root directory is / or relative", () => {
    expect(() => synthScope((s) => new EfsShare(s, "x", { ...props, rootDirectory: "/" }))).toThrow(
      /rootDirectory "\/" must be an absolute path other than "\/"/,
    );
    expect(() => synthScope((s) => new EfsShare(s, "x", { ...props, rootDirectory: "data" }))).toThrow(/rootDirectory "data"/);
  });

  it("fails when the permissions are not octal", () => {
    expect(() => synthScope((s) => new EfsShare(s, "x", { ...props, directoryPermissions: "rwx" }))).toThrow(
      /directoryPermissions "rwx" must be an octal mode/,
    );
  });
});

describe("EfsAccessPolicy", () => {
  const json = synthScope((scope) => {
    const share = new EfsShare(scope, "share", props);
    new EfsAccessPolicy(scope, "policy", {
      share,
      clients: [
        { roleArn: "arn:writer", access: "rw" },
        { roleArn: "arn:reader", access: "ro" },
      ],
    });
  });
  const policy = Object.values(resources(json, "aws_efs_file_system_policy"))[0].policy as string;

  it("denies every request without TLS", () => {
    expect(policy).toContain('"Effect" = "Deny"');
    expect(policy).toContain('"aws:SecureTransport" = "false"');
  });

  it("lets writers write and readers only mount, both through the access point", () => {
    expect(policy).toMatch(/"AWS" = \["arn:writer"\].*"Action" = \["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"\]/);
    expect(policy).toMatch(/"AWS" = \["arn:reader"\].*"Action" = \["elasticfilesystem:ClientMount"\],/);
    expect(policy.match(/elasticfilesystem:AccessPointArn/g)).toHaveLength(2);
  });

  it("gives a read-only client's role no ClientWrite", () => {
    synthScope((scope) => {
      const share = new EfsShare(scope, "share", props);
      expect(efsClientStatement(share, "ro").Action).toEqual(["elasticfilesystem:ClientMount"]);
      expect(efsClientStatement(share, "rw").Action).toEqual(["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"]);
    });
  });

  it("fails without clients", () => {
    expect(() =>
      synthScope((scope) => new EfsAccessPolicy(scope, "p", { share: new EfsShare(scope, "share", props), clients: [] })),
    ).toThrow(/clients is empty/);
  });
});

describe("EfsShare throughput modes", () => {
  it("sets provisioned throughput only in provisioned mode", () => {
    const elastic = synthScope((s) => new EfsShare(s, "x", { ...props, throughputMode: "elastic" }));
    expect(Object.values(resources(elastic, "aws_efs_file_system"))[0]).toMatchObject({ throughput_mode: "elastic" });
    expect(Object.values(resources(elastic, "aws_efs_file_system"))[0].provisioned_throughput_in_mibps).toBeUndefined();
  });

  it("fails on a mode EFS does not have", () => {
    expect(() => synthScope((s) => new EfsShare(s, "x", { ...props, throughputMode: "turbo" }))).toThrow(
      'EfsShare: throughputMode "turbo" must be "provisioned", "elastic" or "bursting"',
    );
  });
});
