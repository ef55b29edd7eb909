/**
 * The ECS service piece of `FargateWebService` (as aws-ecs-patterns'
 * `FargateService`): private subnets, no public IP, Service Connect, the
 * load balancer attachment while public, Fargate or a Fargate/Fargate Spot
 * strategy, rolling deploys with the circuit breaker and deployment alarms.
 */
import { EcsService, type EcsServiceAlarms } from "@cdktf/provider-aws/lib/ecs-service";
import type { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import { Fn, Op, TerraformIterator, Token, type IResolvable } from "cdktf";
import type { Construct } from "constructs";
import { address } from "../terraform/addresses";
import type { DeploymentAlarms, FargateWebServiceProps } from "./props";

/** What the service needs of the other pieces. */
export interface EcsServiceWiring {
  /** 0 or 1 (a number token). */
  readonly count: number;
  readonly taskDefinitionArn: string;
  readonly targetGroupArn: string;
  readonly listener: LbListener;
}

/** The service's `alarms` block when its names are known at synth: none without names. */
function staticAlarmsBlock(alarms: DeploymentAlarms | undefined): EcsServiceAlarms | undefined {
  if (!alarms || Token.isUnresolved(alarms.names) || alarms.names.length === 0) return undefined;
  return { alarmNames: alarms.names, enable: alarms.enabled, rollback: alarms.rollback };
}

/** Launch type and capacity provider strategy for a Spot share (`spotPercent`, a token is fine). */
function capacity(spot: number) {
  // spot >= 1 rather than > 0: cdktf renders a literal 0 in an operator as "undefined".
  const onSpot = Token.isUnresolved(spot) ? Op.gte(spot, 1) : spot > 0;
  if (onSpot === false) return { launchType: "FARGATE", capacityProviderStrategy: undefined };
  const strategy = TerraformIterator.fromList(
    Fn.conditional(
      onSpot,
      [
        { provider: "FARGATE", weight: Op.sub(100, spot) },
        { provider: "FARGATE_SPOT", weight: spot },
      ],
      [],
    ),
  );
  return {
    launchType: Token.asString(Fn.conditional(onSpot, Token.nullValue(), "FARGATE")),
    capacityProviderStrategy: strategy.dynamic({
      capacity_provider: strategy.getString("provider"),
      weight: strategy.getNumber("weight"),
    }),
  };
}

/** The service's load balancer attachment: always when public, else while `isPublic` (a bool token) is true. */
function loadBalancerBlock(props: FargateWebServiceProps, isPublic: boolean | IResolvable, targetGroupArn: string) {
  const name = props.containerName;
  if (isPublic === true) return [{ targetGroupArn, containerName: name, containerPort: props.port }];
  return TerraformIterator.fromList(Fn.conditional(isPublic, [name], [])).dynamic({
    target_group_arn: targetGroupArn,
    container_name: name,
    container_port: props.port,
  });
}

/** The ECS service (`count` instances: 0 or 1), construct id `service` in `scope`. */
export function ecsService(scope: Construct, props: FargateWebServiceProps, wiring: EcsServiceWiring): EcsService {
  const name = props.containerName;
  const service = address(
    new EcsService(scope, "service", {
      count: wiring.count,
      name: props.serviceName,
      cluster: props.clusterId,
      taskDefinition: wiring.taskDefinitionArn,
      desiredCount: props.desiredCount,
      // No platformVersion: Fargate runs LATEST unless told otherwise.
      ...capacity(props.spotPercent ?? 0),
      enableExecuteCommand: props.executeCommand,
      networkConfiguration: {
        subnets: props.subnetIds,
        securityGroups: props.securityGroupIds,
        assignPublicIp: false,
      },
      loadBalancer: loadBalancerBlock(props, props.public ?? true, wiring.targetGroupArn),
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
      dependsOn: [wiring.listener, ...(props.dependsOn ?? [])],
      lifecycle: { ignoreChanges: ["desired_count"] },
      tags: { Name: `${props.namePrefix}-${name}-service` },
    }),
  );
  const alarms = props.deploymentAlarms;
  if (alarms && Token.isUnresolved(alarms.names)) {
    // Names from a list token: the block exists while the list holds one. (The bindings' block written once
    // takes no dynamic block, hence the override.)
    service.addOverride("dynamic.alarms", {
      for_each: Fn.conditional(Op.gte(Fn.lengthOf(alarms.names), 1), ["alarms"], []),
      content: { alarm_names: alarms.names, enable: alarms.enabled, rollback: alarms.rollback },
    });
  }
  return service;
}
