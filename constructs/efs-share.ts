import { EfsAccessPoint } from "@cdktf/provider-aws/lib/efs-access-point";
import { EfsBackupPolicy } from "@cdktf/provider-aws/lib/efs-backup-policy";
import { EfsFileSystem } from "@cdktf/provider-aws/lib/efs-file-system";
import { EfsMountTarget } from "@cdktf/provider-aws/lib/efs-mount-target";
import { Fn, Op, TerraformCount, Token, type IResolvable } from "cdktf";
import { Construct } from "constructs";
import { address } from "./terraform/addresses";
import { holdsData } from "./terraform/protect";

/** POSIX identity that every client of the access point acts as. */
export interface PosixIdentity {
  readonly uid: number;
  readonly gid: number;
}

export interface EfsShareProps {
  /** Idempotency token of the file system; ForceNew, so never change it on a live file system. */
  readonly creationToken: string;
  /** `Name` tag of the file system (the console's name). */
  readonly name: string;
  /** `Name` tag of the access point. */
  readonly accessPointName: string;
  /**
   * How throughput is bought: "provisioned" (a fixed rate, billed per MiB/s-month whether used or not),
   * "elastic" (billed per GB read and written) or "bursting" (grows with the data stored). A token is fine.
   * @default "provisioned"
   */
  readonly throughputMode?: string;
  /** Provisioned throughput in MiB/s (a token is fine); applies in provisioned mode only. */
  readonly provisionedThroughputMibps: number;
  /** Subnet ids to place one mount target in each. */
  readonly subnetIds: string[];
  /** Number of mount targets (= number of subnets; a token is fine). */
  readonly mountTargetCount: number;
  /** Security group of the mount targets (NFS from the clients only). */
  readonly securityGroupId: string;
  /** Directory the access point exposes as `/`; created with `directoryPermissions` on first use. */
  readonly rootDirectory: string;
  /** Identity of every NFS operation through the access point. @default uid 1000, gid 1000 */
  readonly posixUser?: PosixIdentity;
  /** Octal permissions of a newly created root directory. @default "755" */
  readonly directoryPermissions?: string;
  /** Move files not read for this long to Infrequent Access. @default "AFTER_30_DAYS" */
  readonly transitionToIa?: string;
  /** Turn EFS automatic daily backups (AWS Backup) on (a token is fine). @default true */
  readonly backupEnabled?: boolean | IResolvable;
  /** Refuse any plan that would destroy or replace the file system (see `holdsData`). @default true */
  readonly protectData?: boolean;
}

/**
 * An encrypted, general-purpose EFS file system with provisioned
 * throughput, one mount target per subnet, and one access point that pins
 * a directory and a POSIX identity, as the shared experiments store of the
 * AutoVisionAI services. Who may mount and write is decided by
 * `EfsAccessPolicy`, which needs the clients' roles.
 */
export class EfsShare extends Construct {
  public readonly fileSystem: EfsFileSystem;
  public readonly accessPoint: EfsAccessPoint;
  public readonly mountTargets: EfsMountTarget;
  /** The root directory clients see through the access point. */
  public readonly rootDirectory: string;

  constructor(scope: Construct, id: string, props: EfsShareProps) {
    super(scope, id);
    checkDirectory(props.rootDirectory, props.directoryPermissions ?? "755");
    this.rootDirectory = props.rootDirectory;
    const mode = props.throughputMode ?? "provisioned";
    if (!Token.isUnresolved(mode) && !["provisioned", "elastic", "bursting"].includes(mode)) {
      throw new Error(`EfsShare: throughputMode "${mode}" must be "provisioned", "elastic" or "bursting"`);
    }

    this.fileSystem = address(
      new EfsFileSystem(this, "file-system", {
        creationToken: props.creationToken,
        performanceMode: "generalPurpose",
        throughputMode: mode,
        provisionedThroughputInMibps: Token.isUnresolved(mode)
          ? Token.asNumber(Fn.conditional(Op.eq(mode, "provisioned"), props.provisionedThroughputMibps, Token.nullValue()))
          : mode === "provisioned"
            ? props.provisionedThroughputMibps
            : undefined,
        encrypted: true,
        lifecyclePolicy: [{ transitionToIa: props.transitionToIa ?? "AFTER_30_DAYS" }],
        tags: { Name: props.name },
        // The token only makes creation idempotent, and a new one forces a new file system: a later change
        // of what it is built from (the project name) is ignored instead of emptying the share.
        lifecycle: { ignoreChanges: ["creation_token"] },
      }),
    );
    if (props.protectData ?? true) holdsData(this.fileSystem, "the experiments: every file on the share");

    const count = TerraformCount.of(props.mountTargetCount);
    this.mountTargets = address(
      new EfsMountTarget(this, "mount-targets", {
        count,
        fileSystemId: this.fileSystem.id,
        subnetId: Fn.element(props.subnetIds, count.index),
        securityGroups: [props.securityGroupId],
      }),
    );

    this.accessPoint = this.addAccessPoint("access-point", {
      name: props.accessPointName,
      rootDirectory: props.rootDirectory,
      posixUser: props.posixUser,
      directoryPermissions: props.directoryPermissions,
    });

    const backup = props.backupEnabled ?? true;
    address(
      new EfsBackupPolicy(this, "backup-policy", {
        fileSystemId: this.fileSystem.id,
        backupPolicy: {
          status: typeof backup === "boolean" ? (backup ? "ENABLED" : "DISABLED") : Fn.conditional(backup, "ENABLED", "DISABLED"),
        },
      }),
    );
  }

  /**
   * Another access point on the share: its own directory (created on first use, owned by the POSIX user, with
   * the given mode) and identity. Clients that mount through it see only that directory.
   */
  public addAccessPoint(id: string, options: AccessPointOptions): EfsAccessPoint {
    const posix = options.posixUser ?? { uid: 1000, gid: 1000 };
    const permissions = options.directoryPermissions ?? "755";
    checkDirectory(options.rootDirectory, permissions);
    return address(
      new EfsAccessPoint(this, id, {
        fileSystemId: this.fileSystem.id,
        posixUser: { uid: posix.uid, gid: posix.gid },
        rootDirectory: {
          path: options.rootDirectory,
          creationInfo: { ownerUid: posix.uid, ownerGid: posix.gid, permissions },
        },
        tags: { Name: options.name },
      }),
    );
  }
}

/** An access point's settings. */
export interface AccessPointOptions {
  /** `Name` tag. */
  readonly name: string;
  /** The directory clients see as `/`; not the file system's root. */
  readonly rootDirectory: string;
  /** @default uid 1000, gid 1000 */
  readonly posixUser?: PosixIdentity;
  /** Octal mode of a newly created root directory. @default "755" */
  readonly directoryPermissions?: string;
}

function checkDirectory(rootDirectory: string, permissions: string): void {
  if (!/^[0-7]{3,4}$/.test(permissions)) {
    throw new Error(`EfsShare: directoryPermissions "${permissions}" must be an octal mode such as "755"`);
  }
  if (!rootDirectory.startsWith("/") || rootDirectory === "/") {
    throw new Error(`EfsShare: rootDirectory "${rootDirectory}" must be an absolute path other than "/"`);
  }
}
