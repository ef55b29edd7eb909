import type { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Fn, Token } from "cdktf";
import { Construct } from "constructs";
import { EfsAccessPolicy, efsClientStatement, type EfsClient } from "../../constructs/efs-access-policy";
import { ServiceRole } from "../../constructs/service-role";
import { address } from "../../constructs/terraform/addresses";
import { policyDocument, type PolicyStatement } from "../../constructs/terraform/iam";
import type { PlatformInputs, PlatformNames, PlatformService } from "../platform-stack";
import type { StorageUnit } from "../storage-unit";

export interface ServiceIamProps {
  readonly inputs: PlatformInputs;
  readonly services: readonly PlatformService[];
  readonly storage: StorageUnit;
  readonly names: PlatformNames;
  /** The log group of ECS Exec sessions (exists while ecs_exec_enabled is on). */
  readonly execLogGroupArn: string;
  /** Roles besides the services' that mount the experiments (the transfer task's); the file system policy admits only the roles it names. @default - none */
  readonly experimentsClients?: readonly EfsClient[];
}

/** How policies name a service's store (`MlflowStore`). */
const storeName = (key: string) => `${key.charAt(0).toUpperCase()}${key.slice(1)}Store`;

/** The AWS managed policy Application Auto Scaling needs on ECS. */
export const AUTOSCALE_MANAGED_POLICY_ARN = "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceAutoscaleRole";

/**
 * The services' IAM: the execution role (pull the images, write the logs,
 * read the WANDB secret), one task role per service with only what that
 * service needs (the design's access matrix), the experiments file system's
 * policy naming those roles, and the role Application Auto Scaling uses.
 * The live platform's role names stay (a role's name forces its replacement).
 */
export class ServiceIam extends Construct {
  public readonly executionRole: IamRole;
  /** Each service's task role, by service key. */
  public readonly taskRoles: Readonly<Record<string, IamRole>>;
  public readonly autoscaleRole: IamRole;

  constructor(scope: Construct, id: string, props: ServiceIamProps) {
    super(scope, id);
    const { services, storage } = props;

    this.executionRole = this.executionRoleFor(props);
    const taskRoles = this.taskRolesFor(props);
    this.taskRoles = taskRoles;
    this.execPolicies(props, taskRoles);

    new EfsAccessPolicy(this, "experiments-access", {
      share: storage.experiments,
      clients: [
        ...services.flatMap(({ key, spec }): EfsClient[] => [
          ...(spec.experiments === "none" ? [] : [{ roleArn: taskRoles[key].arn, access: spec.experiments }]),
          // A store admits its own service only, read-write, through its own access point.
          ...(spec.store
            ? [
                {
                  roleArn: taskRoles[key].arn,
                  access: "rw" as const,
                  accessPointArn: storage.stores[key].arn,
                  accessPointName: storeName(key),
                },
              ]
            : []),
        ]),
        ...(props.experimentsClients ?? []),
      ],
    });

    this.autoscaleRole = new ServiceRole(this, "autoscale-role", {
      roleName: props.names.scoped("ecsAutoScaleRole"),
      assumedBy: "application-autoscaling.amazonaws.com",
      tags: { Name: "ECS Auto Scale Role" },
      managedPolicyArns: [AUTOSCALE_MANAGED_POLICY_ARN],
      statements: [],
    }).role;
  }

  /** Pulls the images, writes the logs, reads the WANDB secret. */
  private executionRoleFor(props: ServiceIamProps): IamRole {
    const { services, storage } = props;
    return new ServiceRole(this, "execution-role", {
      roleName: props.names.scoped("ecsTaskExecutionRole"),
      policyName: "ecsTaskExecutionRolePolicy",
      assumedBy: "ecs-tasks.amazonaws.com",
      tags: { Name: "ECS Task Execution Role" },
      statements: [
        { Sid: "EcrLogin", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
        {
          Sid: "EcrPull",
          Effect: "Allow",
          Action: ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
          Resource: storage.registry.repository.arn,
        },
        {
          Sid: "Logs",
          Effect: "Allow",
          Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
          Resource: services.map(({ key }) => `${storage.logGroups[key].arn}:*`),
        },
        { Sid: "WandbSecret", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: storage.wandbSecret.arn },
      ],
    }).role;
  }

  /** One task role per service with only what that service needs: the experiments, its store, the artifacts bucket. */
  private taskRolesFor(props: ServiceIamProps): Record<string, IamRole> {
    const { inputs, services, storage } = props;
    const bucketArn = storage.artifacts.bucket.arn;
    const artifactsStatements: PolicyStatement[] = [
      { Sid: "ArtifactsList", Effect: "Allow", Action: ["s3:ListBucket", "s3:GetBucketLocation"], Resource: bucketArn },
      {
        Sid: "ArtifactsReadWrite",
        Effect: "Allow",
        Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
        Resource: `${bucketArn}/*`,
      },
    ];
    const taskRoles: Record<string, IamRole> = {};
    for (const { key, spec } of services) {
      const statements: PolicyStatement[] = [];
      if (spec.experiments !== "none") statements.push(efsClientStatement(storage.experiments, spec.experiments));
      if (spec.store)
        statements.push(efsClientStatement(storage.experiments, "rw", { arn: storage.stores[key].arn, name: storeName(key) }));
      if (spec.artifactsBucketAccess) statements.push(...artifactsStatements);
      taskRoles[key] = new ServiceRole(this, `${key}-task-role`, {
        roleName: props.names.scoped(spec.taskRole?.roleName ?? `${inputs.project_name}-${key}-task-role`),
        assumedBy: "ecs-tasks.amazonaws.com",
        // Inline policy names are the role's own: no suffix needed.
        policyName: spec.taskRole?.policyName ?? `${inputs.project_name}-${key}-task-rolePolicy`,
        statements,
        tags: { Name: spec.taskRole?.nameTag ?? `ECS ${spec.displayName} Task Role` },
      }).role;
    }
    return taskRoles;
  }

  /** ECS Exec: the SSM message channels (AWS defines them on "*" only) and the session log, while ecs_exec_enabled is on. */
  private execPolicies(props: ServiceIamProps, taskRoles: Readonly<Record<string, IamRole>>): void {
    const { inputs, services } = props;
    for (const { key } of services) {
      address(
        new IamRolePolicy(this, `${key}-exec-policy`, {
          count: Token.asNumber(Fn.conditional(inputs.ecs_exec_enabled, 1, 0)),
          name: "ecsExecPolicy",
          role: taskRoles[key].id,
          policy: policyDocument([
            {
              Sid: "ExecChannels",
              Effect: "Allow",
              Action: [
                "ssmmessages:CreateControlChannel",
                "ssmmessages:CreateDataChannel",
                "ssmmessages:OpenControlChannel",
                "ssmmessages:OpenDataChannel",
              ],
              Resource: "*",
            },
            { Sid: "ExecLogGroups", Effect: "Allow", Action: "logs:DescribeLogGroups", Resource: "*" },
            {
              Sid: "ExecSessionLogs",
              Effect: "Allow",
              Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
              Resource: `${props.execLogGroupArn}:*`,
            },
          ]),
        }),
      );
    }
  }
}
