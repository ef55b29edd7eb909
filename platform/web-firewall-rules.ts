/**
 * The rules of the ALB's web ACL (constructs/web-firewall.ts), as data: the construct
 * makes them, the cost model counts them, and the sign-in suite reads them back from
 * the emulator. No CDKTF here, so that ops/ reads them without loading it.
 */

/**
 * The AWS managed rule groups the web ACL runs, in priority order (AWS WAF
 * Developer Guide, "AWS Managed Rules rule groups list"): the baseline
 * common rule set (OWASP-style attacks), known bad inputs (Log4j, exploit
 * payloads) and the Amazon IP reputation list (bots, known attackers).
 */
export const MANAGED_RULE_GROUPS = [
  "AWSManagedRulesCommonRuleSet",
  "AWSManagedRulesKnownBadInputsRuleSet",
  "AWSManagedRulesAmazonIpReputationList",
] as const;

/** The name of the per-IP rate rule. */
export const RATE_RULE_NAME = "rate-limit-per-ip";

/** The rules a web ACL bills for: the managed groups and the rate rule (ops/cost-model.ts counts them from here). */
export const WEB_ACL_RULE_COUNT = MANAGED_RULE_GROUPS.length + 1;
