import { TerraformResource, type TerraformStack } from "cdktf";
import { SUPPRESS } from "../../constructs/terraform/suppress";

/** A synthesized Terraform JSON document (one root). */
export type TerraformJson = {
  readonly resource?: Record<string, Record<string, Record<string, unknown>>>;
  readonly variable?: Record<string, { default?: unknown }>;
  readonly [section: string]: unknown;
};

/** One problem a rule found on one resource. */
export interface Finding {
  readonly ruleId: string;
  /** `type.name` of the resource. */
  readonly address: string;
  readonly message: string;
}

/** A policy rule: an id, why it matters, and a check over the whole root. */
export interface PolicyRule {
  readonly id: string;
  readonly rationale: string;
  check(root: TerraformJson): Finding[];
  /**
   * What the root does with its variables' defaults that a team should know but may choose (a tool open to
   * the internet …): printed in every report as a warning, never stopping synthesis. @default - none
   */
  warn?(root: TerraformJson): Finding[];
}

/** A rule's finding accepted on one resource, with the reason written beside it (see `suppress`). */
export interface Suppression {
  readonly ruleId: string;
  readonly address: string;
  readonly reason: string;
}

export interface PolicyReport {
  readonly rules: readonly string[];
  readonly findings: readonly Finding[];
  readonly suppressed: readonly (Finding & { readonly reason: string })[];
  /** Warnings of the rules' `warn`: reported, never stopping synthesis. */
  readonly warnings: readonly Finding[];
}

function suppressionsOf(stack: TerraformStack): Suppression[] {
  const out: Suppression[] = [];
  for (const node of stack.node.findAll()) {
    if (!(node instanceof TerraformResource)) continue;
    for (const entry of node.node.metadata.filter((m) => m.type === SUPPRESS)) {
      const { ruleId, reason } = entry.data as { ruleId: string; reason: string };
      out.push({ ruleId, reason, address: `${node.terraformResourceType}.${node.friendlyUniqueId}` });
    }
  }
  return out;
}

/** Runs the rules; a finding with a matching suppression is reported as suppressed. */
export function checkPolicies(stack: TerraformStack, root: TerraformJson, rules: readonly PolicyRule[]): PolicyReport {
  if (rules.length === 0) return { rules: [], findings: [], suppressed: [], warnings: [] };
  const suppressions = suppressionsOf(stack);
  const known = new Set(rules.map((r) => r.id));
  const stray = suppressions.filter((s) => !known.has(s.ruleId));
  if (stray.length > 0) {
    throw new Error(`policy: suppression of unknown rule ${stray.map((s) => `${s.ruleId} on ${s.address}`).join(", ")}`);
  }
  const findings: Finding[] = [];
  const suppressed: (Finding & { reason: string })[] = [];
  for (const rule of rules) {
    for (const f of rule.check(root)) {
      const s = suppressions.find((x) => x.ruleId === f.ruleId && x.address === f.address);
      if (s) suppressed.push({ ...f, reason: s.reason });
      else findings.push(f);
    }
  }
  const warnings = rules.flatMap((rule) => rule.warn?.(root) ?? []);
  return { rules: rules.map((r) => r.id), findings, suppressed, warnings };
}

/** The short report synth prints. */
export function formatReport(report: PolicyReport): string {
  const lines = [
    `policy: ${report.rules.length} rules, ${report.findings.length} findings, ${report.suppressed.length} suppressed, ${report.warnings.length} warnings`,
    ...report.findings.map((f) => `  FINDING ${f.ruleId} ${f.address}: ${f.message}`),
    ...report.warnings.map((f) => `  WARNING ${f.ruleId} ${f.address}: ${f.message}`),
  ];
  const grouped = new Map<string, { count: number; reason: string }>();
  for (const f of report.suppressed) {
    const key = `${f.ruleId} ${f.address}`;
    grouped.set(key, { count: (grouped.get(key)?.count ?? 0) + 1, reason: f.reason });
  }
  for (const [key, { count, reason }] of grouped) {
    lines.push(`  suppressed ${key}${count > 1 ? ` (${count} findings)` : ""}: ${reason}`);
  }
  return lines.join("\n");
}
