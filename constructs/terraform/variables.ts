/** The root's variable and output blocks, made from the input tables of ./input-rules.ts, each addressed by its exact name. */
import { TerraformOutput, TerraformVariable, type IResolvable } from "cdktf";
import type { Construct } from "constructs";
import { address } from "./addresses";
import { describe, type Input, type InputTable, type RuleContext, type VariableType } from "./input-rules";

/** The Terraform reference to a variable of type T, as CDKTF types it. */
export type TokenOf<T extends VariableType> = T extends "string"
  ? string
  : T extends "number"
    ? number
    : T extends "bool"
      ? IResolvable
      : string[];

/** The typed references of a table's variables. */
export type Inputs<T extends InputTable> = { readonly [K in keyof T]: TokenOf<T[K]["type"]> };

function reference(variable: TerraformVariable, type: VariableType): unknown {
  switch (type) {
    case "string":
      return variable.stringValue;
    case "number":
      return variable.numberValue;
    case "bool":
      return variable.booleanValue;
    default:
      return variable.listValue;
  }
}

/**
 * Declares a root variable under its exact name. Variables are the users'
 * interface (`-var`, `TF_VAR_*`, `terraform.tfvars`): their names never
 * carry CDKTF's hash suffix.
 */
export function declareVariable<T extends VariableType>(
  scope: Construct,
  name: string,
  spec: Input<T>,
  context: RuleContext = { variables: [name], groups: {} },
): TokenOf<T> {
  // Every refusal names the variable, what is allowed, and the value it got (unless the value is secret).
  const got = spec.sensitive ? "" : `; got \${jsonencode(var.${name})}`;
  const variable = new TerraformVariable(scope, name, {
    type: spec.type,
    default: spec.default,
    description: describe(spec),
    nullable: false,
    sensitive: spec.sensitive,
    validation: spec.validations?.map((rule) => {
      const v = rule(name, context);
      return { condition: `\${${v.condition}}`, errorMessage: `${v.message.replace(/\.$/, "")}${got}.` };
    }),
  });
  return reference(address(variable, name), spec.type) as TokenOf<T>;
}

/** Declares every variable of a table, in its order, and returns their typed references. */
export function declareVariables<T extends InputTable>(
  scope: Construct,
  table: T,
  groups: Readonly<Record<string, readonly string[]>> = {},
  context: RuleContext = { variables: Object.keys(table), groups },
): Inputs<T> {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(table)) out[name] = declareVariable(scope, name, spec, context);
  return out as Inputs<T>;
}

/** The typed references of a table whose entries may be absent (an absent entry declares nothing: `undefined`). */
export type NamedInputs<T extends Readonly<Record<string, Input | undefined>>> = {
  readonly [K in keyof T]-?: T[K] extends Input<infer U> ? TokenOf<U> : undefined;
};

/**
 * Declares the variables of a table keyed by the code's names, each under its Terraform name (`nameOf`), in
 * the table's order, and returns their typed references by the code's names. Absent entries are skipped.
 */
export function declareNamedVariables<T extends Readonly<Record<string, Input | undefined>>>(
  scope: Construct,
  table: T,
  nameOf: (key: keyof T & string) => string,
  context: RuleContext,
): NamedInputs<T> {
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(table)) {
    if (spec) out[key] = declareVariable(scope, nameOf(key), spec, context);
  }
  return out as NamedInputs<T>;
}

/**
 * Declares a root output under its exact name, always with a description:
 * outputs are read by the team's scripts (`terraform output -raw <name>`).
 */
export function declareOutput(scope: Construct, name: string, value: unknown, description: string): TerraformOutput {
  return address(new TerraformOutput(scope, name, { value, description }), name);
}
