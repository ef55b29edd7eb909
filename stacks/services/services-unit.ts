import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import { EcsClusterCapacityProviders } from "@cdktf/provider-aws/lib/ecs-cluster-capacity-providers";
import { ServiceDiscoveryPrivateDnsNamespace } from "@cdktf/provider-aws/lib/service-discovery-private-dns-namespace";
import { Fn, Op, Token } from "cdktf";
import { Construct } from "constructs";
import { ExperimentsTransfer } from "../../constructs/experiments-transfer";
import { FargateWebService } from "../../constructs/fargate-web-service";
import { ServiceAutoscaling } from "../../constructs/service-autoscaling";
import { address, instanceRef } from "../../constructs/terraform/addresses";
import { declareOutput } from "../../constructs/terraform/variables";
import { PLATFORM } from "../../platform/config";
import type { ServiceRuntime } from "../../platform/services";
import type { NetworkUnit } from "../network-unit";
import { deploymentAlarms } from "../observability-unit";
import type { PlatformInputs, PlatformNames, PlatformService } from "../platform-stack";
import type { StorageUnit } from "../storage-unit";
import { PublicEntry } from "./public-entry";
import { ServiceIam } from "./service-iam";

export interface ServicesUnitProps {
  readonly inputs: PlatformInputs;
  readonly services: readonly PlatformService[];
  readonly names: PlatformNames;
  readonly network: NetworkUnit;
  readonly storage: StorageUnit;
}

/**
 * The services unit: the ECS cluster and its Service Connect namespace, the
 * services' IAM (`ServiceIam`), the public entry (`PublicEntry`: ALB, URLs,
 * HTTPS), one Fargate service per entry of the services table, and their
 * autoscaling.
 */
export class ServicesUnit extends Construct {
  public readonly cluster: EcsCluster;
  public readonly iam: ServiceIam;
  /** The one-off task that moves experiments to and from the file system (`npm run ops -- upload|download`). */
  public readonly transfer: ExperimentsTransfer;
  public readonly entry: PublicEntry;
  /** Each service, by key. */
  public readonly services: Readonly<Record<string, FargateWebService>>;

  constructor(scope: Construct, id: string, props: ServicesUnitProps) {
    super(scope, id);
    const { inputs, network, storage, names } = props;
    const project = inputs.project_name;

    const namespace = address(
      new ServiceDiscoveryPrivateDnsNamespace(this, "namespace", {
        name: `${names.scoped(project)}.local`,
        vpc: network.network.vpc.id,
        tags: { Name: `${project}-sc-namespace` },
      }),
    );
    // ECS Exec sessions are logged here while ecs_exec_enabled is on.
    const execLogs = address(
      new CloudwatchLogGroup(this, "exec-logs", {
        count: Token.asNumber(Fn.conditional(inputs.ecs_exec_enabled, 1, 0)),
        name: names.scoped(`/ecs/${project}-exec`),
        retentionInDays: PLATFORM.logRetentionDays,
        tags: { Name: `${project}-exec-logs` },
      }),
    );
    const execLogGroupName = instanceRef(execLogs, 0, "name");
    this.cluster = address(
      new EcsCluster(this, "cluster", {
        name: names.scoped(inputs.cluster_name),
        setting: [{ name: "containerInsights", value: "enabled" }],
        serviceConnectDefaults: { namespace: namespace.arn },
        tags: { Name: `${project}-cluster` },
      }),
    );
    // Exec session logging, written out in both states: the provider cannot remove the block once set, so
    // "off" is logging DEFAULT rather than no block (else turning exec off after on would never settle).
    this.cluster.addOverride("configuration", {
      execute_command_configuration: {
        logging: Fn.conditional(inputs.ecs_exec_enabled, "OVERRIDE", "DEFAULT"),
        dynamic: {
          log_configuration: {
            for_each: Fn.conditional(inputs.ecs_exec_enabled, [execLogGroupName], []),
            content: { cloud_watch_log_group_name: "${log_configuration.value}" },
          },
        },
      },
    });
    // Fargate and Fargate Spot, for services given a Spot share (<service>_spot_percent); no default strategy.
    const capacityProviders = address(
      new EcsClusterCapacityProviders(this, "capacity-providers", {
        clusterName: this.cluster.name,
        capacityProviders: ["FARGATE", "FARGATE_SPOT"],
      }),
    );

    this.transfer = new ExperimentsTransfer(this, "transfer", {
      enabled: inputs.create_ecs_services,
      share: storage.experiments,
      namePrefix: names.scoped(project),
      region: inputs.aws_region,
      logRetentionDays: PLATFORM.logRetentionDays,
    });
    this.iam = new ServiceIam(this, "iam", {
      inputs,
      names,
      services: props.services,
      storage,
      execLogGroupArn: instanceRef(execLogs, 0, "arn"),
      experimentsClients: this.transfer.experimentsClients,
    });
    this.entry = new PublicEntry(this, "entry", { inputs, services: props.services, network, names });

    const database = storage.mlflowDatabase;
    const onPostgres = Op.eq(inputs.mlflow_backend, "postgres");
    database.grantSecretRead(this.iam.executionRole);
    const services: Record<string, FargateWebService> = {};
    for (const service of props.services) {
      const { key, spec, vars } = service;
      const runtime: ServiceRuntime = {
        // tostring(): inside jsonencode a bare number would reach ECS as a number, and commands are strings.
        port: Fn.tostring(vars.port),
        artifactsBucket: storage.bucketName,
        externalUrls: this.entry.urls,
        envMode: inputs.env_mode,
        wandbEntity: inputs.wandb_entity,
        region: inputs.aws_region,
      };
      services[key] = new FargateWebService(this, key, {
        enabled: inputs.create_ecs_services,
        serviceName: vars.serviceName,
        family: names.scoped(vars.serviceName),
        // Target group names are unique in the region and at most 32 characters: <service>-tg in prod, <service>-<environment> elsewhere.
        targetGroupName: Token.asString(
          Fn.conditional(
            Op.eq(inputs.environment, "prod"),
            Fn.format("%s-tg", [vars.serviceName]),
            Fn.format("%s-%s", [vars.serviceName, inputs.environment]),
          ),
        ),
        containerName: key,
        namePrefix: project,
        // Names and URLs known at plan time (from the variables), so that the plan shows whole container definitions.
        image: `${storage.imageRepository}:${spec.imageTag}`,
        command: spec.command(runtime),
        environment: spec.environment(runtime),
        secrets: spec.wandbSecret ? { WANDB_API_KEY: storage.wandbSecretReference } : {},
        // With mlflow_backend = postgres: the database's address, and its user and password from the secret RDS manages.
        variant: spec.databaseCommand
          ? {
              when: onPostgres,
              command: spec.databaseCommand(runtime),
              environment: {
                MLFLOW_DB_HOST: database.host,
                MLFLOW_DB_PORT: String(PLATFORM.mlflowDatabase.port),
                MLFLOW_DB_NAME: PLATFORM.mlflowDatabase.name,
              },
              secrets: { MLFLOW_DB_USERNAME: `${database.secretArn}:username::`, MLFLOW_DB_PASSWORD: `${database.secretArn}:password::` },
            }
          : undefined,
        cpu: vars.cpu,
        memoryMiB: vars.memoryMiB,
        desiredCount: vars.desiredCount,
        spotPercent: vars.spotPercent,
        executeCommand: inputs.ecs_exec_enabled,
        dependsOn: [capacityProviders],
        port: vars.port,
        healthCheck: {
          path: vars.healthCheckPath,
          intervalSeconds: inputs.health_check_interval_seconds,
          timeoutSeconds: inputs.health_check_timeout_seconds,
          healthyThreshold: inputs.health_check_healthy_threshold,
          unhealthyThreshold: inputs.health_check_unhealthy_threshold,
          containerStartPeriodSeconds: spec.healthCheckStartPeriodSeconds,
          containerPath: spec.containerHealthCheckPath,
          matcher: spec.healthCheckMatcher,
        },
        // A service with a store has one writer: its old task stops before the new one starts.
        deployment: {
          minimumHealthyPercent: spec.store ? 0 : inputs.deployment_minimum_healthy_percent,
          maximumPercent: spec.store ? 100 : inputs.deployment_maximum_percent,
          circuitBreakerRollback: inputs.deployment_circuit_breaker_rollback,
          forceNewDeployment: spec.forceNewDeployment,
        },
        // The alarms of the observability unit, by name (built from the variables: no dependency cycle).
        deploymentAlarms: deploymentAlarms(inputs, props.names, service),
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
          : { enabled: this.entry.https, certificateArn: inputs.alb_certificate_arn, sslPolicy: inputs.alb_ssl_policy },
        efsMounts: [
          ...(spec.experiments === "none"
            ? []
            : [
                {
                  volumeName: "experiments-volume",
                  fileSystemId: storage.experiments.fileSystem.id,
                  accessPointId: storage.experiments.accessPoint.id,
                  containerPath: PLATFORM.experimentsPath,
                  readOnly: spec.experiments === "ro",
                },
              ]),
          ...(spec.store
            ? [
                {
                  volumeName: `${key}-store`,
                  fileSystemId: storage.experiments.fileSystem.id,
                  accessPointId: storage.stores[key].id,
                  containerPath: spec.store.containerPath,
                  readOnly: false,
                },
              ]
            : []),
        ],
        clusterId: this.cluster.id,
        serviceConnectNamespaceArn: namespace.arn,
        vpcId: network.network.vpc.id,
        subnetIds: network.network.privateSubnetIds,
        securityGroupIds: spec.databaseCommand
          ? Token.asList(Fn.concat([[network.ecsTasksSecurityGroup.id], Fn.conditional(onPostgres, [database.clientSecurityGroupId], [])]))
          : [network.ecsTasksSecurityGroup.id],
        loadBalancer: this.entry.loadBalancer,
        logGroup: storage.logGroups[key],
        logGroupName: storage.logGroupNames[key],
        region: inputs.aws_region,
        executionRole: this.iam.executionRole,
        taskRole: this.iam.taskRoles[key],
      });
    }
    this.services = services;

    const entryService = props.services.find((s) => s.spec.httpsEntry);
    if (entryService) this.entry.serveHttps(services[entryService.key]);

    new ServiceAutoscaling(this, "autoscaling", {
      enabled: inputs.create_ecs_services,
      services: Object.fromEntries(
        props.services.map(({ key, vars }) => [
          key,
          {
            serviceName: vars.serviceName,
            minCapacity: vars.minCapacity,
            maxCapacity: vars.maxCapacity,
            service: services[key].serviceDependency,
          },
        ]),
      ),
      clusterName: this.cluster.name,
      roleArn: this.iam.autoscaleRole.arn,
      targetCpuPercent: inputs.scaling_cpu_target_percentage,
      scaleInCooldownSeconds: inputs.scaling_cooldown_seconds_in,
      scaleOutCooldownSeconds: inputs.scaling_cooldown_seconds_out,
    });

    declareOutput(this, "alb_hostname", this.entry.loadBalancer.dnsName, "DNS name of the public ALB.");
    for (const { key, spec } of props.services) {
      const url = spec.httpsEntry
        ? `http://<alb dns>:<${key}_port>, or https://<alb dns> with alb_certificate_arn set`
        : `http://<alb dns>:<${key}_port> (https:// with alb_certificate_arn set)`;
      const whenPrivate = spec.optionalPublic ? ` Empty when ${key}_public is false.` : "";
      declareOutput(this, `${key}_url`, this.entry.urls[key], `URL of the ${key} service: ${url}.${whenPrivate}`);
    }
    declareOutput(this, "ecs_cluster_name", this.cluster.name, "Name of the ECS cluster.");
    declareOutput(
      this,
      "ecs_service_names",
      Object.fromEntries(props.services.map(({ key, vars }) => [key, vars.serviceName])),
      `ECS service name of each service (${props.services.map((s) => s.key).join(", ")}), whether or not the services exist yet.`,
    );
    declareOutput(
      this,
      "ecs_task_definition_arns",
      Object.fromEntries(
        props.services.map(({ key }) => [
          key,
          Token.asString(Fn.conditional(inputs.create_ecs_services, services[key].taskDefinitionArn, "")),
        ]),
      ),
      "Task definition ARN, with its revision, that the last apply registered for each service; empty while create_ecs_services is false. " +
        "npm run ops -- status --wait checks each service runs it (ECS may have rolled a failed deploy back).",
    );
    declareOutput(
      this,
      "mlflow_database_endpoint",
      Token.asString(Fn.conditional(Fn.anytrue([onPostgres, inputs.mlflow_database_retained]), database.endpoint, "")),
      "host:port of MLflow's PostgreSQL database; empty while mlflow_backend is file (and the database is not retained).",
    );
    declareOutput(this, "aws_region", inputs.aws_region, "AWS region of the platform.");
    declareOutput(
      this,
      "experiments_transfer_task_family",
      this.transfer.family,
      "Task family of the one-off experiments transfer task (npm run ops -- upload|download|bring-back); empty while create_ecs_services is false.",
    );
  }
}
