import { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import { ServiceDiscoveryPrivateDnsNamespace } from "@cdktf/provider-aws/lib/service-discovery-private-dns-namespace";
import { Fn } from "cdktf";
import { Construct } from "constructs";
import { ExperimentsTransfer } from "../../constructs/experiments-transfer";
import { FargateWebService } from "../../constructs/fargate-web-service";
import { ServiceAutoscaling } from "../../constructs/service-autoscaling";
import { address } from "../../constructs/terraform/addresses";
import { declareOutput } from "../../constructs/terraform/variables";
import { PLATFORM } from "../../platform/config";
import type { ServiceRuntime } from "../../platform/services";
import type { NetworkUnit } from "../network-unit";
import type { PlatformInputs, PlatformService } from "../platform-stack";
import type { StorageUnit } from "../storage-unit";
import { PublicEntry } from "./public-entry";
import { ServiceIam } from "./service-iam";

export interface ServicesUnitProps {
  readonly inputs: PlatformInputs;
  readonly services: readonly PlatformService[];
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
    const { inputs, network, storage } = props;
    const project = inputs.project_name;

    const namespace = address(
      new ServiceDiscoveryPrivateDnsNamespace(this, "namespace", {
        name: `${project}.local`,
        vpc: network.network.vpc.id,
        tags: { Name: `${project}-sc-namespace` },
      }),
    );
    this.cluster = address(
      new EcsCluster(this, "cluster", {
        name: inputs.cluster_name,
        setting: [{ name: "containerInsights", value: "enabled" }],
        serviceConnectDefaults: { namespace: namespace.arn },
        tags: { Name: `${project}-cluster` },
      }),
    );

    this.transfer = new ExperimentsTransfer(this, "transfer", {
      enabled: inputs.create_ecs_services,
      share: storage.experiments,
      namePrefix: project,
      region: inputs.aws_region,
      logRetentionDays: PLATFORM.logRetentionDays,
    });
    this.iam = new ServiceIam(this, "iam", {
      inputs,
      services: props.services,
      storage,
      experimentsClients: this.transfer.experimentsClients,
    });
    this.entry = new PublicEntry(this, "entry", { inputs, services: props.services, network });

    const services: Record<string, FargateWebService> = {};
    for (const { key, spec, vars } of props.services) {
      const runtime: ServiceRuntime = {
        // tostring(): inside jsonencode a bare number would reach ECS as a number, and commands are strings.
        port: Fn.tostring(vars.port),
        artifactsBucket: inputs.mlflow_artifacts_bucket,
        externalUrls: this.entry.urls,
        envMode: inputs.env_mode,
        wandbEntity: inputs.wandb_entity,
        region: inputs.aws_region,
      };
      services[key] = new FargateWebService(this, key, {
        enabled: inputs.create_ecs_services,
        serviceName: vars.serviceName,
        containerName: key,
        namePrefix: project,
        // Names and URLs known at plan time (from the variables), so that the plan shows whole container definitions.
        image: `${storage.imageRepository}:${spec.imageTag}`,
        command: spec.command(runtime),
        environment: spec.environment(runtime),
        secrets: spec.wandbSecret ? { WANDB_API_KEY: storage.wandbSecretReference } : {},
        cpu: vars.cpu,
        memoryMiB: vars.memoryMiB,
        desiredCount: vars.desiredCount,
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
        deployment: {
          minimumHealthyPercent: inputs.deployment_minimum_healthy_percent,
          maximumPercent: inputs.deployment_maximum_percent,
          circuitBreakerRollback: inputs.deployment_circuit_breaker_rollback,
          forceNewDeployment: spec.forceNewDeployment,
        },
        deregistrationDelaySeconds: inputs.deregistration_delay_seconds,
        public: vars.public,
        listenerTls: spec.httpsEntry
          ? undefined
          : { enabled: this.entry.https, certificateArn: inputs.alb_certificate_arn, sslPolicy: inputs.alb_ssl_policy },
        efsMount:
          spec.experiments === "none"
            ? undefined
            : {
                fileSystemId: storage.experiments.fileSystem.id,
                accessPointId: storage.experiments.accessPoint.id,
                containerPath: PLATFORM.experimentsPath,
                readOnly: spec.experiments === "ro",
              },
        clusterId: this.cluster.id,
        serviceConnectNamespaceArn: namespace.arn,
        vpcId: network.network.vpc.id,
        subnetIds: network.network.privateSubnetIds,
        securityGroupIds: [network.ecsTasksSecurityGroup.id],
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
    declareOutput(this, "aws_region", inputs.aws_region, "AWS region of the platform.");
    declareOutput(
      this,
      "experiments_transfer_task_family",
      this.transfer.family,
      "Task family of the one-off experiments transfer task (npm run ops -- upload|download|bring-back); empty while create_ecs_services is false.",
    );
  }
}
