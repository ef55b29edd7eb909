/** The held inputs: those that may not change under a deployed platform, read from the state and checked before planning. */

/** The record of the held inputs in the state (FrozenInputs "identity" in the root stack). */
export const IDENTITY_RECORD = "terraform_data.platform_identity";

/** Inputs that may not change under a deployed platform, and why: the root's precondition and the wrappers say the same. */
export const HELD_INPUTS = {
  aws_region:
    "Terraform would look for the platform in the new region, find nothing, and plan a second platform there, " +
    "leaving this one, its experiments and artifacts, running and unmanaged. To move regions, deploy a new " +
    "environment there (its own state) and move the data.",
  environment:
    "Outside prod it is part of every name that is unique in the account (roles, bucket, repository, secret, cluster, ALB): " +
    "a new value replaces them, and the bucket, repository and secret with their data. Deploy another environment beside this one instead (ENV=<name>).",
  project_name:
    "It names the ALB, the security groups, the Service Connect namespace and the task roles: a new name " +
    "replaces them, changes the ALB's DNS name (every URL) and restarts the services.",
} as const;

/** The refusal of a held input's change (the root's precondition words, with the values filled in). */
export function heldMessage(name: keyof typeof HELD_INPUTS, held: string, value: string): string {
  return (
    `${name} is held at ${held} since the platform was created, and this plan sets it to ${value}. ` +
    `${HELD_INPUTS[name]} To take the new value on purpose, plan with -replace=${IDENTITY_RECORD}.`
  );
}

/** The held values recorded in a state (`terraform state pull`), or undefined when the platform has none yet. */
export function heldValues(state: unknown): Record<string, string> | undefined {
  const [type, name] = IDENTITY_RECORD.split(".");
  const resources = (
    state as { resources?: { mode: string; type: string; name: string; instances?: { attributes?: { input?: unknown } }[] }[] }
  )?.resources;
  const record = resources?.find((r) => r.mode === "managed" && r.type === type && r.name === name);
  const input = record?.instances?.[0]?.attributes?.input as { value?: Record<string, string> } | undefined;
  return input?.value;
}

/** The held inputs a plan would change, each as its refusal. */
export function heldChanges(held: Readonly<Record<string, string>> | undefined, values: Readonly<Record<string, unknown>>): string[] {
  if (held === undefined) return [];
  return (Object.keys(HELD_INPUTS) as (keyof typeof HELD_INPUTS)[])
    .filter((name) => held[name] !== undefined && values[name] !== undefined && String(values[name]) !== held[name])
    .map((name) => heldMessage(name, held[name], String(values[name])));
}
