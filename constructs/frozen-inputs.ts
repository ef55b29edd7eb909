import { Fn, Op, Token } from "cdktf";
import { Construct } from "constructs";
import { address } from "./terraform/addresses";
import { TerraformData } from "./terraform/terraform-data";

/** One input that may not change once the platform exists. */
export interface FrozenInput {
  /** The value now (a Terraform reference such as `var.aws_region`). */
  readonly value: string;
  /** What a change would do, and what to do instead: shown when a change is refused. */
  readonly reason: string;
}

export interface FrozenInputsProps {
  /** The inputs to hold, by their variable names. */
  readonly inputs: Readonly<Record<string, FrozenInput>>;
}

/**
 * Holds inputs that must not change under a deployed platform. A
 * `terraform_data` resource records their values when it is created and
 * ignores later changes; a second one refuses, at plan time and before
 * anything changes, any plan in which an input differs from its record,
 * naming the input, both values and the reason. Replacing the record
 * (`terraform apply -replace=<record address>`) is the deliberate way to take
 * a new value.
 */
export class FrozenInputs extends Construct {
  /** The address of the record, for `-replace=`. */
  public readonly recordAddress: string;

  constructor(scope: Construct, id: string, props: FrozenInputsProps) {
    super(scope, id);
    const names = Object.keys(props.inputs);
    if (names.length === 0) throw new Error("FrozenInputs: inputs is empty; name at least one input to hold");
    const record = address(
      new TerraformData(this, "record", {
        input: Object.fromEntries(names.map((name) => [name, props.inputs[name].value])),
        lifecycle: { ignoreChanges: ["input"] },
      }),
    );
    this.recordAddress = `terraform_data.${record.friendlyUniqueId}`;
    address(
      new TerraformData(this, "check", {
        lifecycle: {
          precondition: names.map((name) => {
            const held = Token.asString(Fn.lookup(record.output, name, props.inputs[name].value));
            return {
              condition: Op.eq(held, props.inputs[name].value),
              errorMessage:
                `${name} is held at ${held} since the platform was created, and this plan sets it to ${props.inputs[name].value}. ` +
                `${props.inputs[name].reason} To take the new value on purpose, plan with -replace=${this.recordAddress}.`,
            };
          }),
        },
      }),
    );
  }
}
