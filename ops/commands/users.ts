/** `ops users add|list|remove`: the people who may sign in to the tools (sign_in = "cognito"), kept in the user pool, never in the state. */
import { CognitoIdentityProviderClient } from "@aws-sdk/client-cognito-identity-provider";
import type { Command } from "commander";
import { resolveEnvironment } from "../environment";
import { EXIT, OpsError } from "../errors";
import { readOutputs } from "../platform";
import { addUser, listUsers, removeUser, renderUsers, requirePool } from "../users";
import { print, rootOf } from "./context";

/** The pool and a Cognito client for it, from the outputs unless --user-pool and --region say. */
function poolOf(cmd: Command) {
  const { g, tfDir } = rootOf(cmd);
  const o = cmd.optsWithGlobals() as { userPool?: string };
  const outputs = o.userPool && g.region ? {} : readOutputs(tfDir, resolveEnvironment(g.env, tfDir).terraformEnv);
  const poolId = requirePool(o.userPool ?? (outputs.cognito_user_pool_id?.value as string | undefined), g.env);
  const region = g.region ?? (outputs.aws_region?.value as string | undefined) ?? process.env.AWS_REGION;
  if (!region) throw new OpsError("no AWS region: pass --region or set AWS_REGION", EXIT.usage);
  return { poolId, client: new CognitoIdentityProviderClient({ region, maxAttempts: 3 }), json: Boolean(g.json) };
}

export function registerUsers(p: Command): void {
  const users = p
    .command("users")
    .description('the people who may sign in to the tools (sign_in = "cognito"): kept in the Cognito user pool, never in the state')
    .option("--user-pool <id>", "the user pool (default: the cognito_user_pool_id output)");
  users
    .command("add")
    .description("add a user by e-mail address: Cognito e-mails a temporary password, changed at the first sign-in")
    .argument("<email>")
    .action(async (email: string, _o, cmd: Command) => {
      const { poolId, client, json } = poolOf(cmd);
      const user = await addUser(client, poolId, email);
      print(json, user, `added ${user.email} (${user.status}): Cognito has e-mailed a temporary password`);
    });
  users
    .command("list")
    .description("the pool's users, their status and when they were added")
    .action(async (_o, cmd: Command) => {
      const { poolId, client, json } = poolOf(cmd);
      const all = await listUsers(client, poolId);
      print(json, all, renderUsers(all));
    });
  users
    .command("remove")
    .description("delete a user: their next request to a tool asks them to sign in again, and they cannot")
    .argument("<email>")
    .action(async (email: string, _o, cmd: Command) => {
      const { poolId, client, json } = poolOf(cmd);
      await removeUser(client, poolId, email);
      print(json, { removed: email }, `removed ${email}`);
    });
}
