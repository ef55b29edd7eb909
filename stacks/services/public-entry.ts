import { Lb } from "@cdktf/provider-aws/lib/lb";
import { Fn, Op, Token } from "cdktf";
import { Construct } from "constructs";
import { CognitoUserPoolSignIn } from "../../constructs/cognito-user-pool";
import { HttpsEntry } from "../../constructs/https-entry";
import { ListenerSignIn } from "../../constructs/listener-sign-in";
import { OidcClientSecret } from "../../constructs/oidc-client-secret";
import { WebFirewall } from "../../constructs/web-firewall";
import { PLATFORM } from "../../platform/config";
import { address } from "../../constructs/terraform/addresses";
import { isSet } from "../../constructs/terraform/expressions";
import { suppress } from "../../constructs/terraform/suppress";
import { declareOutput } from "../../constructs/terraform/variables";
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

    // The optional web firewall in front of the whole ALB (waf_enabled).
    new WebFirewall(this, "firewall", {
      enabled: inputs.waf_enabled,
      name: props.names.scoped(`${project}-alb`),
      resourceArn: this.loadBalancer.arn,
      rateLimit: inputs.waf_rate_limit,
      logGroupName: props.names.scoped(`aws-waf-logs-${project}`),
      logRetentionDays: PLATFORM.logRetentionDays,
    });
  }

  /** HTTPS in front of the entry service (443, and 80 and its own port redirected), while a certificate is set. */
  public serveHttps(entry: FargateWebService): HttpsEntry {
    const { inputs } = this.props;
    return new HttpsEntry(this, "https", {
      loadBalancer: this.loadBalancer,
      enabled: this.https,
      serviceEnabled: inputs.create_ecs_services,
      certificateArn: inputs.alb_certificate_arn,
      sslPolicy: inputs.alb_ssl_policy,
      targetGroupArn: entry.targetGroupArn,
      httpListenerArn: entry.listenerArn,
    });
  }

  /**
   * Sign-in (`sign_in`) in front of the services marked `signIn` in the table: a Cognito user pool or the
   * team's OIDC provider, and on each such service's HTTPS listener (the entry's 443) a rule that
   * authenticates every request before it forwards.
   */
  public requireSignIn(services: Readonly<Record<string, FargateWebService>>, https: HttpsEntry): void {
    const { inputs, names } = this.props;
    const project = inputs.project_name;
    const gated = this.props.services.filter((s) => s.spec.signIn);
    const cognitoOn = Op.eq(inputs.sign_in, "cognito");
    const oidcOn = Op.eq(inputs.sign_in, "oidc");
    const host = Fn.conditional(isSet(inputs.sign_in_domain), inputs.sign_in_domain, this.loadBalancer.dnsName);
    const pool = new CognitoUserPoolSignIn(this, "sign-in", {
      enabled: cognitoOn,
      name: names.scoped(`${project}-users`),
      // Hosted domain prefixes are unique across every account of a region: <project>-<environment>-<account id>.
      domainPrefix: Token.asString(
        Fn.format("%s-%s-%s", [project, inputs.environment, Fn.element(Fn.split(":", this.loadBalancer.arn), 4)]),
      ),
      callbackUrls: gated.map(({ spec, vars }) =>
        spec.httpsEntry
          ? Fn.format("https://%s/oauth2/idpresponse", [host])
          : Fn.format("https://%s:%s/oauth2/idpresponse", [host, vars.port]),
      ),
      mfa: inputs.cognito_mfa,
      selfSignUp: inputs.cognito_self_sign_up,
      deletionProtection: inputs.cognito_deletion_protection,
    });
    declareOutput(
      this,
      "cognito_user_pool_id",
      pool.userPoolIdOrEmpty,
      'Id of the Cognito user pool of the tools\' sign-in (npm run ops -- users); empty unless sign_in is "cognito".',
    );
    const secret = new OidcClientSecret(this, "oidc-client-secret", { enabled: oidcOn, secretId: inputs.oidc_client_secret_name });
    for (const { key } of this.props.services.filter((s) => !s.spec.signIn)) {
      const listener = services[key].node.tryFindChild("listener");
      if (listener) {
        suppress(
          listener,
          "ALB-SIGN-IN",
          "Programs call this service (scripts, training jobs, other services), and a program cannot follow a browser sign-in; its exposure is alb_ingress_cidr_blocks, as before.",
        );
      }
    }
    for (const { key, spec, vars } of gated) {
      const service = services[key];
      new ListenerSignIn(this, `${key}-sign-in`, {
        listenerArn: spec.httpsEntry ? https.listenerArn : service.listenerArn,
        targetGroupArn: service.targetGroupArn,
        enabled: Fn.alltrue([inputs.create_ecs_services, this.https, vars.public]),
        cognito: { enabled: cognitoOn, userPoolArn: pool.userPoolArn, clientId: pool.clientId, domain: pool.domain },
        oidc: {
          enabled: oidcOn,
          issuer: inputs.oidc_issuer,
          authorizationEndpoint: inputs.oidc_authorization_endpoint,
          tokenEndpoint: inputs.oidc_token_endpoint,
          userInfoEndpoint: inputs.oidc_user_info_endpoint,
          clientId: inputs.oidc_client_id,
          clientSecret: secret.value,
        },
      });
    }
  }
}
