/**
 * Validation rules for names and values AWS defines, written as Terraform
 * conditions so that a bad value is refused at plan time, before any API
 * call, with AWS's rule in the message.
 */
import type { Rule } from "./input-rules";

/**
 * S3 general purpose bucket naming rules (docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html):
 * 3-63 characters; lower-case letters, digits, dots and hyphens; a letter or
 * digit at both ends; no two adjacent dots; not an IP address; none of the
 * reserved prefixes and suffixes.
 */
export function s3BucketName(options: { readonly emptyAllowed?: string } = {}): Rule {
  return (name) => {
    const v = `var.${name}`;
    const rules = [
      `length(${v}) >= 3 && length(${v}) <= 63`,
      `can(regex("^[a-z0-9][a-z0-9.-]*[a-z0-9]$", ${v}))`,
      `!strcontains(${v}, "..")`,
      `!can(regex("^[0-9]+[.][0-9]+[.][0-9]+[.][0-9]+$", ${v}))`,
      ...["xn--", "sthree-", "amzn-s3-demo-"].map((p) => `!startswith(${v}, "${p}")`),
      ...["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"].map((s) => `!endswith(${v}, "${s}")`),
    ].join(" && ");
    const allowed =
      "a valid S3 bucket name: 3-63 lower-case letters, digits, dots or hyphens, a letter or digit at both ends, no two dots in a row, " +
      "not an IP address, not starting with xn--, sthree- or amzn-s3-demo-, not ending with -s3alias, --ol-s3, .mrap, --x-s3 or --table-s3";
    return options.emptyAllowed
      ? { condition: `${v} == "" || (${rules})`, message: `${name} must be empty (${options.emptyAllowed}) or ${allowed}.` }
      : { condition: rules, message: `${name} must be ${allowed}.` };
  };
}

/** ECR repository names (CreateRepository's repositoryName): 2-256 characters of lower-case path segments. */
export const ecrRepositoryName: Rule = (name) => ({
  condition:
    `length(var.${name}) >= 2 && length(var.${name}) <= 256 && ` +
    `can(regex("^([a-z0-9]+([._-][a-z0-9]+)*/)*[a-z0-9]+([._-][a-z0-9]+)*$", var.${name}))`,
  message:
    `${name} must be 2-256 lower-case letters and digits in segments joined by ".", "_" or "-", ` +
    `optionally in "/"-separated namespaces (ECR's rule for repository names).`,
});

/**
 * The Application Load Balancer's predefined TLS security policies
 * (docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html,
 * read 2026-11). A policy AWS adds later is refused until it is added here.
 */
export const ALB_SSL_POLICIES = [
  "ELBSecurityPolicy-TLS13-1-2-2021-06",
  "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
  "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06",
  "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06",
  "ELBSecurityPolicy-TLS13-1-1-2021-06",
  "ELBSecurityPolicy-TLS13-1-0-2021-06",
  "ELBSecurityPolicy-TLS13-1-3-2021-06",
  "ELBSecurityPolicy-TLS13-1-2-PQ-2025-09",
  "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
  "ELBSecurityPolicy-TLS13-1-2-Ext1-PQ-2025-09",
  "ELBSecurityPolicy-TLS13-1-2-Ext2-PQ-2025-09",
  "ELBSecurityPolicy-TLS13-1-0-PQ-2025-09",
  "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09",
  "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
  "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04",
  "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
  "ELBSecurityPolicy-TLS13-1-2-Ext0-FIPS-2023-04",
  "ELBSecurityPolicy-TLS13-1-2-Ext1-FIPS-2023-04",
  "ELBSecurityPolicy-TLS13-1-2-Ext2-FIPS-2023-04",
  "ELBSecurityPolicy-TLS13-1-1-FIPS-2023-04",
  "ELBSecurityPolicy-TLS13-1-0-FIPS-2023-04",
  "ELBSecurityPolicy-TLS13-1-2-FIPS-PQ-2025-09",
  "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-PQ-2025-09",
  "ELBSecurityPolicy-TLS13-1-2-Ext0-FIPS-PQ-2025-09",
  "ELBSecurityPolicy-TLS13-1-2-Ext1-FIPS-PQ-2025-09",
  "ELBSecurityPolicy-TLS13-1-2-Ext2-FIPS-PQ-2025-09",
  "ELBSecurityPolicy-TLS13-1-3-FIPS-PQ-2025-09",
  "ELBSecurityPolicy-FS-1-2-Res-2020-10",
  "ELBSecurityPolicy-FS-1-2-Res-2019-08",
  "ELBSecurityPolicy-FS-1-2-2019-08",
  "ELBSecurityPolicy-FS-1-1-2019-08",
  "ELBSecurityPolicy-FS-2018-06",
  "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
  "ELBSecurityPolicy-TLS-1-2-2017-01",
  "ELBSecurityPolicy-TLS-1-1-2017-01",
  "ELBSecurityPolicy-TLS-1-0-2015-04",
  "ELBSecurityPolicy-2016-08",
  "ELBSecurityPolicy-2015-05",
] as const;

/** The AWS services this platform's tasks call that a private subnet may reach through an interface endpoint. */
export const INTERFACE_ENDPOINT_SERVICES = ["ecr.api", "ecr.dkr", "logs", "secretsmanager", "ssmmessages"] as const;
