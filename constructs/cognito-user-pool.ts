import { CognitoUserPool } from "@cdktf/provider-aws/lib/cognito-user-pool";
import { CognitoUserPoolClient } from "@cdktf/provider-aws/lib/cognito-user-pool-client";
import { CognitoUserPoolDomain } from "@cdktf/provider-aws/lib/cognito-user-pool-domain";
import { Fn, Op, Token, type IResolvable } from "cdktf";
import { Construct } from "constructs";
import { address, instanceRef, splatRef } from "./terraform/addresses";
import { holdsData } from "./terraform/protect";

/**
 * The password policy of the pool: AWS Config's `cognito-user-pool-password-policy-check`
 * (upper and lower case, a number, a symbol, a temporary password valid at most 7 days)
 * with a longer minimum than its 8 characters.
 */
export const PASSWORD_POLICY = {
  minimumLength: 12,
  requireLowercase: true,
  requireUppercase: true,
  requireNumbers: true,
  requireSymbols: true,
  temporaryPasswordValidityDays: 3,
} as const;

export interface CognitoUserPoolProps {
  /** Create the pool, its client and domain (a bool token is fine). */
  readonly enabled: boolean | IResolvable;
  /** The pool's name (unique enough to find it in the console: `<project>-users<suffix>`). */
  readonly name: string;
  /** The hosted domain's prefix (unique across all accounts of a region: include the account id). */
  readonly domainPrefix: string;
  /** Where Cognito may send the user back to: the ALB's `https://<host>[:port]/oauth2/idpresponse` (a list token is fine). */
  readonly callbackUrls: string[];
  /** `ON`, `OPTIONAL` or `OFF` (authenticator-app codes). */
  readonly mfa: string;
  /** Anyone may create an account from the sign-in page (a bool token is fine). @default false */
  readonly selfSignUp?: boolean | IResolvable;
  /** Refuse to delete the pool while its users exist (AWS's deletion protection; a bool token is fine). @default true */
  readonly deletionProtection?: boolean | IResolvable;
}

/**
 * A Cognito user pool for the load balancer's sign-in: the pool (users, MFA,
 * password policy, no self sign-up unless asked, deletion protection and
 * `prevent_destroy`: it holds the users), an app client the ALB uses (OAuth
 * code flow, client secret, `openid` scope, the ALB's callback URLs) and a
 * Cognito hosted domain for the sign-in page. Users are managed with the
 * Cognito API (`npm run ops -- users`), never in Terraform state.
 */
export class CognitoUserPoolSignIn extends Construct {
  public readonly userPoolArn: string;
  public readonly userPoolId: string;
  /** The pool's id, or "" while it is not created (for outputs). */
  public readonly userPoolIdOrEmpty: string;
  public readonly clientId: string;
  /** The hosted domain's prefix (the ALB's `user_pool_domain`). */
  public readonly domain: string;

  constructor(scope: Construct, id: string, props: CognitoUserPoolProps) {
    super(scope, id);
    const count = Token.asNumber(Fn.conditional(props.enabled, 1, 0));
    const mfaOn = Op.neq(props.mfa, "OFF");

    const pool = address(
      new CognitoUserPool(this, "user-pool", {
        count,
        name: props.name,
        mfaConfiguration: props.mfa,
        softwareTokenMfaConfiguration: { enabled: mfaOn },
        adminCreateUserConfig: { allowAdminCreateUserOnly: Fn.conditional(props.selfSignUp ?? false, false, true) },
        passwordPolicy: PASSWORD_POLICY,
        accountRecoverySetting: { recoveryMechanism: [{ name: "verified_email", priority: 1 }] },
        autoVerifiedAttributes: ["email"],
        usernameAttributes: ["email"],
        deletionProtection: Token.asString(Fn.conditional(props.deletionProtection ?? true, "ACTIVE", "INACTIVE")),
        tags: { Name: props.name },
      }),
    );
    holdsData(pool, "the users who sign in to the tools");
    this.userPoolId = instanceRef(pool, 0, "id");
    this.userPoolArn = instanceRef(pool, 0, "arn");
    this.userPoolIdOrEmpty = Fn.join("", splatRef(pool, "id"));

    const client = address(
      new CognitoUserPoolClient(this, "client", {
        count,
        name: `${props.name}-alb`,
        userPoolId: this.userPoolId,
        generateSecret: true,
        allowedOauthFlowsUserPoolClient: true,
        allowedOauthFlows: ["code"],
        allowedOauthScopes: ["openid", "email"],
        supportedIdentityProviders: ["COGNITO"],
        callbackUrls: props.callbackUrls,
        preventUserExistenceErrors: "ENABLED",
      }),
    );
    this.clientId = instanceRef(client, 0, "id");

    const domain = address(
      new CognitoUserPoolDomain(this, "domain", {
        count,
        domain: props.domainPrefix,
        userPoolId: this.userPoolId,
      }),
    );
    this.domain = instanceRef(domain, 0, "domain");
  }
}
