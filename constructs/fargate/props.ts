/** The props of `FargateWebService` (constructs/fargate-web-service.ts) and of its pieces in this folder. */
import type { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import type { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import type { Lb } from "@cdktf/provider-aws/lib/lb";
import type { IResolvable, ITerraformDependable } from "cdktf";

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
  /** More plain environment variables, set only while `when` holds (a bool token). @default - none */
  readonly conditionalEnvironment?: { readonly when: IResolvable; readonly values: Readonly<Record<string, string>> };
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
