import type { TerraformResource } from "cdktf";

/** The construct metadata type that marks a resource as holding data; the docs and tests list them from it. */
export const HOLDS_DATA = "autovisionai:holds-data";

/**
 * Marks a resource that holds data (files, objects, images, a key): a plan
 * that would destroy or replace it fails (`prevent_destroy`), naming it. The
 * deliberate way past is an override file that lifts the flag for the
 * resources named, which `make destroy` and `ALLOW_DATA_LOSS=…` write (see
 * scripts/terraform.sh); nothing else does.
 */
export function holdsData(resource: TerraformResource, what: string): void {
  resource.lifecycle = { ...resource.lifecycle, preventDestroy: true };
  resource.node.addMetadata(HOLDS_DATA, { what });
}
