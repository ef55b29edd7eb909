import { LbListenerRule } from "@cdktf/provider-aws/lib/lb-listener-rule";
import { Fn, Token, type IResolvable } from "cdktf";
import { Construct } from "constructs";
import { address } from "./terraform/addresses";

/** The ALB's `authenticate-cognito` settings: a user pool, its app client and its hosted domain. */
export interface CognitoAuthentication {
  /** Sign in through Cognito (a bool token is fine). */
  readonly enabled: boolean | IResolvable;
  readonly userPoolArn: string;
  readonly clientId: string;
  readonly domain: string;
}

/** The ALB's `authenticate-oidc` settings: the team's identity provider. */
export interface OidcAuthentication {
  /** Sign in through the identity provider (a bool token is fine). */
  readonly enabled: boolean | IResolvable;
  readonly issuer: string;
  readonly authorizationEndpoint: string;
  readonly tokenEndpoint: string;
  readonly userInfoEndpoint: string;
  readonly clientId: string;
  /** Sensitive: kept in the state as the rule's `client_secret`. */
  readonly clientSecret: string;
}

export interface ListenerSignInProps {
  /** The listener (HTTPS: the ALB authenticates on HTTPS listeners only). */
  readonly listenerArn: string;
  /** Where a signed-in request goes: the listener's own target group. */
  readonly targetGroupArn: string;
  /** The listener and its target group exist (a bool token is fine). */
  readonly enabled: boolean | IResolvable;
  readonly cognito: CognitoAuthentication;
  readonly oidc: OidcAuthentication;
}

/** Rule priorities of the sign-in rules on a listener: ahead of any other rule, one per way of signing in. */
export const SIGN_IN_RULE_PRIORITY = { cognito: 1, oidc: 2 } as const;

/** Seconds a sign-in lasts before the ALB asks again (AWS's default, 7 days). */
const SESSION_SECONDS = 604800;

/**
 * Sign-in in front of one listener: a rule ahead of every other that matches
 * every path (`/*`) and whose first action authenticates the user
 * (`authenticate-cognito` or `authenticate-oidc`; an unauthenticated browser
 * is sent to the sign-in page) and whose second forwards to the target group.
 * The listener's default action is never reached while a rule exists. One
 * rule per way of signing in, each existing only while it is chosen.
 */
export class ListenerSignIn extends Construct {
  constructor(scope: Construct, id: string, props: ListenerSignInProps) {
    super(scope, id);
    const countWhen = (on: boolean | IResolvable) => Token.asNumber(Fn.conditional(Fn.alltrue([props.enabled, on]), 1, 0));
    const forward = { type: "forward", order: 2, targetGroupArn: props.targetGroupArn };
    const everyPath = [{ pathPattern: { values: ["/*"] } }];

    const { cognito, oidc } = props;
    address(
      new LbListenerRule(this, "cognito", {
        count: countWhen(cognito.enabled),
        listenerArn: props.listenerArn,
        priority: SIGN_IN_RULE_PRIORITY.cognito,
        condition: everyPath,
        action: [
          {
            type: "authenticate-cognito",
            order: 1,
            authenticateCognito: {
              userPoolArn: cognito.userPoolArn,
              userPoolClientId: cognito.clientId,
              userPoolDomain: cognito.domain,
              onUnauthenticatedRequest: "authenticate",
              sessionTimeout: SESSION_SECONDS,
            },
          },
          forward,
        ],
      }),
    );
    address(
      new LbListenerRule(this, "oidc", {
        count: countWhen(oidc.enabled),
        listenerArn: props.listenerArn,
        priority: SIGN_IN_RULE_PRIORITY.oidc,
        condition: everyPath,
        action: [
          {
            type: "authenticate-oidc",
            order: 1,
            authenticateOidc: {
              issuer: oidc.issuer,
              authorizationEndpoint: oidc.authorizationEndpoint,
              tokenEndpoint: oidc.tokenEndpoint,
              userInfoEndpoint: oidc.userInfoEndpoint,
              clientId: oidc.clientId,
              clientSecret: oidc.clientSecret,
              onUnauthenticatedRequest: "authenticate",
              sessionTimeout: SESSION_SECONDS,
            },
          },
          forward,
        ],
      }),
    );
  }
}
