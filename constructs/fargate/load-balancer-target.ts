/**
 * The load-balancer piece of `FargateWebService` (as aws-ecs-patterns'
 * `ApplicationLoadBalancedServiceBase`): the service's target group (ip
 * targets, its health check) and its own listener port on the shared ALB
 * (HTTP, or HTTPS while `listenerTls` is enabled).
 */
import { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import { Fn, Token } from "cdktf";
import type { Construct } from "constructs";
import { address, instanceRef } from "../terraform/addresses";
import type { FargateWebServiceProps, ListenerTls } from "./props";

export interface LoadBalancerTarget {
  readonly targetGroup: LbTargetGroup;
  readonly listener: LbListener;
  /** `…[0].arn` of the target group. */
  readonly targetGroupArn: string;
}

/** The listener's protocol settings: plain HTTP, or HTTPS while TLS is enabled. */
function listenerProtocol(tls: ListenerTls | undefined) {
  if (!tls) return { protocol: "HTTP" };
  return {
    protocol: Fn.conditional(tls.enabled, "HTTPS", "HTTP"),
    certificateArn: Fn.conditional(tls.enabled, tls.certificateArn, Token.nullValue()),
    sslPolicy: Fn.conditional(tls.enabled, tls.sslPolicy, Token.nullValue()),
  };
}

/** Target group and listener (`count` instances: 0 or 1), construct ids `target-group` and `listener` in `scope`. */
export function loadBalancerTarget(scope: Construct, props: FargateWebServiceProps, count: number): LoadBalancerTarget {
  const hc = props.healthCheck;
  const targetGroup = address(
    new LbTargetGroup(scope, "target-group", {
      count,
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
      tags: { Name: `${props.namePrefix}-${props.containerName}-tg` },
    }),
  );
  const targetGroupArn = instanceRef(targetGroup, 0, "arn");
  const listener = address(
    new LbListener(scope, "listener", {
      count,
      loadBalancerArn: props.loadBalancer.arn,
      port: props.port,
      ...listenerProtocol(props.listenerTls),
      defaultAction: [{ type: "forward", targetGroupArn }],
    }),
  );
  return { targetGroup, listener, targetGroupArn };
}
