/**
 * Sign-in and the web firewall in the synthesized root (docs/SIGN-IN.md):
 * nothing exists with the defaults, the rules sit on the right listeners,
 * and the inputs refuse what cannot work. (The emulator suite applies it.)
 */
import { beforeAll, describe, expect, it } from "vitest";
import { PASSWORD_POLICY } from "../constructs/cognito-user-pool";
import { SIGN_IN_RULE_PRIORITY } from "../constructs/listener-sign-in";
import { checkEmail, requirePool } from "../ops/users";
import { SERVICES } from "../platform/services";
import { mergeRoot, renderPlatform, resources, type Json } from "./helpers";

let root: Json;
beforeAll(() => {
  root = mergeRoot(renderPlatform());
});

const TOOLS = Object.entries(SERVICES)
  .filter(([, s]) => "signIn" in s && s.signIn)
  .map(([key]) => key);

describe("sign-in in the root", () => {
  it("marks the UI, MLflow and TensorBoard as tools, not the API", () => {
    expect(TOOLS.sort()).toEqual(["mlflow", "tensorboard", "ui"]);
  });

  it("creates nothing with the defaults: every new resource and data source counts 0 unless its input is set", () => {
    const counted: [string, string, string][] = [
      ["aws_cognito_user_pool", "users", 'var.sign_in == \\"cognito\\"'],
      ["aws_cognito_user_pool_client", "alb", 'var.sign_in == \\"cognito\\"'],
      ["aws_cognito_user_pool_domain", "sign_in", 'var.sign_in == \\"cognito\\"'],
      ["aws_wafv2_web_acl", "alb", "var.waf_enabled"],
      ["aws_wafv2_web_acl_association", "alb", "var.waf_enabled"],
      ["aws_wafv2_web_acl_logging_configuration", "alb", "var.waf_enabled"],
      ["aws_cloudwatch_log_group", "waf", "var.waf_enabled"],
      ...TOOLS.flatMap((key): [string, string, string][] => [
        ["aws_lb_listener_rule", `${key}_sign_in_cognito`, 'var.sign_in == \\"cognito\\"'],
        ["aws_lb_listener_rule", `${key}_sign_in_oidc`, 'var.sign_in == \\"oidc\\"'],
      ]),
    ];
    for (const [type, name, condition] of counted) {
      const body = resources(root, type)[name];
      expect(body, `${type}.${name}`).toBeDefined();
      expect(JSON.stringify(body.count), `${type}.${name}`).toContain(condition);
    }
    expect(JSON.stringify(root.data.aws_secretsmanager_secret_version.oidc_client_secret.count)).toContain('var.sign_in == \\"oidc\\"');
    expect(root.variable.sign_in.default).toBe("none");
    expect(root.variable.waf_enabled.default).toBe(false);
  });

  it("puts the sign-in rules on the UI's 443 and on MLflow's and TensorBoard's own listeners, ahead of every other, on every path", () => {
    const rules = resources(root, "aws_lb_listener_rule");
    const listenerOf: Record<string, string> = { ui: "https", mlflow: "mlflow", tensorboard: "tensorboard" };
    for (const key of TOOLS) {
      for (const mode of ["cognito", "oidc"] as const) {
        const rule = rules[`${key}_sign_in_${mode}`];
        expect(rule.listener_arn).toBe(`\${aws_lb_listener.${listenerOf[key]}[0].arn}`);
        expect(rule.priority).toBe(SIGN_IN_RULE_PRIORITY[mode]);
        expect(rule.condition).toEqual([{ path_pattern: { values: ["/*"] } }]);
        expect(rule.action.map((a: Json) => [a.order, a.type])).toEqual([
          [1, `authenticate-${mode}`],
          [2, "forward"],
        ]);
        expect(rule.action[1].target_group_arn).toBe(`\${aws_lb_target_group.${key}[0].arn}`);
      }
    }
    expect(Object.keys(rules).filter((name) => name.startsWith("api_"))).toEqual([]);
  });

  it("reads the OIDC client secret from Secrets Manager, never from a variable", () => {
    const rule = resources(root, "aws_lb_listener_rule").mlflow_sign_in_oidc;
    expect(rule.action[0].authenticate_oidc.client_secret).toBe(
      "${data.aws_secretsmanager_secret_version.oidc_client_secret[0].secret_string}",
    );
    expect(Object.keys(root.variable).filter((name) => /secret/.test(name) && name.startsWith("oidc"))).toEqual([
      "oidc_client_secret_name",
    ]);
  });

  it("protects the user pool (it holds the users) and gives it the password policy and admin-only sign-up", () => {
    const pool = resources(root, "aws_cognito_user_pool").users;
    expect(pool.lifecycle.prevent_destroy).toBe(true);
    expect(pool.password_policy).toEqual({
      minimum_length: PASSWORD_POLICY.minimumLength,
      require_lowercase: true,
      require_numbers: true,
      require_symbols: true,
      require_uppercase: true,
      temporary_password_validity_days: PASSWORD_POLICY.temporaryPasswordValidityDays,
    });
    expect(PASSWORD_POLICY.minimumLength).toBeGreaterThanOrEqual(8);
    expect(PASSWORD_POLICY.temporaryPasswordValidityDays).toBeLessThanOrEqual(7);
    expect(pool.admin_create_user_config.allow_admin_create_user_only).toBe("${var.cognito_self_sign_up ? false : true}");
    expect(pool.deletion_protection).toBe('${var.cognito_deletion_protection ? "ACTIVE" : "INACTIVE"}');
    const client = resources(root, "aws_cognito_user_pool_client").alb;
    expect(client).toMatchObject({ generate_secret: true, allowed_oauth_flows: ["code"], allowed_oauth_flows_user_pool_client: true });
  });

  it("refuses sign-in without a certificate and OIDC endpoints that are not https, naming the inputs", () => {
    const signIn = JSON.stringify(root.variable.sign_in.validation);
    expect(signIn).toContain('var.sign_in == \\"none\\" || var.alb_certificate_arn != \\"\\"');
    expect(signIn).toContain("needs HTTPS: set alb_certificate_arn");
    for (const name of ["oidc_issuer", "oidc_authorization_endpoint", "oidc_token_endpoint", "oidc_user_info_endpoint"]) {
      const v = root.variable[name].validation[0];
      expect(v.condition).toContain('var.sign_in != "oidc" || can(regex("^https://');
      expect(v.error_message).toContain(`${name} must be an https URL`);
    }
  });

  it("names the WAF log group aws-waf-logs-… (AWS WAF logs nowhere else)", () => {
    expect(resources(root, "aws_cloudwatch_log_group").waf.name).toMatch(/^aws-waf-logs-/);
  });
});

describe("ops users: checks before any AWS call", () => {
  it("takes e-mail addresses only, in lower case", () => {
    expect(checkEmail("Ana@Example.com")).toBe("ana@example.com");
    expect(() => checkEmail("ana")).toThrow('user must be an e-mail address such as "ana@example.com"; got "ana"');
  });

  it("says how to get a pool when the platform has none", () => {
    expect(() => requirePool("", "staging")).toThrow(/environment staging has no Cognito user pool .* set sign_in = "cognito"/);
    expect(requirePool("us-west-1_abc", "prod")).toBe("us-west-1_abc");
  });
});
