import { EfsFileSystemPolicy } from "@cdktf/provider-aws/lib/efs-file-system-policy";
import { Construct } from "constructs";
import { address } from "./terraform/addresses";
import { policyDocument, type PolicyStatement } from "./terraform/iam";
import type { EfsShare } from "./efs-share";

/** What a client may do on the share: mount and write, or mount read-only. */
export type EfsClientAccess = "rw" | "ro";

export interface EfsClient {
  /** The client's IAM role ARN (an ECS task role). */
  readonly roleArn: string;
  readonly access: EfsClientAccess;
  /** The access point it mounts through. @default - the share's access point */
  readonly accessPointArn?: string;
}

export interface EfsAccessPolicyProps {
  readonly share: EfsShare;
  /** Every role that may mount the share; nobody else may. */
  readonly clients: readonly EfsClient[];
}

/** The EFS actions a client role needs for an access level. */
export function efsClientActions(access: EfsClientAccess): string[] {
  return access === "rw" ? ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"] : ["elasticfilesystem:ClientMount"];
}

/** Identity-policy statement for a task role: mount (and write) the share through its access point only. */
export function efsClientStatement(share: EfsShare, access: EfsClientAccess): PolicyStatement {
  return {
    Sid: access === "rw" ? "ExperimentsReadWrite" : "ExperimentsReadOnly",
    Effect: "Allow",
    Action: efsClientActions(access),
    Resource: share.fileSystem.arn,
    Condition: { StringEquals: { "elasticfilesystem:AccessPointArn": share.accessPoint.arn } },
  };
}

/**
 * The file system policy of an `EfsShare`: every request without TLS is
 * denied, and only the listed roles may mount, each through its access
 * point (the share's unless it names another), with write access only
 * where granted. Once a file system has a policy, a client without IAM
 * authorization can no longer mount it.
 */
export class EfsAccessPolicy extends Construct {
  public readonly policy: EfsFileSystemPolicy;

  constructor(scope: Construct, id: string, props: EfsAccessPolicyProps) {
    super(scope, id);
    if (props.clients.length === 0) {
      throw new Error("EfsAccessPolicy: clients is empty; at least one role must be allowed to mount the share");
    }
    const fs = props.share.fileSystem;
    const statements: PolicyStatement[] = [
      {
        Sid: "DenyWithoutTls",
        Effect: "Deny",
        Principal: { AWS: "*" },
        Action: "*",
        Resource: fs.arn,
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ];
    // One statement per access level and access point: the share's first (read/write, read-only), then any other.
    // (Each read of a token attribute is a new string: the share's access point is kept as undefined.)
    const accessPoints = [undefined, ...new Set(props.clients.flatMap((c) => (c.accessPointArn === undefined ? [] : [c.accessPointArn])))];
    accessPoints.forEach((accessPointArn, i) => {
      for (const access of ["rw", "ro"] as const) {
        const roles = props.clients.filter((c) => c.access === access && c.accessPointArn === accessPointArn).map((c) => c.roleArn);
        if (roles.length === 0) continue;
        statements.push({
          Sid: `${access === "rw" ? "ReadWriteThroughAccessPoint" : "ReadOnlyThroughAccessPoint"}${i === 0 ? "" : i + 1}`,
          Effect: "Allow",
          Principal: { AWS: roles },
          Action: efsClientActions(access),
          Resource: fs.arn,
          Condition: {
            StringEquals: { "elasticfilesystem:AccessPointArn": accessPointArn ?? props.share.accessPoint.arn },
            Bool: { "elasticfilesystem:AccessedViaMountTarget": "true" },
          },
        });
      }
    });
    this.policy = address(new EfsFileSystemPolicy(this, "policy", { fileSystemId: fs.id, policy: policyDocument(statements) }));
  }
}
