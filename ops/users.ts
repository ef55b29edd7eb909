/**
 * `npm run ops -- users add|list|remove`: the people who may sign in to the
 * tools when `sign_in = "cognito"` (docs/SIGN-IN.md). Users live in the
 * Cognito user pool only, managed with the Cognito API: never in Terraform
 * state, so an apply neither sees nor changes them.
 */
import {
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  type CognitoIdentityProviderClient,
  paginateListUsers,
  type UserType,
} from "@aws-sdk/client-cognito-identity-provider";
import { EXIT, OpsError } from "./errors";
import { table } from "./format";

/** An e-mail address, the pool's user name (the same rule as the alarm e-mails' variable). */
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

export interface PoolUser {
  readonly email: string;
  /** Cognito's status: FORCE_CHANGE_PASSWORD until the first sign-in, then CONFIRMED. */
  readonly status: string;
  readonly enabled: boolean;
  readonly created: string;
}

/** The user pool the platform created: its `cognito_user_pool_id` output, empty while sign_in is not cognito. */
export function requirePool(poolId: string | undefined, env: string): string {
  if (!poolId) {
    throw new OpsError(
      `environment ${env} has no Cognito user pool (output cognito_user_pool_id is empty): set sign_in = "cognito" (with alb_certificate_arn) and apply, or pass --user-pool`,
      EXIT.notDeployed,
    );
  }
  return poolId;
}

export function checkEmail(email: string): string {
  if (!EMAIL.test(email)) throw new OpsError(`user must be an e-mail address such as "ana@example.com"; got "${email}"`, EXIT.usage);
  return email.toLowerCase();
}

function toUser(u: UserType): PoolUser {
  const email = u.Attributes?.find((a) => a.Name === "email")?.Value ?? u.Username ?? "";
  return { email, status: u.UserStatus ?? "", enabled: u.Enabled ?? false, created: u.UserCreateDate?.toISOString() ?? "" };
}

/**
 * Adds a user by e-mail address. Cognito e-mails a temporary password; the
 * first sign-in asks for a new one (and, with cognito_mfa ON, an
 * authenticator app).
 */
export async function addUser(client: CognitoIdentityProviderClient, poolId: string, email: string): Promise<PoolUser> {
  const address = checkEmail(email);
  try {
    const r = await client.send(
      new AdminCreateUserCommand({
        UserPoolId: poolId,
        Username: address,
        UserAttributes: [
          { Name: "email", Value: address },
          { Name: "email_verified", Value: "true" },
        ],
        DesiredDeliveryMediums: ["EMAIL"],
      }),
    );
    if (!r.User) throw new OpsError(`Cognito created ${address} but returned no user`);
    return toUser(r.User);
  } catch (e) {
    if ((e as { name?: string }).name === "UsernameExistsException") {
      throw new OpsError(`${address} is already a user of the pool (npm run ops -- users list)`, EXIT.failed);
    }
    throw e;
  }
}

export async function listUsers(client: CognitoIdentityProviderClient, poolId: string): Promise<PoolUser[]> {
  const users: PoolUser[] = [];
  for await (const page of paginateListUsers({ client }, { UserPoolId: poolId })) users.push(...(page.Users ?? []).map(toUser));
  return users.sort((a, b) => a.email.localeCompare(b.email));
}

export async function removeUser(client: CognitoIdentityProviderClient, poolId: string, email: string): Promise<void> {
  const address = checkEmail(email);
  try {
    await client.send(new AdminDeleteUserCommand({ UserPoolId: poolId, Username: address }));
  } catch (e) {
    if ((e as { name?: string }).name === "UserNotFoundException") {
      throw new OpsError(`${address} is not a user of the pool (npm run ops -- users list)`, EXIT.failed);
    }
    throw e;
  }
}

export function renderUsers(users: readonly PoolUser[]): string {
  if (users.length === 0) return "no users yet: npm run ops -- users add <email>";
  return table(
    ["user", "status", "enabled", "created (UTC)"],
    users.map((u) => [u.email, u.status, u.enabled ? "yes" : "no", u.created.slice(0, 19).replace("T", " ")]),
  );
}
