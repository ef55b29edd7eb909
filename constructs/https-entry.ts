import type { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import { LbListenerRule } from "@cdktf/provider-aws/lib/lb-listener-rule";
import { Fn, Token, type IResolvable } from "cdktf";
import { Construct } from "constructs";
import { address, instanceRef } from "./terraform/addresses";

export interface HttpsEntryProps {
  readonly loadBalancer: Lb;
  /** HTTPS on (a bool token: a certificate is configured). */
  readonly enabled: boolean | IResolvable;
  /** The entry service exists (a bool token: `create_ecs_services`). */
  readonly serviceEnabled: boolean | IResolvable;
  readonly certificateArn: string;
  readonly sslPolicy: string;
  /** ARN of the entry service's target group, which 443 forwards to. */
  readonly targetGroupArn: string;
  /** ARN of the entry service's plain-HTTP listener, which then redirects to 443. */
  readonly httpListenerArn: string;
}

const REDIRECT_TO_HTTPS = { type: "redirect", redirect: { port: "443", protocol: "HTTPS", statusCode: "HTTP_301" } };

/**
 * HTTPS in front of one service: a 443 listener with the certificate that
 * forwards to it, port 80 redirecting to 443, and the service's own HTTP
 * port redirecting to 443 too (a rule ahead of its forward action). All of
 * it exists only while `enabled`.
 */
export class HttpsEntry extends Construct {
  /** The 443 listener's ARN (`…[0].arn`); only while HTTPS is on and the service exists. */
  public readonly listenerArn: string;

  constructor(scope: Construct, id: string, props: HttpsEntryProps) {
    super(scope, id);
    const on = Token.asNumber(Fn.conditional(props.enabled, 1, 0));
    const onWithService = Token.asNumber(Fn.conditional(Fn.alltrue([props.enabled, props.serviceEnabled]), 1, 0));

    const httpsListener = address(
      new LbListener(this, "https-listener", {
        count: onWithService,
        loadBalancerArn: props.loadBalancer.arn,
        port: 443,
        protocol: "HTTPS",
        certificateArn: props.certificateArn,
        sslPolicy: props.sslPolicy,
        defaultAction: [{ type: "forward", targetGroupArn: props.targetGroupArn }],
      }),
    );
    this.listenerArn = instanceRef(httpsListener, 0, "arn");
    address(
      new LbListener(this, "http-redirect-listener", {
        count: on,
        loadBalancerArn: props.loadBalancer.arn,
        port: 80,
        protocol: "HTTP",
        defaultAction: [REDIRECT_TO_HTTPS],
      }),
    );
    address(
      new LbListenerRule(this, "redirect-rule", {
        count: onWithService,
        listenerArn: props.httpListenerArn,
        priority: 1,
        action: [REDIRECT_TO_HTTPS],
        condition: [{ pathPattern: { values: ["/*"] } }],
      }),
    );
  }
}
