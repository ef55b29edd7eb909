/**
 * Sign-in in front of the tools and the web firewall, applied for real
 * against the emulator (docs/SIGN-IN.md): sign_in = "cognito" with an
 * imported certificate and waf_enabled, in one apply on the run's shared
 * applied platform.
 */
import * as fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MANAGED_RULE_GROUPS, RATE_RULE_NAME } from "../../platform/web-firewall-rules";
import {
  appliedPlatform,
  awsCall,
  checkTools,
  importTestCertificate,
  PROJECT_DIR,
  runCommand,
  stateJson,
  terraform,
  terraformOk,
  timing,
  type Moto,
  type StateJson,
  NO_REFRESH,
  valuesAt,
} from "./harness";

let moto: Moto;
let dir: string;
let state: StateJson;
let vars: string[];

/** The platform with sign-in and the firewall on: the run's shared applied platform, then an apply of the difference. */
async function applySignedIn(): Promise<void> {
  checkTools();
  ({ moto, dir } = await appliedPlatform("sign-in"));
  const cert = importTestCertificate(moto);
  vars = ["-var", "sign_in=cognito", "-var", `alb_certificate_arn=${cert}`, "-var", "waf_enabled=true", "-var", "waf_rate_limit=500"];
  const applied = await terraformOk(dir, moto, ["apply", "-input=false", "-auto-approve", ...vars]);
  timing("sign-in suite: apply of sign_in=cognito, a certificate and waf_enabled", applied.seconds);
  state = await stateJson(dir, moto);
}

function one(address: string): Record<string, unknown> {
  return valuesAt(state, address);
}

interface Action {
  Type: string;
  Order?: number;
  AuthenticateCognitoConfig?: { UserPoolArn: string; UserPoolClientId: string; UserPoolDomain: string };
  TargetGroupArn?: string;
}
interface Rule {
  Priority: string;
  Conditions: { Field: string; Values?: string[]; PathPatternConfig?: { Values: string[] } }[];
  Actions: Action[];
}

function ops(args: readonly string[]) {
  return runCommand("node", ["ops/launch.js", "--tf-dir", dir, ...args], PROJECT_DIR, moto);
}

describe("sign-in and the web firewall against the AWS emulator", () => {
  // One apply of the difference on the shared applied platform (built once per run, about 100 s, by whichever suite asks first).
  beforeAll(applySignedIn, 1_500_000);

  afterAll(async () => {
    await moto?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("signs in first on the UI's 443, MLflow's and TensorBoard's listeners, against the created pool, then forwards", () => {
    const pool = one("aws_cognito_user_pool.users[0]");
    const client = one("aws_cognito_user_pool_client.alb[0]");
    const domain = one("aws_cognito_user_pool_domain.sign_in[0]");
    const listeners = [
      ["ui", "aws_lb_listener.https[0]", "aws_lb_target_group.ui[0]"],
      ["mlflow", "aws_lb_listener.mlflow[0]", "aws_lb_target_group.mlflow[0]"],
      ["tensorboard", "aws_lb_listener.tensorboard[0]", "aws_lb_target_group.tensorboard[0]"],
    ] as const;
    for (const [key, listener, targetGroup] of listeners) {
      const rules = awsCall(moto, "elbv2", "describe_rules", { ListenerArn: one(listener).arn }).Rules as Rule[];
      // The rule ahead of every other matches every path; the listener's default is never reached.
      const first = rules.filter((r) => r.Priority !== "default").sort((a, b) => Number(a.Priority) - Number(b.Priority))[0];
      expect(first, key).toBeDefined();
      expect(
        first.Conditions.flatMap((c) => c.PathPatternConfig?.Values ?? c.Values ?? []),
        key,
      ).toEqual(["/*"]);
      const actions = [...first.Actions].sort((a, b) => (a.Order ?? 0) - (b.Order ?? 0));
      expect(
        actions.map((a) => a.Type),
        key,
      ).toEqual(["authenticate-cognito", "forward"]);
      expect(actions[0].AuthenticateCognitoConfig, key).toMatchObject({
        UserPoolArn: pool.arn,
        UserPoolClientId: client.id,
        UserPoolDomain: domain.domain,
      });
      expect(actions[1].TargetGroupArn, key).toBe(one(targetGroup).arn);
    }
    // The API keeps its exposure: no rule in front of its listener.
    const api = awsCall(moto, "elbv2", "describe_rules", { ListenerArn: one("aws_lb_listener.api[0]").arn }).Rules as Rule[];
    expect(api.filter((r) => r.Priority !== "default")).toEqual([]);
  });

  it("creates the pool for admins only, with MFA and the password policy, and an ALB client for the code flow with a secret", () => {
    const poolId = String(one("aws_cognito_user_pool.users[0]").id);
    const pool = (awsCall(moto, "cognito-idp", "describe_user_pool", { UserPoolId: poolId }) as { UserPool: Record<string, unknown> })
      .UserPool as {
      MfaConfiguration: string;
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: boolean };
      Policies: { PasswordPolicy: { MinimumLength: number; RequireSymbols: boolean } };
    };
    expect(pool.MfaConfiguration).toBe("ON");
    expect(pool.AdminCreateUserConfig.AllowAdminCreateUserOnly).toBe(true);
    expect(pool.Policies.PasswordPolicy).toMatchObject({ MinimumLength: 12, RequireSymbols: true });
    const clientId = String(one("aws_cognito_user_pool_client.alb[0]").id);
    const client = (
      awsCall(moto, "cognito-idp", "describe_user_pool_client", { UserPoolId: poolId, ClientId: clientId }) as {
        UserPoolClient: { AllowedOAuthFlows: string[]; ClientSecret?: string; CallbackURLs: string[] };
      }
    ).UserPoolClient;
    expect(client.AllowedOAuthFlows).toEqual(["code"]);
    expect(client.ClientSecret).toBeTruthy();
    const dns = String(one("aws_lb.main").dns_name);
    expect([...client.CallbackURLs].sort()).toEqual(
      [`https://${dns}/oauth2/idpresponse`, `https://${dns}:8080/oauth2/idpresponse`, `https://${dns}:6006/oauth2/idpresponse`].sort(),
    );
  });

  it("gives the API MLflow's Service Connect name, not the ALB's", () => {
    const arn = String(one("aws_ecs_task_definition.api[0]").arn);
    const def = awsCall(moto, "ecs", "describe_task_definition", { taskDefinition: arn }) as {
      taskDefinition: { containerDefinitions: { environment?: { name: string; value: string }[] }[] };
    };
    const env = def.taskDefinition.containerDefinitions[0].environment ?? [];
    expect(env.find((e) => e.name === "MLFLOW_TRACKING_URI")?.value).toBe("http://mlflow:8080");
  });

  it("associates the web ACL with the ALB: the managed groups and the per-IP rate rule, logged to aws-waf-logs-", () => {
    const albArn = String(one("aws_lb.main").arn);
    const acl = (awsCall(moto, "wafv2", "get_web_acl_for_resource", { ResourceArn: albArn }) as { WebACL?: Record<string, unknown> })
      .WebACL as {
      ARN: string;
      Rules: {
        Name: string;
        Priority: number;
        Statement: {
          ManagedRuleGroupStatement?: { Name: string; VendorName: string };
          RateBasedStatement?: { Limit: number; AggregateKeyType: string };
        };
      }[];
    };
    expect(acl?.ARN).toBe(one("aws_wafv2_web_acl.alb[0]").arn);
    // Evaluated by priority (the provider keeps rules as a set: the order of the list says nothing).
    const byPriority = [...acl.Rules].sort((a, b) => a.Priority - b.Priority);
    expect(byPriority.map((r) => r.Name)).toEqual([...MANAGED_RULE_GROUPS, RATE_RULE_NAME]);
    const managed = byPriority.flatMap((r) => (r.Statement.ManagedRuleGroupStatement ? [r.Statement.ManagedRuleGroupStatement] : []));
    expect(managed).toEqual(MANAGED_RULE_GROUPS.map((name) => ({ Name: name, VendorName: "AWS" })));
    const rate = acl.Rules.find((r) => r.Name === RATE_RULE_NAME)?.Statement.RateBasedStatement;
    expect(rate).toMatchObject({ Limit: 500, AggregateKeyType: "IP" });
    const logging = awsCall(moto, "wafv2", "get_logging_configuration", { ResourceArn: acl.ARN }) as {
      LoggingConfiguration: { LogDestinationConfigs: string[] };
    };
    expect(logging.LoggingConfiguration.LogDestinationConfigs).toEqual([one("aws_cloudwatch_log_group.waf[0]").arn]);
    expect(String(one("aws_cloudwatch_log_group.waf[0]").name)).toMatch(/^aws-waf-logs-/);
  });

  it("plans no changes the second time", async () => {
    const again = await terraform(dir, moto, ["plan", "-input=false", "-detailed-exitcode", ...vars]);
    expect(again.stdout, again.stdout.slice(-3000)).toContain("No changes.");
    expect(again.code).toBe(0);
  });

  it("refuses sign-in without a certificate, naming both inputs, before anything changes", async () => {
    // The refusal is the variable's own rule: made with or without reading the resources again.
    const run = await terraform(dir, moto, ["plan", "-input=false", NO_REFRESH, "-var", "sign_in=cognito"]);
    expect(run.code).toBe(1);
    const text = run.stderr.replace(/\s+/g, " ");
    expect(text).toContain("Invalid value for variable");
    expect(text).toMatch(/sign_in = "cognito" or "oidc" needs HTTPS: set alb_certificate_arn/);
  });

  it("ops users add puts a user in the pool (not in the state), list shows it, remove takes it out", async () => {
    const poolId = String(one("aws_cognito_user_pool.users[0]").id);
    const added = await ops(["users", "add", "Ana@Example.com"]);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toContain("added ana@example.com");
    // The pool signs in by e-mail address: Cognito names the user by a generated id and keeps the address as its email.
    const inPool = awsCall(moto, "cognito-idp", "list_users", { UserPoolId: poolId }) as {
      Users: { Attributes: { Name: string; Value: string }[] }[];
    };
    expect(inPool.Users.map((u) => u.Attributes.find((a) => a.Name === "email")?.Value)).toEqual(["ana@example.com"]);
    const listed = await ops(["users", "list"]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain("ana@example.com");
    expect(listed.stdout).toContain("FORCE_CHANGE_PASSWORD");
    const twice = await ops(["users", "add", "ana@example.com"]);
    expect(twice.code).not.toBe(0);
    expect(twice.stderr).toContain("ana@example.com is already a user of the pool");
    const pulled = await terraformOk(dir, moto, ["state", "pull"]);
    expect(pulled.stdout).not.toContain("ana@example.com");
    const removed = await ops(["users", "remove", "ana@example.com"]);
    expect(removed.code, removed.stderr).toBe(0);
    expect((awsCall(moto, "cognito-idp", "list_users", { UserPoolId: poolId }) as { Users: unknown[] }).Users).toEqual([]);
  });
});
