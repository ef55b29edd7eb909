import { Fn, Op, Token } from "cdktf";
import type {
  ContainerVariant,
  EfsMount,
  FargateWebServiceProps,
  RollingDeployment,
  WebHealthCheck,
} from "../../constructs/fargate-web-service";
import { PLATFORM } from "../../platform/config";
import type { ServiceRuntime } from "../../platform/services";
import { deploymentAlarms } from "../deployment-alarms";
import type { NetworkUnit } from "../network-unit";
import type { PlatformInputs, PlatformNames, PlatformService } from "../platform-stack";
import type { StorageUnit } from "../storage-unit";
import type { MlflowDatabase } from "../../constructs/mlflow-database";
import type { PlatformCluster } from "./platform-cluster";
import type { PublicEntry } from "./public-entry";
import type { ServiceIam } from "./service-iam";

/** What every service of the unit is built from, beside its own table entry and variables. */
export interface ServicesContext {
  readonly inputs: PlatformInputs;
  readonly names: PlatformNames;
  readonly network: NetworkUnit;
  readonly storage: StorageUnit;
  readonly cluster: PlatformCluster;
  readonly entry: PublicEntry;
  readonly iam: ServiceIam;
  /** MLflow's database (mlflow_backend = "postgres"): its address, the secret RDS manages, its clients' security group. */
  readonly database: MlflowDatabase;
  /** Each service's address inside the VPC (Service Connect): `http://<key>:<port>`. */
  readonly privateUrls: Readonly<Record<string, string>>;
}

/** The EFS access points a service mounts: the shared experiments (unless `none`), and its own store. */
function efsMounts(storage: StorageUnit, { key, spec }: PlatformService): EfsMount[] {
  const fileSystemId = storage.experiments.fileSystem.id;
  const mounts: EfsMount[] = [];
  if (spec.experiments !== "none") {
    mounts.push({
      volumeName: "experiments-volume",
      fileSystemId,
      accessPointId: storage.experiments.accessPoint.id,
      containerPath: PLATFORM.experimentsPath,
      readOnly: spec.experiments === "ro",
    });
  }
  if (spec.store) {
    mounts.push({
      volumeName: `${key}-store`,
      fileSystemId,
      accessPointId: storage.stores[key].id,
      containerPath: spec.store.containerPath,
      readOnly: false,
    });
  }
  return mounts;
}

function healthCheck(inputs: PlatformInputs, { spec, vars }: PlatformService): WebHealthCheck {
  return {
    path: vars.healthCheckPath,
    intervalSeconds: inputs.health_check_interval_seconds,
    timeoutSeconds: inputs.health_check_timeout_seconds,
    healthyThreshold: inputs.health_check_healthy_threshold,
    unhealthyThreshold: inputs.health_check_unhealthy_threshold,
    containerStartPeriodSeconds: spec.healthCheckStartPeriodSeconds,
    containerPath: spec.containerHealthCheckPath,
    matcher: spec.healthCheckMatcher,
  };
}

/** A service with a store has one writer: its old task stops before the new one starts. */
function deployment(inputs: PlatformInputs, { spec }: PlatformService): RollingDeployment {
  return {
    minimumHealthyPercent: spec.store ? 0 : inputs.deployment_minimum_healthy_percent,
    maximumPercent: spec.store ? 100 : inputs.deployment_maximum_percent,
    circuitBreakerRollback: inputs.deployment_circuit_breaker_rollback,
    forceNewDeployment: spec.forceNewDeployment,
  };
}

/** Target group names are unique in the region and at most 32 characters: <service>-tg live, <service>-<environment> elsewhere. */
function targetGroupName(inputs: PlatformInputs, serviceName: string): string {
  return Token.asString(
    Fn.conditional(
      Op.eq(inputs.environment, PLATFORM.liveEnvironment),
      Fn.format("%s-tg", [serviceName]),
      Fn.format("%s-%s", [serviceName, inputs.environment]),
    ),
  );
}

/** MLflow keeps its tracking store in PostgreSQL (mlflow_backend = "postgres"): a bool token. */
export const onPostgres = (inputs: PlatformInputs) => Op.eq(inputs.mlflow_backend, "postgres");

/** With mlflow_backend = postgres: the database's address, and its user and password from the secret RDS manages. */
function databaseVariant(ctx: ServicesContext, { spec }: PlatformService, runtime: ServiceRuntime): ContainerVariant | undefined {
  if (!spec.databaseCommand) return undefined;
  const database = ctx.database;
  return {
    when: onPostgres(ctx.inputs),
    command: spec.databaseCommand(runtime),
    environment: {
      MLFLOW_DB_HOST: database.host,
      MLFLOW_DB_PORT: String(PLATFORM.mlflowDatabase.port),
      MLFLOW_DB_NAME: PLATFORM.mlflowDatabase.name,
    },
    secrets: { MLFLOW_DB_USERNAME: `${database.secretArn}:username::`, MLFLOW_DB_PASSWORD: `${database.secretArn}:password::` },
  };
}

/** What a service's command and environment are written from. */
function serviceRuntime(ctx: ServicesContext, { vars }: PlatformService): ServiceRuntime {
  const { inputs, storage, entry } = ctx;
  return {
    // tostring(): inside jsonencode a bare number would reach ECS as a number, and commands are strings.
    port: Fn.tostring(vars.port),
    artifactsBucket: storage.bucketName,
    externalUrls: entry.urls,
    envMode: inputs.env_mode,
    wandbEntity: inputs.wandb_entity,
    region: inputs.aws_region,
    privateUrls: ctx.privateUrls,
  };
}

type ContainerProps = Pick<FargateWebServiceProps, "image" | "command" | "environment" | "conditionalEnvironment" | "secrets" | "variant">;

/** The container: image, command, environment and secrets, and MLflow's PostgreSQL variant. */
function containerProps(ctx: ServicesContext, service: PlatformService): ContainerProps {
  const { inputs, storage } = ctx;
  const { spec } = service;
  const runtime = serviceRuntime(ctx, service);
  return {
    // Names and URLs known at plan time (from the variables), so that the plan shows whole container definitions.
    image: `${storage.imageRepository}:${spec.imageTag}`,
    command: spec.command(runtime),
    environment: spec.environment(runtime),
    conditionalEnvironment: spec.signedInEnvironment
      ? { when: Op.neq(inputs.sign_in, "none"), values: spec.signedInEnvironment(runtime) }
      : undefined,
    secrets: spec.wandbSecret ? { WANDB_API_KEY: storage.wandbSecretReference } : {},
    variant: databaseVariant(ctx, service, runtime),
  };
}

type TrafficProps = Pick<FargateWebServiceProps, "stickiness" | "deregistrationDelaySeconds" | "public" | "listenerTls" | "loadBalancer">;

/** How the load balancer reaches the service: stickiness, its listener and whether it is public. */
function trafficProps(ctx: ServicesContext, { key, spec, vars }: PlatformService): TrafficProps {
  const { inputs, entry } = ctx;
  return {
    stickiness: {
      enabled: spec.sessionAffinity
        ? Op.or(Op.gt(vars.maxCapacity, 1), Fn.contains(inputs.alb_sticky_services, key))
        : Fn.contains(inputs.alb_sticky_services, key),
      durationSeconds: inputs.alb_stickiness_duration_seconds,
    },
    deregistrationDelaySeconds: inputs.deregistration_delay_seconds,
    public: vars.public,
    listenerTls: spec.httpsEntry
      ? undefined
      : { enabled: entry.https, certificateArn: inputs.alb_certificate_arn, sslPolicy: inputs.alb_ssl_policy },
    loadBalancer: entry.loadBalancer,
  };
}

/** The tasks' security groups: the platform's, and the database clients' group for MLflow on PostgreSQL. */
function securityGroupIds(ctx: ServicesContext, { spec }: PlatformService): string[] {
  const tasks = ctx.network.ecsTasksSecurityGroup.id;
  if (!spec.databaseCommand) return [tasks];
  return Token.asList(Fn.concat([[tasks], Fn.conditional(onPostgres(ctx.inputs), [ctx.database.clientSecurityGroupId], [])]));
}

/** Everything one service's `FargateWebService` is built from: its table entry, its variables and the unit's context. */
export function webServiceProps(ctx: ServicesContext, service: PlatformService): FargateWebServiceProps {
  const { inputs, names, network, storage } = ctx;
  const { key, vars } = service;
  return {
    enabled: inputs.create_ecs_services,
    serviceName: vars.serviceName,
    family: names.scoped(vars.serviceName),
    targetGroupName: targetGroupName(inputs, vars.serviceName),
    containerName: key,
    namePrefix: inputs.project_name,
    ...containerProps(ctx, service),
    cpu: vars.cpu,
    memoryMiB: vars.memoryMiB,
    desiredCount: vars.desiredCount,
    spotPercent: vars.spotPercent,
    executeCommand: inputs.ecs_exec_enabled,
    dependsOn: [ctx.cluster.capacityProviders],
    port: vars.port,
    healthCheck: healthCheck(inputs, service),
    deployment: deployment(inputs, service),
    // The alarms of the observability unit, by name (built from the variables: no dependency cycle).
    deploymentAlarms: deploymentAlarms(inputs, names, service),
    ...trafficProps(ctx, service),
    efsMounts: efsMounts(storage, service),
    clusterId: ctx.cluster.cluster.id,
    serviceConnectNamespaceArn: ctx.cluster.namespace.arn,
    vpcId: network.network.vpc.id,
    subnetIds: network.network.privateSubnetIds,
    securityGroupIds: securityGroupIds(ctx, service),
    logGroup: storage.logGroups[key],
    logGroupName: storage.logGroupNames[key],
    region: inputs.aws_region,
    executionRole: ctx.iam.executionRole,
    taskRole: ctx.iam.taskRoles[key],
  };
}
