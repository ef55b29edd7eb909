import { TerraformOutput, TerraformVariable } from "cdktf";
import type { Construct } from "constructs";
import { address } from "./addresses";

/** One `validation` block: a Terraform condition and the message shown when it is false. */
export interface Validation {
  /** A Terraform expression, without `${}`; `var.<name>` refers to the variable. */
  readonly condition: string;
  readonly message: string;
}

/** The Terraform type of a root variable. */
export type VariableType = "string" | "number" | "bool" | "list(string)";

export interface VariableSpec {
  readonly type: VariableType;
  readonly default: string | number | boolean | readonly string[];
  /** What it sets, in the console's words; units and cost where it changes the bill. */
  readonly description: string;
  readonly validations?: readonly Validation[];
  readonly sensitive?: boolean;
}

/**
 * Declares a root variable under its exact legacy name. Variables are the
 * users' interface (`-var`, `TF_VAR_*`, `terraform.tfvars`): their names
 * never carry CDKTF's hash suffix.
 */
export function declareVariable(scope: Construct, name: string, spec: VariableSpec): TerraformVariable {
  const variable = new TerraformVariable(scope, name, {
    type: spec.type,
    default: spec.default,
    description: spec.description,
    nullable: false,
    sensitive: spec.sensitive,
    validation: spec.validations?.map((v) => ({ condition: `\${${v.condition}}`, errorMessage: v.message })),
  });
  return address(variable, name);
}

/**
 * Declares a root output under its exact name, always with a description:
 * outputs are read by the team's scripts (`terraform output -raw <name>`).
 */
export function declareOutput(scope: Construct, name: string, value: unknown, description: string): TerraformOutput {
  return address(new TerraformOutput(scope, name, { value, description }), name);
}

/* ---- validation builders: each message names the variable and what is allowed ---- */

export function oneOf(name: string, allowed: readonly string[]): Validation {
  const list = allowed.map((a) => JSON.stringify(a)).join(", ");
  return {
    condition: `contains([${list}], var.${name})`,
    message: `${name} must be one of ${allowed.map((a) => `"${a}"`).join(", ")}.`,
  };
}

export function wholeNumberBetween(name: string, min: number, max: number): Validation {
  return {
    condition: `var.${name} == floor(var.${name}) && var.${name} >= ${min} && var.${name} <= ${max}`,
    message: `${name} must be a whole number from ${min} to ${max}.`,
  };
}

export function matches(name: string, regex: string, allowed: string): Validation {
  return {
    condition: `can(regex(${JSON.stringify(regex)}, var.${name}))`,
    message: `${name} must be ${allowed}.`,
  };
}
