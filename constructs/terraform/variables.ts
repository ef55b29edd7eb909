import { TerraformOutput, TerraformVariable, type IResolvable } from "cdktf";
import type { Construct } from "constructs";
import { address } from "./addresses";

/** One `validation` block: a Terraform condition and the message shown when it is false. */
export interface Validation {
  /** A Terraform expression, without `${}`; `var.<name>` refers to the variable (others may be named too). */
  readonly condition: string;
  readonly message: string;
}

/** What a rule may need to know beyond its own variable: the other variables' names. */
export interface RuleContext {
  /** Every root variable's name. */
  readonly variables: readonly string[];
  /** Named groups of names the table's owner defines (for example the services a rule concerns). */
  readonly groups: Readonly<Record<string, readonly string[]>>;
}

/** Variables' values by name, as TypeScript sees them (defaults, then variable files, then changes). */
export type Values = Readonly<Record<string, unknown>>;

/**
 * A validation for the variable it is attached to: given that variable's name (and the others'), its block.
 * `test`, when a rule has it, is the same condition in TypeScript, from the same data (the cost command
 * refuses what the plan would), true when the value passes.
 */
export type Rule = ((name: string, context: RuleContext) => Validation) & {
  readonly test?: (name: string, values: Values) => boolean;
  /** The message with the values filled in, where Terraform's message holds more than `${var.<name>}` references. */
  readonly explain?: (name: string, values: Values) => string;
};

/** A rule with its TypeScript test (and its message for TypeScript, when the condition's message computes something). */
export function tested(
  rule: (name: string, context: RuleContext) => Validation,
  test: (name: string, values: Values) => boolean,
  explain?: (name: string, values: Values) => string,
): Rule {
  return Object.assign(rule, { test, explain });
}

/** The Terraform types of root variables. */
export type VariableType = "string" | "number" | "bool" | "list(string)";

/** The plain value of a variable of type T (its default). */
export type ValueOf<T extends VariableType> = T extends "string"
  ? string
  : T extends "number"
    ? number
    : T extends "bool"
      ? boolean
      : readonly string[];

/** The Terraform reference to a variable of type T, as CDKTF types it. */
export type TokenOf<T extends VariableType> = T extends "string"
  ? string
  : T extends "number"
    ? number
    : T extends "bool"
      ? IResolvable
      : string[];

/**
 * One root variable: everything about it in one place. The variable block,
 * its typed reference, the README's inputs and cost tables and the cost
 * model all come from this.
 */
export interface Input<T extends VariableType = VariableType> {
  readonly type: T;
  readonly default: ValueOf<T>;
  /** What it sets, in the console's words, with its unit. */
  readonly description: string;
  /** Where the value changes the AWS bill, and by how much. Appended to the description as `COST: …`. */
  readonly cost?: string;
  readonly validations?: readonly Rule[];
  readonly sensitive?: boolean;
}

/** A table of root variables, keyed by their exact Terraform names. */
export type InputTable = Readonly<Record<string, Input>>;

/** The typed references of a table's variables. */
export type Inputs<T extends InputTable> = { readonly [K in keyof T]: TokenOf<T[K]["type"]> };

export const input = {
  string: (spec: Omit<Input<"string">, "type">): Input<"string"> => ({ type: "string", ...spec }),
  number: (spec: Omit<Input<"number">, "type">): Input<"number"> => ({ type: "number", ...spec }),
  bool: (spec: Omit<Input<"bool">, "type">): Input<"bool"> => ({ type: "bool", ...spec }),
  list: (spec: Omit<Input<"list(string)">, "type">): Input<"list(string)"> => ({ type: "list(string)", ...spec }),
};

/** The description as the variable block and the README show it: the cost note, when there is one, at the end. */
export function describe(spec: Input): string {
  return spec.cost ? `${spec.description} COST: ${spec.cost}` : spec.description;
}

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

/* ---- validation rules: each message names the variable, its value and what is allowed ---- */

/** A rule from a condition and what is allowed, both written for the variable's name. */
export function rule(condition: (v: string) => string, allowed: (name: string) => string): Rule {
  return (name) => ({ condition: condition(`var.${name}`), message: `${name} must be ${allowed(name)}.` });
}

export function oneOf(allowed: readonly string[]): Rule {
  return tested(
    rule(
      (v) => `contains([${allowed.map((a) => JSON.stringify(a)).join(", ")}], ${v})`,
      () => `one of ${allowed.map((a) => `"${a}"`).join(", ")}`,
    ),
    (name, values) => allowed.includes(values[name] as string),
  );
}

export function wholeNumberBetween(min: number, max: number): Rule {
  return tested(
    rule(
      (v) => `${v} == floor(${v}) && ${v} >= ${min} && ${v} <= ${max}`,
      () => `a whole number from ${min} to ${max}`,
    ),
    (name, values) => Number.isInteger(values[name]) && (values[name] as number) >= min && (values[name] as number) <= max,
  );
}

export function matches(regex: string, allowed: string): Rule {
  return tested(
    rule(
      (v) => `can(regex(${JSON.stringify(regex)}, ${v}))`,
      () => allowed,
    ),
    (name, values) => typeof values[name] === "string" && new RegExp(regex).test(values[name] as string),
  );
}

/**
 * The refusals the plan would give for these values, from the rules that have a TypeScript test:
 * each message as Terraform prints it (the variable's references filled in, and the value it got).
 */
export function refusals(table: InputTable, values: Values, groups: Readonly<Record<string, readonly string[]>> = {}): string[] {
  const context: RuleContext = { variables: Object.keys(table), groups };
  const out: string[] = [];
  for (const [name, spec] of Object.entries(table)) {
    for (const r of spec.validations ?? []) {
      if (r.test === undefined || r.test(name, values)) continue;
      const message = (r.explain?.(name, values) ?? r(name, context).message).replace(/\$\{var\.([a-z0-9_]+)\}/g, (_, v: string) =>
        String(values[v]),
      );
      out.push(`${message.replace(/\.$/, "")}${spec.sensitive ? "" : `; got ${JSON.stringify(values[name])}`}.`);
    }
  }
  return out;
}
