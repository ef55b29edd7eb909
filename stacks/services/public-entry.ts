import { Lb } from "@cdktf/provider-aws/lib/lb";
import { Fn, Token } from "cdktf";
import { Construct } from "constructs";
import { HttpsEntry } from "../../constructs/https-entry";
import { address } from "../../constructs/terraform/addresses";
import { isSet } from "../../constructs/terraform/expressions";
import type { FargateWebService } from "../../constructs/fargate-web-service";
import type { NetworkUnit } from "../network-unit";
import type { PlatformInputs, PlatformNames, PlatformService } from "../platform-stack";

export interface PublicEntryProps {
  readonly inputs: PlatformInputs;
  readonly services: readonly PlatformService[];
  readonly network: NetworkUnit;
  readonly names: PlatformNames;
}

/**
 * The platform's public entry: the internet-facing ALB, the URL of each
 * service on it, and HTTPS when a certificate is set (`alb_certificate_arn`):
 * the entry service (the table's `httpsEntry`, the UI) on https://<dns>,
 * the others on https://<dns>:<port>. A service kept off the ALB has no
 * public URL ("").
 */
export class PublicEntry extends Construct {
  public readonly loadBalancer: Lb;
  /** True (a bool token) while a certificate is set. */
  public readonly https: boolean;
  /** Each service's public URL, by service key ("" while it is kept off the ALB). */
  public readonly urls: Readonly<Record<string, string>>;

  private readonly props: PublicEntryProps;

  constructor(scope: Construct, id: string, props: PublicEntryProps) {
    super(scope, id);
    this.props = props;
    const { inputs, network } = props;
    const project = inputs.project_name;

    this.loadBalancer = address(
      new Lb(this, "load-balancer", {
        name: props.names.scoped(`${project}-alb`),
        internal: false,
        loadBalancerType: "application",
        securityGroups: [network.albSecurityGroup.id],
        subnets: network.network.publicSubnetIds,
        enableDeletionProtection: inputs.alb_deletion_protection,
        dropInvalidHeaderFields: true,
        accessLogs: {
          bucket: inputs.alb_access_logs_bucket,
          enabled: isSet(inputs.alb_access_logs_bucket),
          prefix: project,
        },
        tags: { Name: `${project}-alb` },
      }),
    );
    const dns = this.loadBalancer.dnsName;
    this.https = isSet(inputs.alb_certificate_arn);

    // Conditionals hold only literals and format() calls: cdktf mis-renders templates inside functions.
    const scheme = Fn.conditional(this.https, "https", "http");
    const urls: Record<string, string> = {};
    for (const { key, spec, vars } of props.services) {
      const port = Fn.format(":%s", [vars.port]);
      const portSuffix = spec.httpsEntry ? Fn.conditional(this.https, "", port) : port;
      const url = Fn.format("%s://%s%s", [scheme, dns, portSuffix]);
      urls[key] = Token.asString(vars.public === true ? url : Fn.conditional(vars.public, url, ""));
    }
    this.urls = urls;
  }

  /** HTTPS in front of the entry service (443, and 80 and its own port redirected), while a certificate is set. */
  public serveHttps(entry: FargateWebService): void {
    const { inputs } = this.props;
    new HttpsEntry(this, "https", {
      loadBalancer: this.loadBalancer,
      enabled: this.https,
      serviceEnabled: inputs.create_ecs_services,
      certificateArn: inputs.alb_certificate_arn,
      sslPolicy: inputs.alb_ssl_policy,
      targetGroupArn: entry.targetGroupArn,
      httpListenerArn: entry.listenerArn,
    });
  }
}
