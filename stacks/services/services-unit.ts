import type { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import { Fn, Token } from "cdktf";
import { Construct } from "constructs";
import { ExperimentsTransfer } from "../../constructs/experiments-transfer";
import { FargateWebService } from "../../constructs/fargate-web-service";
import { ServiceAutoscaling } from "../../constructs/service-autoscaling";
import { declareOutput } from "../../constructs/terraform/variables";
import { PLATFORM } from "../../platform/config";
import { urlOutputName } from "../../platform/services";
import type { NetworkUnit } from "../network-unit";
import type { PlatformInputs, PlatformNames, PlatformService } from "../platform-stack";
import type { StorageUnit } from "../storage-unit";
import { platformCluster } from "./platform-cluster";
import { PublicEntry } from "./public-entry";
import { ServiceIam } from "./service-iam";
import { onPostgres, webServiceProps } from "./web-service-props";

export interface ServicesUnitProps {
  readonly inputs: PlatformInputs;
  readonly services: readonly PlatformService[];
  readonly names: PlatformNames;
  readonly network: NetworkUnit;
  readonly storage: StorageUnit;
}

/** The unit's outputs: the ALB, each service's URL, the cluster, the service names, the region, the transfer task. */
function declareServicesOutputs(unit: ServicesUnit, props: ServicesUnitProps): void {
  declareOutput(unit, "alb_hostname", unit.entry.loadBalancer.dnsName, "DNS name of the public ALB.");
  for (const { key, spec } of props.services) {
    const url = spec.httpsEntry
      ? `http://<alb dns>:<${key}_port>, or https://<alb dns> with alb_certificate_arn set`
      : `http://<alb dns>:<${key}_port> (https:// with alb_certificate_arn set)`;
    const whenPrivate = spec.optionalPublic ? ` Empty when ${key}_public is false.` : "";
    declareOutput(unit, urlOutputName(key), unit.entry.urls[key], `URL of the ${key} service: ${url}.${whenPrivate}`);
  }
  declareOutput(unit, "ecs_cluster_name", unit.cluster.name, "Name of the ECS cluster.");
  declareOutput(
    unit,
    "ecs_service_names",
    Object.fromEntries(props.services.map(({ key, vars }) => [key, vars.serviceName])),
    `ECS service name of each service (${props.services.map((s) => s.key).join(", ")}), whether or not the services exist yet.`,
  );
  declareOutput(
    unit,
    "ecs_task_definition_arns",
    Object.fromEntries(
      props.services.map(({ key }) => [
        key,
        Token.asString(Fn.conditional(props.inputs.create_ecs_services, unit.services[key].taskDefinitionArn, "")),
      ]),
    ),
    "Task definition ARN, with its revision, that the last apply registered for each service; empty while create_ecs_services is false. " +
      "npm run ops -- status --wait checks each service runs it (ECS may have rolled a failed deploy back).",
  );
  declareOutput(
    unit,
    "mlflow_database_endpoint",
    Token.asString(
      Fn.conditional(
        Fn.anytrue([onPostgres(props.inputs), props.inputs.mlflow_database_retained]),
        props.storage.mlflowDatabase.endpoint,
        "",
      ),
    ),
    "host:port of MLflow's PostgreSQL database; empty while mlflow_backend is file (and the database is not retained).",
  );
  declareOutput(unit, "aws_region", props.inputs.aws_region, "AWS region of the platform.");
  declareOutput(
    unit,
    "experiments_transfer_task_family",
    unit.transfer.family,
    "Task family of the one-off experiments transfer task (npm run ops -- upload|download|bring-back); empty while create_ecs_services is false.",
  );
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
    const cluster = platformCluster(this, inputs, names, network);
    this.cluster = cluster.cluster;

    this.transfer = new ExperimentsTransfer(this, "transfer", {
      enabled: inputs.create_ecs_services,
      share: storage.experiments,
      namePrefix: names.scoped(inputs.project_name),
      region: inputs.aws_region,
      logRetentionDays: PLATFORM.logRetentionDays,
    });
    this.iam = new ServiceIam(this, "iam", {
      inputs,
      names,
      services: props.services,
      storage,
      execLogGroupArn: cluster.execLogGroupArn,
      experimentsClients: this.transfer.experimentsClients,
    });
    this.entry = new PublicEntry(this, "entry", { inputs, services: props.services, network, names });

    // One Fargate service per entry of the services table, each from its entry and variables alone.
    const privateUrls = Object.fromEntries(props.services.map((s) => [s.key, Fn.format("http://%s:%s", [s.key, s.vars.port])]));
    const database = storage.mlflowDatabase;
    database.grantSecretRead(this.iam.executionRole);
    const context = { inputs, names, network, storage, cluster, entry: this.entry, iam: this.iam, privateUrls, database };
    const services: Record<string, FargateWebService> = {};
    for (const service of props.services)
      services[service.key] = new FargateWebService(this, service.key, webServiceProps(context, service));
    this.services = services;

    const entryService = props.services.find((s) => s.spec.httpsEntry);
    if (entryService) this.entry.requireSignIn(services, this.entry.serveHttps(services[entryService.key]));

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

    declareServicesOutputs(this, props);
  }
}
