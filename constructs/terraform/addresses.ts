import { ref, TerraformDataSource, TerraformStack, Token, type TerraformElement, type TerraformResource } from "cdktf";
import type { Construct } from "constructs";

/**
 * The one mechanism that decides Terraform addresses.
 *
 * CDKTF names every element after its construct path plus a hash suffix
 * (`network_vpc_1A2B3C4D`). The live AutoVisionAI state was written by a
 * hand-written HCL root, so every element that exists there must keep its
 * legacy address (`aws_vpc.main`, `aws_subnet.private[0]` …) or Terraform
 * would destroy and recreate it.
 *
 * Constructs call `address(element)` right after creating an element, before
 * anything reads its logical id. The id comes from the address table that
 * the root stack registers (path below the stack → logical id), so the
 * legacy names live in one visible table; an element the table does not
 * name gets its path in snake_case (`services/ui/task-role` → `ui_task_role`
 * once the unit prefix is dropped), never a hash.
 */
export type AddressTable = Readonly<Record<string, string>>;

const TABLES = new WeakMap<TerraformStack, { table: AddressTable; optional: ReadonlySet<string>; used: Set<string> }>();

/**
 * Registers the address table of a stack; call before creating any element.
 * `optional` lists paths of elements that may be absent (a role without an
 * inline policy): every other entry must name an element.
 */
export function useAddressTable(stack: TerraformStack, table: AddressTable, optional: Iterable<string> = []): void {
  TABLES.set(stack, { table, optional: new Set(optional), used: new Set() });
}

/** Throws when a table entry named no element: a typo there would silently rename a live resource. */
export function assertAddressTableUsed(stack: TerraformStack): void {
  const entry = TABLES.get(stack);
  if (!entry) return;
  const unused = Object.keys(entry.table).filter((path) => !entry.used.has(path) && !entry.optional.has(path));
  if (unused.length > 0) {
    throw new Error(`address table: no element at ${unused.join(", ")}; fix the path or remove the entry`);
  }
}

/** The element's path below its stack and its unit (`network/vpc` → `vpc`). */
function relativePath(element: Construct): string {
  const stackPath = TerraformStack.of(element).node.path;
  return element.node.path.slice(stackPath.length + 1);
}

export function address<T extends TerraformElement>(element: T, logicalId?: string): T {
  const path = relativePath(element);
  const entry = TABLES.get(TerraformStack.of(element));
  let id = logicalId;
  if (id === undefined && entry && path in entry.table) {
    id = entry.table[path];
    entry.used.add(path);
  }
  id ??=
    path
      .split("/")
      .slice(1)
      .join("_")
      .replace(/[^A-Za-z0-9]+/g, "_")
      .toLowerCase() || path.toLowerCase();
  if (!/^[a-z][a-z0-9_]*$/.test(id)) {
    throw new Error(
      `address: logical id "${id}" for ${element.node.path} must be snake_case ` +
        "(lower-case letters, digits and underscores, starting with a letter)",
    );
  }
  element.overrideLogicalId(id);
  return element;
}

/**
 * The key of one instance of a resource that has `count` or `for_each`.
 * A number is a count index; `EACH_KEY` is `each.key` inside a sibling
 * `for_each`; any other string is a literal for_each key.
 */
export type InstanceKey = number | string;

/** `each.key`, for a reference from one for_each resource to its twin. */
export const EACH_KEY = Symbol("each.key");

function renderKey(key: InstanceKey | typeof EACH_KEY): string {
  if (key === EACH_KEY) return "[each.key]";
  if (typeof key === "number") return `[${key}]`;
  return `[${JSON.stringify(key)}]`;
}

function resourceAddress(resource: TerraformResource | TerraformDataSource): string {
  const prefix = resource instanceof TerraformDataSource ? "data." : "";
  return `${prefix}${resource.terraformResourceType}.${resource.friendlyUniqueId}`;
}

/**
 * A reference to one attribute of one instance of a counted or for_each
 * resource: `${aws_ecs_task_definition.api[0].arn}`. CDKTF renders
 * `resource.arn` without the instance key, which Terraform rejects.
 */
export function instanceRef(
  resource: TerraformResource | TerraformDataSource,
  key: InstanceKey | typeof EACH_KEY,
  attribute: string,
): string {
  return Token.asString(ref(`${resourceAddress(resource)}${renderKey(key)}.${attribute}`, resource.cdktfStack));
}

/** A list of one attribute over all instances: `${aws_subnet.private[*].id}`. */
export function splatRef(resource: TerraformResource, attribute: string): string[] {
  return Token.asList(ref(`${resourceAddress(resource)}[*].${attribute}`, resource.cdktfStack));
}
