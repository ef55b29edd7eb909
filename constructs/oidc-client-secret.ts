import { DataAwsSecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/data-aws-secretsmanager-secret-version";
import { Fn, Token, type IResolvable } from "cdktf";
import { Construct } from "constructs";
import { address, instanceRef } from "./terraform/addresses";

export interface OidcClientSecretProps {
  /** Read the secret (a bool token is fine): only while sign-in goes through the team's identity provider. */
  readonly enabled: boolean | IResolvable;
  /** Name or ARN of the Secrets Manager secret holding the client secret (its current version, as a plain string). */
  readonly secretId: string;
}

/**
 * The client secret of the ALB's application at an OIDC identity provider,
 * read from Secrets Manager at plan time. The ALB needs the value itself, so
 * Terraform keeps it in the state (this data source's result and the
 * listener rules' `client_secret`), marked sensitive: never printed in a
 * plan. Rotating it is a new secret version and an apply (docs/SIGN-IN.md).
 */
export class OidcClientSecret extends Construct {
  /** The secret's current value (sensitive). */
  public readonly value: string;

  constructor(scope: Construct, id: string, props: OidcClientSecretProps) {
    super(scope, id);
    const version = address(
      new DataAwsSecretsmanagerSecretVersion(this, "version", {
        count: Token.asNumber(Fn.conditional(props.enabled, 1, 0)),
        secretId: props.secretId,
      }),
    );
    this.value = instanceRef(version, 0, "secret_string");
  }
}
