import type { IConstruct } from "constructs";

/** The construct metadata type that carries a policy suppression; the policy checker reads it. */
export const SUPPRESS = "autovisionai:policy-suppress";

/**
 * Accepts a policy rule's finding on one resource, with the reason written
 * next to the resource in the code. The reason is printed in every synth
 * report (see docs/POLICY.md).
 */
export function suppress(resource: IConstruct, ruleId: string, reason: string): void {
  if (reason.trim().length < 20) {
    throw new Error(`suppress ${ruleId} on ${resource.node.path}: the reason must say why, in a sentence (got "${reason}")`);
  }
  resource.node.addMetadata(SUPPRESS, { ruleId, reason });
}
