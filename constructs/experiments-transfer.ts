import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { EfsAccessPoint } from "@cdktf/provider-aws/lib/efs-access-point";
import type { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { Fn, Token, type IResolvable } from "cdktf";
import { Construct } from "constructs";
import type { EfsClient } from "./efs-access-policy";
import { efsClientActions } from "./efs-access-policy";
import type { EfsShare } from "./efs-share";
import { TRANSFER_SCRIPT } from "./experiments-transfer-script";
import { ServiceRole } from "./service-role";
import { address } from "./terraform/addresses";
import { suppress } from "./terraform/suppress";

/** The transfer task's container, and where it sees the file system. */
export const TRANSFER_CONTAINER = "transfer";
/** The experiments, through the services' access point (read/write). */
export const TRANSFER_EXPERIMENTS_PATH = "/app/experiments";
/** The file system's root, through the restores access point (read-only): AWS Backup restores into `aws-backup-restore_<time>` there. */
export const TRANSFER_RESTORES_PATH = "/mnt/efs-root";
/** Python with its standard library only, from the ECR Public Gallery's Docker official images (no login, pulled through the NAT gateway). */
export const TRANSFER_IMAGE = "public.ecr.aws/docker/library/python:3.12-slim";

/**
 * The container's command: the program (TRANSFER_SCRIPT) base64-encoded, so that no character of it can be read by
 * Terraform's template syntax or need escaping in the task definition's JSON.
 */
export function transferCommand(script: string = TRANSFER_SCRIPT): string[] {
  const encoded = Buffer.from(script, "utf8").toString("base64");
  // Single quotes only: CDKTF writes the string into jsonencode() without escaping double quotes.
  return ["python3", "-c", `import base64; exec(compile(base64.b64decode('${encoded}'), 'transfer.py', 'exec'))`];
}

export interface ExperimentsTransferProps {
  /**
   * Create the task definition or not (a bool token gives `count = x ? 1 : 0`): like the services' task
   * definitions, it follows create_ecs_services. Its roles, log group and access point exist either way.
   * @default true
   */
  readonly enabled?: boolean | IResolvable;
  /** The experiments share the task mounts. */
  readonly share: EfsShare;
  /** Prefix of names: `<prefix>-experiments-transfer` (task family), `/ops/<prefix>-experiments-transfer` (log group), `<prefix>-transfer-…-role`. */
  readonly namePrefix: string;
  /** AWS region (for the awslogs driver). */
  readonly region: string;
  /** Retention of the task's log group, in days. */
  readonly logRetentionDays: number;
  /** Fargate CPU units of one transfer task. @default 512 */
  readonly cpu?: number;
  /** Fargate memory of one transfer task, in MiB. @default 1024 */
  readonly memoryMiB?: number;
  /** The container image. @default TRANSFER_IMAGE */
  readonly image?: string;
}

/**
 * A one-off Fargate task definition that moves experiments between S3 and
 * the experiments file system (`npm run ops -- upload|download|bring-back`),
 * never a service: it runs only when the CLI starts it, for the minutes a
 * transfer takes. It mounts the share through the services' access point
 * (read/write) and the file system's root through a second access point,
 * read-only, to reach AWS Backup's restore directories, which lie outside the
 * services' root. It reads and writes S3 only through presigned URLs the CLI
 * makes, so its task role holds nothing but the two mounts. Its role must be
 * among the file system policy's clients (`experimentsClients`): the policy
 * admits only the roles it names.
 */
export class ExperimentsTransfer extends Construct {
  public readonly taskDefinition: EcsTaskDefinition;
  /** The task family while the task definition exists, else "" (for the root's output). */
  public readonly family: string;
  public readonly taskRole: IamRole;
  public readonly executionRole: IamRole;
  public readonly restoresAccessPoint: EfsAccessPoint;
  public readonly logGroup: CloudwatchLogGroup;
  /** The task role as clients of the file system policy: read/write through the share's access point, read-only through the restores one. */
  public readonly experimentsClients: readonly EfsClient[];

  constructor(scope: Construct, id: string, props: ExperimentsTransferProps) {
    super(scope, id);
    const { share } = props;
    const family = `${props.namePrefix}-experiments-transfer`;
    // Not under /ecs/: that prefix holds the services' log groups only.
    const logGroupName = `/ops/${family}`;
    const enabled = props.enabled ?? true;

    this.restoresAccessPoint = address(
      new EfsAccessPoint(this, "restores-access-point", {
        fileSystemId: share.fileSystem.id,
        posixUser: { uid: 1000, gid: 1000 },
        rootDirectory: { path: "/" },
        tags: { Name: `${props.namePrefix}-restores-access-point` },
      }),
    );
    suppress(
      this.restoresAccessPoint,
      "EFS-AP-SCOPED",
      "AWS Backup restores into aws-backup-restore_<time> at the file system's root, outside the services' access point; only the transfer task role may mount this one, read-only (ClientMount without ClientWrite in the file system policy).",
    );

    this.logGroup = address(
      new CloudwatchLogGroup(this, "log-group", {
        name: logGroupName,
        retentionInDays: props.logRetentionDays,
        tags: { Name: `${props.namePrefix}-transfer-logs`, Service: "Experiments transfer" },
      }),
    );

    this.executionRole = this.executionRoleFor(props.namePrefix);
    this.taskRole = this.taskRoleFor(props.namePrefix, share);
    this.experimentsClients = [
      { roleArn: this.taskRole.arn, access: "rw" },
      { roleArn: this.taskRole.arn, access: "ro", accessPointArn: this.restoresAccessPoint.arn, accessPointName: "Restores" },
    ];

    this.taskDefinition = this.taskDefinitionFor(props, { family, logGroupName, enabled });
    this.family = enabled === true ? family : Token.asString(Fn.conditional(enabled, family, ""));
  }

  /** Starts the task: writes its logs (its image is public). */
  private executionRoleFor(namePrefix: string): IamRole {
    return new ServiceRole(this, "execution-role", {
      roleName: `${namePrefix}-transfer-execution-role`,
      assumedBy: "ecs-tasks.amazonaws.com",
      description: "Starts the experiments transfer task: writes its logs (its image is public)",
      statements: [
        { Sid: "Logs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${this.logGroup.arn}:*` },
      ],
      tags: { Name: "Experiments Transfer Execution Role" },
    }).role;
  }

  /** The task: the two mounts, nothing else. */
  private taskRoleFor(namePrefix: string, share: EfsShare): IamRole {
    return new ServiceRole(this, "task-role", {
      roleName: `${namePrefix}-transfer-task-role`,
      assumedBy: "ecs-tasks.amazonaws.com",
      description: "The experiments transfer task: mounts the experiments (read/write) and the restores (read-only)",
      statements: [
        {
          Sid: "ExperimentsReadWrite",
          Effect: "Allow",
          Action: efsClientActions("rw"),
          Resource: share.fileSystem.arn,
          Condition: { StringEquals: { "elasticfilesystem:AccessPointArn": share.accessPoint.arn } },
        },
        {
          Sid: "RestoresReadOnly",
          Effect: "Allow",
          Action: efsClientActions("ro"),
          Resource: share.fileSystem.arn,
          Condition: { StringEquals: { "elasticfilesystem:AccessPointArn": this.restoresAccessPoint.arn } },
        },
      ],
      tags: { Name: "Experiments Transfer Task Role" },
    }).role;
  }

  /** The task definition: one container, the share read/write and the restores read-only. */
  private taskDefinitionFor(
    props: ExperimentsTransferProps,
    names: { family: string; logGroupName: string; enabled: boolean | IResolvable },
  ): EcsTaskDefinition {
    const { share } = props;
    const { family, logGroupName, enabled } = names;
    const cpu = props.cpu ?? 512;
    const memory = props.memoryMiB ?? 1024;
    const volume = (name: string, accessPointId: string) => ({
      name,
      efsVolumeConfiguration: {
        fileSystemId: share.fileSystem.id,
        rootDirectory: "/",
        transitEncryption: "ENABLED",
        transitEncryptionPort: 2049,
        authorizationConfig: { accessPointId, iam: "ENABLED" },
      },
    });

    return address(
      new EcsTaskDefinition(this, "task-definition", {
        count: enabled === true ? undefined : Token.asNumber(Fn.conditional(enabled, 1, 0)),
        family,
        networkMode: "awsvpc",
        requiresCompatibilities: ["FARGATE"],
        cpu: String(cpu),
        memory: String(memory),
        executionRoleArn: this.executionRole.arn,
        taskRoleArn: this.taskRole.arn,
        containerDefinitions: Fn.jsonencode([
          {
            name: TRANSFER_CONTAINER,
            image: props.image ?? TRANSFER_IMAGE,
            essential: true,
            command: transferCommand(),
            mountPoints: [
              { sourceVolume: "experiments", containerPath: TRANSFER_EXPERIMENTS_PATH, readOnly: false },
              { sourceVolume: "restores", containerPath: TRANSFER_RESTORES_PATH, readOnly: true },
            ],
            logConfiguration: {
              logDriver: "awslogs",
              options: { "awslogs-group": logGroupName, "awslogs-region": props.region, "awslogs-stream-prefix": "transfer" },
            },
          },
        ]),
        volume: [volume("experiments", share.accessPoint.id), volume("restores", this.restoresAccessPoint.id)],
        tags: { Name: `${props.namePrefix}-experiments-transfer-task` },
        dependsOn: [this.logGroup],
      }),
    );
  }
}
