import type { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { EcsService, type EcsServiceAlarms } from "@cdktf/provider-aws/lib/ecs-service";
import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import type { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import type { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import { Fn, Op, TerraformIterator, Token, type IResolvable, type ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { address, instanceRef } from "./terraform/addresses";

/** An EFS access point mounted into the container (TLS and IAM authorization on). */
export interface EfsMount {
  /** The task definition's name for the volume. */
  readonly volumeName: string;
  readonly fileSystemId: string;
  readonly accessPointId: string;
  /** Where the container sees it. */
  readonly containerPath: string;
  readonly readOnly: boolean;
}

/** ALB and container health checks. */
export interface WebHealthCheck {
  /** HTTP path probed by the ALB and by `curl` inside the container. */
  readonly path: string;
  readonly intervalSeconds: number;
  readonly timeoutSeconds: number;
  readonly healthyThreshold: number;
  readonly unhealthyThreshold: number;
  /** Grace time after a container starts before its health check counts. */
  readonly containerStartPeriodSeconds: number;
  /** Path the container health check probes. @default - `path` */
  readonly containerPath?: string;
  /** HTTP codes that mean healthy. @default "200" */
  readonly matcher?: string;
}

/** HTTPS on the service's own listener port, while `enabled`. */
export interface ListenerTls {
  readonly enabled: boolean | IResolvable;
  readonly certificateArn: string;
  readonly sslPolicy: string;
}

/** CloudWatch alarms that ECS watches during a deploy (the service's `alarms` block). */
export interface DeploymentAlarms {
  /** Alarm names (a list token is fine); with none, the service has no `alarms` block. */
  readonly names: string[];
  /** Watch them during deploys (a bool token is fine). */
  readonly enabled: boolean | IResolvable;
  /** Roll the deploy back when one goes to ALARM (a bool token is fine). */
  readonly rollback: boolean | IResolvable;
}

/** How ECS replaces tasks on a deploy. */
export interface RollingDeployment {
  readonly minimumHealthyPercent: number;
  readonly maximumPercent: number;
  /** Roll back to the last working task definition when new tasks keep failing. */
  readonly circuitBreakerRollback: boolean | IResolvable;
  /** Start new tasks on every apply, even when nothing in the task definition changed. */
  readonly forceNewDeployment: boolean;
}

/** A second setup of the container (command, extra environment and secrets), used while `when` holds. */
export interface ContainerVariant {
  /** A bool token is fine: the task definition is the variant's while it is true. */
  readonly when: boolean | IResolvable;
  readonly command: readonly string[];
  /** Added to the service's environment. @default - none */
  readonly environment?: Readonly<Record<string, string>>;
  /** Added to the service's secrets: name → `valueFrom`. @default - none */
  readonly secrets?: Readonly<Record<string, string>>;
}

export interface FargateWebServiceProps {
  /** Create the service (task definition, service, target group, listener) or not: a bool token gives `count = x ? 1 : 0`. */
  readonly enabled: boolean | IResolvable;
  /** ECS service name (unique in its cluster). */
  readonly serviceName: string;
  /** Task definition family (unique in the region). @default - `serviceName` */
  readonly family?: string;
  /** Target group name (unique in the region, at most 32 characters). @default - `<serviceName>-tg` */
  readonly targetGroupName?: string;
  /** Container name, Service Connect port name, discovery name and DNS alias. */
  readonly containerName: string;
  /** Prefix of the `Name` tags (`<prefix>-<containerName>-task` …). */
  readonly namePrefix: string;
  readonly image: string;
  readonly command: readonly string[];
  /** Plain environment variables; never credentials (see `secrets`). */
  readonly environment: Readonly<Record<string, string>>;
  /** Environment variables read from Secrets Manager: name → secret ARN. */
  readonly secrets: Readonly<Record<string, string>>;
  /** Another command, environment and secrets while a condition holds (the same service, another setup). @default - none */
  readonly variant?: ContainerVariant;
  readonly cpu: number;
  readonly memoryMiB: number;
  /**
   * Tasks the service starts with. Autoscaling owns the running count afterwards: later changes of this value
   * are ignored by an existing service, so that an apply never resets the count autoscaling chose.
   */
  readonly desiredCount: number;
  /**
   * Share of tasks, in percent, on Fargate Spot (a token is fine). 0 runs every task on regular Fargate with the
   * FARGATE launch type; more than 0 uses a FARGATE/FARGATE_SPOT capacity provider strategy weighted by it (the
   * cluster must offer both). Moving between the two replaces the ECS service.
   * @default 0
   */
  readonly spotPercent?: number;
  /** Let ECS Exec open sessions in the tasks (the task role needs the SSM channel permissions). @default false */
  readonly executeCommand?: boolean | IResolvable;
  /** Resources the service needs first (the cluster's capacity providers). @default - none */
  readonly dependsOn?: readonly ITerraformDependable[];
  /** Container, target group and listener port. */
  readonly port: number;
  readonly healthCheck: WebHealthCheck;
  readonly deployment: RollingDeployment;
  /** Put the service behind the load balancer (target group, listener); a bool token is fine. @default true */
  readonly public?: boolean | IResolvable;
  /** Serve the listener port over HTTPS while TLS is enabled. @default - plain HTTP */
  readonly listenerTls?: ListenerTls;
  /** Alarms that fail (and may roll back) a deploy when they fire during it. @default - none */
  readonly deploymentAlarms?: DeploymentAlarms;
  /**
   * Load-balancer cookie stickiness of the target group (bool and number tokens are fine). The block is always
   * written, `enabled` false when off: a removed block would leave stickiness on.
   * @default - off, a day's cookie (AWS's defaults)
   */
  readonly stickiness?: { readonly enabled: boolean | IResolvable; readonly durationSeconds: number };
  /** Seconds the ALB lets an old task finish its requests. */
  readonly deregistrationDelaySeconds: number;
  /** EFS access points to mount (the shared experiments, a store of the service's own). @default - none */
  readonly efsMounts?: readonly EfsMount[];
  readonly clusterId: string;
  readonly serviceConnectNamespaceArn: string;
  readonly vpcId: string;
  readonly subnetIds: string[];
  readonly securityGroupIds: string[];
  readonly loadBalancer: Lb;
  /**
   * The log group the container writes to. Its name is taken from `logGroupName` when given (a value
   * known at plan time, so that the plan shows the whole container definition); the task definition
   * is registered after the group exists either way.
   */
  readonly logGroup: CloudwatchLogGroup;
  /** @default - `logGroup.name` */
  readonly logGroupName?: string;
  readonly region: string;
  readonly executionRole: IamRole;
  readonly taskRole: IamRole;
}

/** `{ [key]: items }` when there are items, else nothing. */
function nonEmpty<K extends string, T>(key: K, items: readonly T[]): Partial<Record<K, readonly T[]>> {
  return items.length > 0 ? ({ [key]: items } as Record<K, readonly T[]>) : {};
}

/** The service's `alarms` block when its names are known at synth: none without names. */
function staticAlarmsBlock(alarms: DeploymentAlarms | undefined): EcsServiceAlarms | undefined {
  if (!alarms || Token.isUnresolved(alarms.names) || alarms.names.length === 0) return undefined;
  return { alarmNames: alarms.names, enable: alarms.enabled, rollback: alarms.rollback };
}

/**
 * One containerized web service on Fargate behind its own listener port of
 * a shared ALB: task definition, service (private subnets, no public IP,
 * Service Connect), target group and listener (HTTP, or HTTPS while
 * `listenerTls` is enabled). Created only when `enabled`; without `public`
 * the service runs with no target group or listener. Its log group is
 * passed in, so that logs outlive the service.
 */
export class FargateWebService extends Construct {
  /** The task definition's ARN (`aws_ecs_task_definition.<x>[0].arn`). */
  public readonly taskDefinitionArn: string;
  /** The target group's ARN (`…[0].arn`); only while the service is public. */
  public readonly targetGroupArn: string;
  /** The target group's ARN suffix (`…[0].arn_suffix`, its CloudWatch dimension); only while the service is public. */
  public readonly targetGroupArnSuffix: string;
  /** The service's own listener's ARN (`…[0].arn`); only while the service is public. */
  public readonly listenerArn: string;
  /** The ECS service, for `depends_on` (an instance key is not needed there). */
  public readonly serviceDependency: ITerraformDependable;

  constructor(scope: Construct, id: string, props: FargateWebServiceProps) {
    super(scope, id);
    const count = Token.asNumber(Fn.conditional(props.enabled, 1, 0));
    const isPublic = props.public ?? true;
    const publicCount = isPublic === true ? count : Token.asNumber(Fn.conditional(Fn.alltrue([props.enabled, isPublic]), 1, 0));
    const mounts = props.efsMounts ?? [];
    const volumes = new Set(mounts.map((m) => m.volumeName));
    if (volumes.size !== mounts.length)
      throw new Error(`FargateWebService ${props.serviceName}: two efsMounts share a volumeName; give each its own`);
    const name = props.containerName;
    const hc = props.healthCheck;

    const containerOf = (
      command: readonly string[],
      environment: Readonly<Record<string, string>>,
      secrets: Readonly<Record<string, string>>,
    ) => ({
      name,
      image: props.image,
      essential: true,
      command,
      // Under awsvpc ECS sets hostPort = containerPort and protocol tcp; the name is Service Connect's port name.
      portMappings: [{ name, containerPort: props.port }],
      // Empty lists are left out, as ECS itself writes them (and the live platform's definitions do).
      ...nonEmpty(
        "environment",
        Object.keys(environment)
          .sort()
          .map((key) => ({ name: key, value: environment[key] })),
      ),
      ...nonEmpty(
        "secrets",
        Object.keys(secrets)
          .sort()
          .map((key) => ({ name: key, valueFrom: secrets[key] })),
      ),
      ...nonEmpty(
        "mountPoints",
        mounts.map((m) => ({ sourceVolume: m.volumeName, containerPath: m.containerPath, readOnly: m.readOnly })),
      ),
      logConfiguration: {
        logDriver: "awslogs",
        options: {
          "awslogs-group": props.logGroupName ?? props.logGroup.name,
          "awslogs-region": props.region,
          "awslogs-stream-prefix": "ecs",
        },
      },
      healthCheck: {
        command: ["CMD-SHELL", `curl -f http://localhost:${Token.asString(props.port)}${hc.containerPath ?? hc.path} || exit 1`],
        interval: 30,
        timeout: 10,
        retries: 3,
        startPeriod: hc.containerStartPeriodSeconds,
      },
    });
    const container = containerOf(props.command, props.environment, props.secrets);
    const v = props.variant;
    const containerDefinitions = v
      ? Token.asString(
          Fn.conditional(
            v.when,
            Fn.jsonencode([containerOf(v.command, { ...props.environment, ...v.environment }, { ...props.secrets, ...v.secrets })]),
            Fn.jsonencode([container]),
          ),
        )
      : Fn.jsonencode([container]);

    const taskDefinition = address(
      new EcsTaskDefinition(this, "task-definition", {
        count,
        family: props.family ?? props.serviceName,
        networkMode: "awsvpc",
        requiresCompatibilities: ["FARGATE"],
        cpu: Token.asString(props.cpu),
        memory: Token.asString(props.memoryMiB),
        executionRoleArn: props.executionRole.arn,
        taskRoleArn: props.taskRole.arn,
        containerDefinitions,
        volume:
          mounts.length === 0
            ? undefined
            : mounts.map((m) => ({
                name: m.volumeName,
                efsVolumeConfiguration: {
                  fileSystemId: m.fileSystemId,
                  rootDirectory: "/",
                  transitEncryption: "ENABLED",
                  transitEncryptionPort: 2049,
                  authorizationConfig: { accessPointId: m.accessPointId, iam: "ENABLED" },
                },
              })),
        tags: { Name: `${props.namePrefix}-${name}-task` },
        dependsOn: [props.logGroup],
      }),
    );
    this.taskDefinitionArn = instanceRef(taskDefinition, 0, "arn");

    const targetGroup = address(
      new LbTargetGroup(this, "target-group", {
        count: publicCount,
        name: props.targetGroupName ?? `${props.serviceName}-tg`,
        port: props.port,
        protocol: "HTTP",
        targetType: "ip",
        vpcId: props.vpcId,
        deregistrationDelay: Token.asString(props.deregistrationDelaySeconds),
        healthCheck: {
          enabled: true,
          path: hc.path,
          matcher: hc.matcher ?? "200",
          protocol: "HTTP",
          port: "traffic-port",
          interval: hc.intervalSeconds,
          timeout: hc.timeoutSeconds,
          healthyThreshold: hc.healthyThreshold,
          unhealthyThreshold: hc.unhealthyThreshold,
        },
        stickiness: {
          type: "lb_cookie",
          enabled: props.stickiness?.enabled ?? false,
          cookieDuration: props.stickiness?.durationSeconds ?? 86400,
        },
        tags: { Name: `${props.namePrefix}-${name}-tg` },
      }),
    );

    this.targetGroupArn = instanceRef(targetGroup, 0, "arn");
    this.targetGroupArnSuffix = instanceRef(targetGroup, 0, "arn_suffix");

    const listener = address(
      new LbListener(this, "listener", {
        count: publicCount,
        loadBalancerArn: props.loadBalancer.arn,
        port: props.port,
        ...(props.listenerTls
          ? {
              protocol: Fn.conditional(props.listenerTls.enabled, "HTTPS", "HTTP"),
              certificateArn: Fn.conditional(props.listenerTls.enabled, props.listenerTls.certificateArn, Token.nullValue()),
              sslPolicy: Fn.conditional(props.listenerTls.enabled, props.listenerTls.sslPolicy, Token.nullValue()),
            }
          : { protocol: "HTTP" }),
        defaultAction: [{ type: "forward", targetGroupArn: this.targetGroupArn }],
      }),
    );
    this.listenerArn = instanceRef(listener, 0, "arn");

    const spot = props.spotPercent ?? 0;
    // spot >= 1 rather than > 0: cdktf renders a literal 0 in an operator as "undefined".
    const onSpot = Token.isUnresolved(spot) ? Op.gte(spot, 1) : spot > 0;
    const strategy =
      onSpot === false
        ? undefined
        : TerraformIterator.fromList(
            Fn.conditional(
              onSpot,
              [
                { provider: "FARGATE", weight: Op.sub(100, spot) },
                { provider: "FARGATE_SPOT", weight: spot },
              ],
              [],
            ),
          );
    this.serviceDependency = address(
      new EcsService(this, "service", {
        count,
        name: props.serviceName,
        cluster: props.clusterId,
        taskDefinition: this.taskDefinitionArn,
        desiredCount: props.desiredCount,
        // No platformVersion: Fargate runs LATEST unless told otherwise.
        launchType: onSpot === false ? "FARGATE" : Token.asString(Fn.conditional(onSpot, Token.nullValue(), "FARGATE")),
        capacityProviderStrategy: strategy?.dynamic({
          capacity_provider: strategy.getString("provider"),
          weight: strategy.getNumber("weight"),
        }),
        enableExecuteCommand: props.executeCommand,
        networkConfiguration: {
          subnets: props.subnetIds,
          securityGroups: props.securityGroupIds,
          assignPublicIp: false,
        },
        loadBalancer:
          isPublic === true
            ? [{ targetGroupArn: this.targetGroupArn, containerName: name, containerPort: props.port }]
            : TerraformIterator.fromList(Fn.conditional(isPublic, [name], [])).dynamic({
                target_group_arn: this.targetGroupArn,
                container_name: name,
                container_port: props.port,
              }),
        serviceConnectConfiguration: {
          enabled: true,
          namespace: props.serviceConnectNamespaceArn,
          service: [{ portName: name, discoveryName: name, clientAlias: { port: props.port, dnsName: name } }],
        },
        deploymentMinimumHealthyPercent: props.deployment.minimumHealthyPercent,
        deploymentMaximumPercent: props.deployment.maximumPercent,
        deploymentCircuitBreaker: { enable: true, rollback: props.deployment.circuitBreakerRollback },
        alarms: staticAlarmsBlock(props.deploymentAlarms),
        forceNewDeployment: props.deployment.forceNewDeployment ? true : undefined,
        dependsOn: [listener, ...(props.dependsOn ?? [])],
        lifecycle: { ignoreChanges: ["desired_count"] },
        tags: { Name: `${props.namePrefix}-${name}-service` },
      }),
    );
    const alarms = props.deploymentAlarms;
    if (alarms && Token.isUnresolved(alarms.names)) {
      // Names from a list token: the block exists while the list holds one. (The bindings' block written once
      // takes no dynamic block, hence the override.)
      (this.serviceDependency as EcsService).addOverride("dynamic.alarms", {
        for_each: Fn.conditional(Op.gte(Fn.lengthOf(alarms.names), 1), ["alarms"], []),
        content: { alarm_names: alarms.names, enable: alarms.enabled, rollback: alarms.rollback },
      });
    }
  }
}
