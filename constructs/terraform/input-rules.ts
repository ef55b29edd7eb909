/**
 * The root variables' tables and their validation rules, as data: what the variable blocks
 * (./variables.ts), the README's tables, the cost model and the wrapper's early refusals are all
 * made from. No CDKTF here: the day-two commands (ops/) read these rules without loading the
 * synthesis engine.
 */

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
