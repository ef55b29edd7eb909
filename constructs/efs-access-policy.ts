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
  /** The access point it mounts through. @default - the share's own access point */
  readonly accessPointArn?: string;
  /** How the statement names that access point (`ReadWriteThrough<name>`). @default "AccessPoint" */
  readonly accessPointName?: string;
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

/**
 * Identity-policy statement for a task role: mount (and write) the share through one access point only
 * (the share's own by default), named `<name>ReadWrite` / `<name>ReadOnly`.
 */
export function efsClientStatement(
  share: EfsShare,
  access: EfsClientAccess,
  through = { arn: share.accessPoint.arn, name: "Experiments" },
): PolicyStatement {
  return {
    Sid: `${through.name}${access === "rw" ? "ReadWrite" : "ReadOnly"}`,
    Effect: "Allow",
    Action: efsClientActions(access),
    Resource: share.fileSystem.arn,
    Condition: { StringEquals: { "elasticfilesystem:AccessPointArn": through.arn } },
  };
}

/**
 * The file system policy of an `EfsShare`: every request without TLS is
 * denied, and only the listed roles may mount, each through the access
 * point, with write access only where granted. Once a file system has a
 * policy, a client without IAM authorization can no longer mount it.
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
    // One statement per access point and access level, in the order the clients first name them.
    const groups = new Map<string, { access: EfsClientAccess; arn: string; name: string; roles: string[] }>();
    for (const c of props.clients) {
      const arn = c.accessPointArn ?? props.share.accessPoint.arn;
      const name = c.accessPointName ?? "AccessPoint";
      const key = `${c.access} ${name}`;
      const group = groups.get(key) ?? { access: c.access, arn, name, roles: [] };
      group.roles.push(c.roleArn);
      groups.set(key, group);
    }
    const ordered = [...groups.values()].sort((a, b) => Number(a.access === "ro") - Number(b.access === "ro"));
    for (const { access, arn, name, roles } of ordered) {
      statements.push({
        Sid: `${access === "rw" ? "ReadWrite" : "ReadOnly"}Through${name}`,
        Effect: "Allow",
        Principal: { AWS: roles },
        Action: efsClientActions(access),
        Resource: fs.arn,
        Condition: {
          StringEquals: { "elasticfilesystem:AccessPointArn": arn },
          Bool: { "elasticfilesystem:AccessedViaMountTarget": "true" },
        },
      });
    }
    this.policy = address(new EfsFileSystemPolicy(this, "policy", { fileSystemId: fs.id, policy: policyDocument(statements) }));
  }
}
