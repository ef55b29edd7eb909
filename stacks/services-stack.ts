import { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { ServiceDiscoveryPrivateDnsNamespace } from "@cdktf/provider-aws/lib/service-discovery-private-dns-namespace";
import { Fn, Token } from "cdktf";
import { Construct } from "constructs";
import { address } from "../constructs/core/addresses";
import { declareOutput } from "../constructs/core/variables";
import { assumeRolePolicy, type PolicyStatement } from "../constructs/core/iam";
import { EfsAccessPolicy, efsClientStatement } from "../constructs/efs-access-policy";
import { isSet } from "../constructs/core/expressions";
import { FargateWebService } from "../constructs/fargate-web-service";
import { HttpsEntry } from "../constructs/https-entry";
import { ServiceAutoscaling } from "../constructs/service-autoscaling";
import { ServiceRole } from "../constructs/service-role";
import type { PlatformConfig } from "./config";
import type { NetworkStack } from "./network-stack";
import { SERVICE_NAMES, type ServiceName, type ServiceRuntime } from "./services-table";
import { EXPERIMENTS_PATH, type StorageStack } from "./storage-stack";
import type { PlatformInputs } from "./variables";

export interface ServicesStackProps {
  readonly config: PlatformConfig;
  readonly inputs: PlatformInputs;
  readonly network: NetworkStack;
  readonly storage: StorageStack;
}

/** The AWS managed policy Application Auto Scaling needs on ECS. */
export const AUTOSCALE_MANAGED_POLICY_ARN = "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceAutoscaleRole";

/**
 * The services unit: the ECS cluster and its Service Connect namespace,
 * the IAM roles, the public ALB, the four Fargate services from the
 * services table, their autoscaling, and the experiments file system's
 * access policy (it names the services' roles).
 */
export class ServicesStack extends Construct {
  public readonly cluster: EcsCluster;
  public readonly loadBalancer: Lb;
  public readonly services: Readonly<Record<ServiceName, FargateWebService>>;
  public readonly taskRoles: Readonly<Record<ServiceName, ServiceRole>>;
  public readonly executionRole: ServiceRole;

  constructor(scope: Construct, id: string, props: ServicesStackProps) {
    super(scope, id);
    const { config, inputs, network, storage } = props;
    const project = inputs.projectName;
    const bucket = storage.artifacts.bucket;

    const namespace = address(
      new ServiceDiscoveryPrivateDnsNamespace(this, "namespace", {
        name: `${project}.local`,
        vpc: network.network.vpc.id,
        tags: { Name: `${project}-sc-namespace` },
      }),
    );

    this.cluster = address(
      new EcsCluster(this, "cluster", {
        name: inputs.clusterName,
        setting: [{ name: "containerInsights", value: "enabled" }],
        serviceConnectDefaults: { namespace: namespace.arn },
        tags: { Name: `${project}-cluster` },
      }),
    );

    const logGroupArns = SERVICE_NAMES.map((key) => `${storage.logGroups[key].arn}:*`);
    this.executionRole = new ServiceRole(this, "execution-role", {
      roleName: "ecsTaskExecutionRole",
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
        { Sid: "Logs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: logGroupArns },
        { Sid: "WandbSecret", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: storage.wandbSecret.arn },
      ],
    });

    const artifactsStatements: PolicyStatement[] = [
      { Sid: "ArtifactsList", Effect: "Allow", Action: ["s3:ListBucket", "s3:GetBucketLocation"], Resource: bucket.arn },
      {
        Sid: "ArtifactsReadWrite",
        Effect: "Allow",
        Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
        Resource: `${bucket.arn}/*`,
      },
    ];
    const taskRoles = {} as Record<ServiceName, ServiceRole>;
    for (const key of SERVICE_NAMES) {
      const spec = config.services[key];
      const statements: PolicyStatement[] = [];
      if (spec.experiments !== "none") statements.push(efsClientStatement(storage.experiments, spec.experiments));
      if (spec.artifactsBucketAccess) statements.push(...artifactsStatements);
      // Each service has its own task role, with only the permissions it needs.
      taskRoles[key] = new ServiceRole(this, `${key}-task-role`, {
        roleName: spec.taskRole?.roleName ?? `${project}-${key}-task-role`,
        assumedBy: "ecs-tasks.amazonaws.com",
        policyName: spec.taskRole?.policyName,
        statements,
        tags: { Name: spec.taskRole?.nameTag ?? `ECS ${spec.displayName} Task Role` },
      });
    }
    this.taskRoles = taskRoles;

    const clients = SERVICE_NAMES.flatMap((key) => {
      const access = config.services[key].experiments;
      return access === "none" ? [] : [{ roleArn: taskRoles[key].role.arn, access }];
    });
    new EfsAccessPolicy(this, "experiments-access", { share: storage.experiments, clients });

    const autoscaleRole = address(
      new IamRole(this, "autoscale-role", {
        name: "ecsAutoScaleRole",
        assumeRolePolicy: assumeRolePolicy("application-autoscaling.amazonaws.com"),
        tags: { Name: "ECS Auto Scale Role" },
      }),
    );
    address(
      new IamRolePolicyAttachment(this, "autoscale-role-policy", {
        role: autoscaleRole.name,
        policyArn: AUTOSCALE_MANAGED_POLICY_ARN,
      }),
    );

    this.loadBalancer = address(
      new Lb(this, "load-balancer", {
        name: `${project}-alb`,
        internal: false,
        loadBalancerType: "application",
        securityGroups: [network.albSecurityGroup.id],
        subnets: network.network.publicSubnetIds,
        enableDeletionProtection: inputs.albDeletionProtection,
        dropInvalidHeaderFields: true,
        accessLogs: {
          bucket: inputs.albAccessLogsBucket,
          enabled: isSet(inputs.albAccessLogsBucket),
          prefix: project,
        },
        tags: { Name: `${project}-alb` },
      }),
    );
    const dns = this.loadBalancer.dnsName;

    // With a certificate, the entry service (UI) is https://<dns> on 443 and the others https://<dns>:<port>.
    const https = isSet(inputs.albCertificateArn);
    const externalUrls = {} as Record<ServiceName, string>;
    // Conditionals hold only literals and format() calls: cdktf mis-renders templates inside functions.
    // A service kept off the ALB has no public URL ("").
    const scheme = Fn.conditional(https, "https", "http");
    for (const key of SERVICE_NAMES) {
      const port = Fn.format(":%s", [inputs.services[key].port]);
      const portSuffix = config.services[key].httpsEntry ? Fn.conditional(https, "", port) : port;
      const url = Fn.format("%s://%s%s", [scheme, dns, portSuffix]);
      const isPublic = inputs.services[key].public;
      externalUrls[key] = Token.asString(isPublic === true ? url : Fn.conditional(isPublic, url, ""));
    }

    // Names and URLs known at plan time (from the variables), so that the plan shows whole container definitions.
    const image = (tag: string) => `${storage.imageRepository}:${tag}`;
    const services = {} as Record<ServiceName, FargateWebService>;
    for (const key of SERVICE_NAMES) {
      const spec = config.services[key];
      const vars = inputs.services[key];
      const runtime: ServiceRuntime = {
        // tostring(): inside jsonencode a bare number would reach ECS as a number, and commands are strings.
        port: Fn.tostring(vars.port),
        artifactsBucket: inputs.mlflowArtifactsBucket,
        externalUrls,
        envMode: inputs.envMode,
        wandbEntity: inputs.wandbEntity,
        region: inputs.awsRegion,
      };
      services[key] = new FargateWebService(this, key, {
        enabled: inputs.createEcsServices,
        serviceName: vars.serviceName,
        containerName: key,
        namePrefix: project,
        image: image(spec.imageTag),
        command: spec.command(runtime),
        environment: spec.environment(runtime),
        secrets: spec.wandbSecret ? { WANDB_API_KEY: storage.wandbSecretReference } : {},
        cpu: vars.cpu,
        memoryMiB: vars.memoryMiB,
        desiredCount: vars.desiredCount,
        port: vars.port,
        healthCheck: {
          path: vars.healthCheckPath,
          intervalSeconds: inputs.healthCheckIntervalSeconds,
          timeoutSeconds: inputs.healthCheckTimeoutSeconds,
          healthyThreshold: inputs.healthCheckHealthyThreshold,
          unhealthyThreshold: inputs.healthCheckUnhealthyThreshold,
          containerStartPeriodSeconds: spec.healthCheckStartPeriodSeconds,
          containerPath: spec.containerHealthCheckPath,
          matcher: spec.healthCheckMatcher,
        },
        deployment: {
          minimumHealthyPercent: inputs.deploymentMinimumHealthyPercent,
          maximumPercent: inputs.deploymentMaximumPercent,
          circuitBreakerRollback: inputs.deploymentCircuitBreakerRollback,
          forceNewDeployment: spec.forceNewDeployment,
        },
        deregistrationDelaySeconds: inputs.deregistrationDelaySeconds,
        public: vars.public,
        listenerTls: spec.httpsEntry
          ? undefined
          : { enabled: https, certificateArn: inputs.albCertificateArn, sslPolicy: inputs.albSslPolicy },
        efsMount:
          spec.experiments === "none"
            ? undefined
            : {
                fileSystemId: storage.experiments.fileSystem.id,
                accessPointId: storage.experiments.accessPoint.id,
                containerPath: EXPERIMENTS_PATH,
                readOnly: spec.experiments === "ro",
              },
        clusterId: this.cluster.id,
        serviceConnectNamespaceArn: namespace.arn,
        vpcId: network.network.vpc.id,
        subnetIds: network.network.privateSubnetIds,
        securityGroupIds: [network.ecsTasksSecurityGroup.id],
        loadBalancer: this.loadBalancer,
        logGroup: storage.logGroups[key],
        logGroupName: storage.logGroupNames[key],
        region: inputs.awsRegion,
        executionRole: this.executionRole.role,
        taskRole: taskRoles[key].role,
      });
    }
    this.services = services;

    const entry = SERVICE_NAMES.find((key) => config.services[key].httpsEntry) as ServiceName;
    new HttpsEntry(this, "https", {
      loadBalancer: this.loadBalancer,
      enabled: https,
      serviceEnabled: inputs.createEcsServices,
      certificateArn: inputs.albCertificateArn,
      sslPolicy: inputs.albSslPolicy,
      targetGroup: services[entry].targetGroup,
      httpListener: services[entry].listener,
    });

    new ServiceAutoscaling(this, "autoscaling", {
      enabled: inputs.createEcsServices,
      services: Object.fromEntries(
        SERVICE_NAMES.map((key) => [
          key,
          {
            serviceName: inputs.services[key].serviceName,
            minCapacity: inputs.services[key].minCapacity,
            maxCapacity: inputs.services[key].maxCapacity,
            service: services[key].service,
          },
        ]),
      ),
      clusterName: this.cluster.name,
      roleArn: autoscaleRole.arn,
      targetCpuPercent: inputs.scalingCpuTargetPercentage,
      scaleInCooldownSeconds: inputs.scalingCooldownSecondsIn,
      scaleOutCooldownSeconds: inputs.scalingCooldownSecondsOut,
    });

    declareOutput(this, "alb_hostname", dns, "DNS name of the public ALB.");
    for (const key of SERVICE_NAMES) {
      const spec = config.services[key];
      const url = spec.httpsEntry
        ? `http://<alb dns>:<${key}_port>, or https://<alb dns> with alb_certificate_arn set`
        : `http://<alb dns>:<${key}_port> (https:// with alb_certificate_arn set)`;
      const whenPrivate = spec.optionalPublic ? ` Empty when ${key}_public is false.` : "";
      declareOutput(this, `${key}_url`, externalUrls[key], `URL of the ${key} service: ${url}.${whenPrivate}`);
    }
    declareOutput(this, "ecs_cluster_name", this.cluster.name, "Name of the ECS cluster.");
    declareOutput(
      this,
      "ecs_service_names",
      Object.fromEntries(SERVICE_NAMES.map((key) => [key, inputs.services[key].serviceName])),
      "ECS service name of each service (api, ui, mlflow, tensorboard), whether or not the services exist yet.",
    );
    declareOutput(this, "aws_region", inputs.awsRegion, "AWS region of the platform.");
  }
}
