import { describe, expect, it } from "vitest";
import { ArtifactsBucket } from "../constructs/artifacts-bucket";
import { ContainerRegistry } from "../constructs/container-registry";
import { ServiceRole } from "../constructs/service-role";
import { resources, synthScope } from "./helpers";

describe("ArtifactsBucket", () => {
  const json = synthScope((scope) => new ArtifactsBucket(scope, "bucket", { bucketName: "demo-artifacts" }));

  it("blocks every kind of public access", () => {
    expect(Object.values(resources(json, "aws_s3_bucket_public_access_block"))[0]).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
  });

  it("refuses requests without TLS", () => {
    const policy = Object.values(resources(json, "aws_s3_bucket_policy"))[0].policy as string;
    expect(policy).toContain('"Effect" = "Deny"');
    expect(policy).toContain('"aws:SecureTransport" = "false"');
  });

  it("versions, encrypts and tiers objects, expiring old versions and aborted uploads", () => {
    expect(Object.values(resources(json, "aws_s3_bucket_versioning"))[0].versioning_configuration).toEqual({ status: "Enabled" });
    const rules = Object.values(resources(json, "aws_s3_bucket_lifecycle_configuration"))[0].rule;
    expect(rules).toEqual([
      expect.objectContaining({ id: "delete_old_versions", noncurrent_version_expiration: [{ noncurrent_days: 90 }] }),
      expect.objectContaining({
        id: "transition_to_ia",
        transition: [
          { days: 30, storage_class: "STANDARD_IA" },
          { days: 60, storage_class: "GLACIER" },
        ],
      }),
      expect.objectContaining({ id: "abort_incomplete_uploads", abort_incomplete_multipart_upload: [{ days_after_initiation: 7 }] }),
    ]);
  });

  it("fails when GLACIER comes before STANDARD_IA", () => {
    expect(() =>
      synthScope((s) => new ArtifactsBucket(s, "b", { bucketName: "x", infrequentAccessAfterDays: 60, glacierAfterDays: 30 })),
    ).toThrow(/glacierAfterDays \(30\) must be later than infrequentAccessAfterDays \(60\)/);
  });
});

describe("ContainerRegistry", () => {
  const json = synthScope((scope) => new ContainerRegistry(scope, "registry", { repositoryName: "demo" }));

  it("scans on push and keeps tags mutable for the team's app/mlflow/tensorboard tags", () => {
    expect(Object.values(resources(json, "aws_ecr_repository"))[0]).toMatchObject({
      name: "demo",
      image_tag_mutability: "MUTABLE",
      image_scanning_configuration: { scan_on_push: true },
    });
  });

  it("keeps 12 release images and expires untagged ones after a day", () => {
    const policy = Object.values(resources(json, "aws_ecr_lifecycle_policy"))[0].policy as string;
    expect(policy).toContain('"countNumber" = 12');
    expect(policy).toContain('"tagPrefixList" = ["v"]');
    expect(policy).toMatch(/"tagStatus" = "untagged".*"countNumber" = 1/);
  });
});

describe("ServiceRole", () => {
  it("creates the role and its inline policy as two resources", () => {
    const json = synthScope(
      (scope) =>
        new ServiceRole(scope, "role", {
          roleName: "demoRole",
          assumedBy: "ecs-tasks.amazonaws.com",
          statements: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" }],
        }),
    );
    expect(Object.values(resources(json, "aws_iam_role"))[0].name).toBe("demoRole");
    expect(Object.values(resources(json, "aws_iam_role_policy"))[0].name).toBe("demoRolePolicy");
  });

  it("fails on a wildcard action on every resource", () => {
    expect(() =>
      synthScope(
        (scope) =>
          new ServiceRole(scope, "role", {
            roleName: "bad",
            assumedBy: "ecs-tasks.amazonaws.com",
            statements: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }],
          }),
      ),
    ).toThrow(/allows a wildcard action on "\*"/);
  });

  it("creates no inline policy for a role without statements, and attaches managed policies", () => {
    const json = synthScope(
      (scope) =>
        new ServiceRole(scope, "role", {
          roleName: "quiet",
          assumedBy: "ecs-tasks.amazonaws.com",
          statements: [],
          managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
        }),
    );
    expect(Object.values(resources(json, "aws_iam_role"))).toHaveLength(1);
    expect(resources(json, "aws_iam_role_policy")).toEqual({});
    expect(Object.values(resources(json, "aws_iam_role_policy_attachment"))[0].policy_arn).toBe("arn:aws:iam::aws:policy/ReadOnlyAccess");
  });
});
