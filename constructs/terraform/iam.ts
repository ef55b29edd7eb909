import { Fn } from "cdktf";

/** One IAM policy statement, as AWS writes it. */
export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: "Allow" | "Deny";
  readonly Principal?: unknown;
  readonly Action: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/** A policy document as a Terraform `jsonencode(...)` string (tokens inside are fine). */
export function policyDocument(statements: readonly PolicyStatement[]): string {
  return Fn.jsonencode({ Version: "2012-10-17", Statement: statements });
}

/** The trust policy that lets one AWS service assume a role. */
export function assumeRolePolicy(servicePrincipal: string): string {
  return policyDocument([{ Effect: "Allow", Principal: { Service: servicePrincipal }, Action: "sts:AssumeRole" }]);
}
