import type { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import { Fn, Token, type ITerraformDependable, type TerraformResource } from "cdktf";
import { Construct } from "constructs";
import { ecsService } from "./fargate/ecs-service";
import { loadBalancerTarget } from "./fargate/load-balancer-target";
import type { FargateWebServiceProps } from "./fargate/props";
import { fargateTaskDefinition } from "./fargate/task-definition";
import { instanceRef } from "./terraform/addresses";

export type {
  ContainerVariant,
  DeploymentAlarms,
  EfsMount,
  FargateWebServiceProps,
  RollingDeployment,
  WebHealthCheck,
} from "./fargate/props";

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
  private readonly service: EcsService;

  constructor(scope: Construct, id: string, props: FargateWebServiceProps) {
    super(scope, id);
    const count = Token.asNumber(Fn.conditional(props.enabled, 1, 0));
    const isPublic = props.public ?? true;
    const publicCount = isPublic === true ? count : Token.asNumber(Fn.conditional(Fn.alltrue([props.enabled, isPublic]), 1, 0));
    const mounts = props.efsMounts ?? [];
    const volumes = new Set(mounts.map((m) => m.volumeName));
    if (volumes.size !== mounts.length)
      throw new Error(`FargateWebService ${props.serviceName}: two efsMounts share a volumeName; give each its own`);

    // The three pieces aws-ecs-patterns also separates, each in this construct's scope (their ids and addresses stay).
    const taskDefinition = fargateTaskDefinition(this, props, count);
    this.taskDefinitionArn = instanceRef(taskDefinition, 0, "arn");
    const target = loadBalancerTarget(this, props, publicCount);
    this.targetGroupArn = target.targetGroupArn;
    this.targetGroupArnSuffix = instanceRef(target.targetGroup, 0, "arn_suffix");
    this.listenerArn = instanceRef(target.listener, 0, "arn");
    this.service = ecsService(this, props, {
      count,
      taskDefinitionArn: this.taskDefinitionArn,
      targetGroupArn: this.targetGroupArn,
      listener: target.listener,
    });
    this.serviceDependency = this.service;
  }

  /**
   * Makes the ECS service wait for resources another unit creates (its deployment alarms), so that a deploy in
   * the same apply starts with them in place. They must not depend on the service.
   */
  public waitFor(resources: readonly TerraformResource[]): void {
    const extra = resources.map((r) => `${r.terraformResourceType}.${r.friendlyUniqueId}`);
    this.service.dependsOn = [...(this.service.dependsOn ?? []), ...extra];
  }
}
