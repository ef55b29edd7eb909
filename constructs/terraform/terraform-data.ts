import { type IResolvable, TerraformResource, type TerraformResourceLifecycle } from "cdktf";
import type { Construct } from "constructs";

export interface TerraformDataProps {
  /** Values to store (`input`); `output` repeats them. @default - none */
  readonly input?: Readonly<Record<string, string>>;
  readonly lifecycle?: TerraformResourceLifecycle;
}

/**
 * Terraform's built-in `terraform_data` resource. cdktf's own class
 * (`DataResource`) runs `terraform version` on every synthesis to check for
 * Terraform 1.4: synthesis then needs Terraform on PATH (and spends a tenth
 * of a second on it), although the root already requires Terraform 1.11
 * (`required_version`), which Terraform itself enforces. This class writes
 * the same JSON without that check.
 */
export class TerraformData extends TerraformResource {
  private readonly input?: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: TerraformDataProps = {}) {
    super(scope, id, {
      terraformResourceType: "terraform_data",
      terraformGeneratorMetadata: { providerName: "terraform" },
      lifecycle: props.lifecycle,
    });
    this.input = props.input;
  }

  /** `output`: the stored input. */
  public get output(): IResolvable {
    return this.interpolationForAttribute("output");
  }

  protected synthesizeAttributes(): Record<string, unknown> {
    return this.input === undefined ? {} : { input: { ...this.input } };
  }
}
