import { Fn } from "cdktf";

/**
 * `true` when a string token is non-empty, as a Terraform expression
 * (`can(regex("^.+$", var.x))`). Used for optional settings whose empty
 * default means "off". (cdktf 0.21's `Op.neq(x, "")` renders the empty
 * literal as `undefined`, which Terraform rejects.)
 */
export function isSet(value: string): boolean {
  return Fn.can(Fn.regex("^.+$", value)) as unknown as boolean;
}
