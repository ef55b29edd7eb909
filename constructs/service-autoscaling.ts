import { AppautoscalingPolicy } from "@cdktf/provider-aws/lib/appautoscaling-policy";
import { AppautoscalingTarget } from "@cdktf/provider-aws/lib/appautoscaling-target";
import { Fn, TerraformIterator, TerraformLocal, Token, type ITerraformDependable, type IResolvable } from "cdktf";
import { Construct } from "constructs";
import { address, EACH_KEY, instanceRef } from "./terraform/addresses";

/** One ECS service to scale. */
export interface ScaledService {
  readonly serviceName: string;
  readonly minCapacity: number;
  readonly maxCapacity: number;
  /** The service resource, so that its scaling target is registered after it exists. */
  readonly service: ITerraformDependable;
}

export interface ServiceAutoscalingProps {
  /** Create the targets and policies or not (a bool token is fine). */
  readonly enabled: boolean | IResolvable;
  /** The services, keyed by a stable name (the for_each key of every resource). */
  readonly services: Readonly<Record<string, ScaledService>>;
  readonly clusterName: string;
  /** The role Application Auto Scaling uses on ECS. */
  readonly roleArn: string;
  /** Average CPU (percent) to hold each service at. */
  readonly targetCpuPercent: number;
  readonly scaleInCooldownSeconds: number;
  readonly scaleOutCooldownSeconds: number;
}

/**
 * Target-tracking CPU autoscaling of several ECS services: one scalable
 * target and one policy per service, each a `for_each` instance keyed by the
 * service's stable name. Autoscaling owns the running count between the
 * min and max capacity.
 */
export class ServiceAutoscaling extends Construct {
  public readonly targets: AppautoscalingTarget;
  public readonly policies: AppautoscalingPolicy;

  constructor(scope: Construct, id: string, props: ServiceAutoscalingProps) {
    super(scope, id);
    const entries = Object.entries(props.services);
    if (entries.length === 0) throw new Error("ServiceAutoscaling: services is empty");

    const table = address(
      new TerraformLocal(
        this,
        "services",
        Object.fromEntries(
          entries.map(([key, s]) => [key, { service_name: s.serviceName, min_capacity: s.minCapacity, max_capacity: s.maxCapacity }]),
        ),
      ),
    );
    const each = TerraformIterator.fromMap(Token.asAnyMap(Fn.conditional(props.enabled, table.expression, {})));

    this.targets = address(
      new AppautoscalingTarget(this, "targets", {
        forEach: each,
        serviceNamespace: "ecs",
        scalableDimension: "ecs:service:DesiredCount",
        resourceId: `service/${props.clusterName}/${each.getString("service_name")}`,
        minCapacity: each.getNumber("min_capacity"),
        maxCapacity: each.getNumber("max_capacity"),
        roleArn: props.roleArn,
        dependsOn: entries.map(([, s]) => s.service),
      }),
    );

    this.policies = address(
      new AppautoscalingPolicy(this, "cpu-policies", {
        forEach: each,
        name: `${each.getString("service_name")}-cpu-target-tracking`,
        policyType: "TargetTrackingScaling",
        serviceNamespace: instanceRef(this.targets, EACH_KEY, "service_namespace"),
        scalableDimension: instanceRef(this.targets, EACH_KEY, "scalable_dimension"),
        resourceId: instanceRef(this.targets, EACH_KEY, "resource_id"),
        targetTrackingScalingPolicyConfiguration: {
          predefinedMetricSpecification: { predefinedMetricType: "ECSServiceAverageCPUUtilization" },
          targetValue: props.targetCpuPercent,
          scaleInCooldown: props.scaleInCooldownSeconds,
          scaleOutCooldown: props.scaleOutCooldownSeconds,
        },
      }),
    );
  }
}
