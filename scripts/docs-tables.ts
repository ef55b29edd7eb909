/**
 * Writes the generated parts of the docs: the README's inputs and outputs
 * tables from the synthesized root, and docs/MIGRATION.md's list of what the
 * switch changes from `platform/intended-changes.ts`, so the docs always say
 * what the code declares. `npm run docs` rewrites them between their
 * markers; a unit test fails when they are stale.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { App } from "cdktf";
import { RULES } from "../synth/policy/rules";
import { renderRoot } from "../synth/root-writer";
import { buildPlatform } from "../main";
import { changedAddresses, INTENDED_CHANGES, planSummary, type IntendedKind } from "../platform/intended-changes";
import { PLATFORM_INPUTS, serviceInputs } from "../platform/inputs";
import { SERVICES, type ServiceTable } from "../platform/services";
import { ALARMS_DOC, renderAlarmsDoc } from "./alarms-doc";
import type { Input } from "../constructs/terraform/variables";

type Variable = { type: string; default: unknown; description: string };
type Output = { description: string };

export const README = path.join(__dirname, "..", "README.md");
export const MIGRATION = path.join(__dirname, "..", "docs", "MIGRATION.md");
export const MARKERS = {
  costs: ["<!-- costs:begin -->", "<!-- costs:end -->"],
  inputs: ["<!-- inputs:begin -->", "<!-- inputs:end -->"],
  outputs: ["<!-- outputs:begin -->", "<!-- outputs:end -->"],
  changes: ["<!-- changes:begin -->", "<!-- changes:end -->"],
} as const;

const cell = (text: string) => text.replace(/\|/g, "\\|");

export function tables(): { inputs: string; outputs: string } {
  const { root, units } = buildPlatform(new App({ outdir: path.join(__dirname, "..", "cdktf.out") }));
  const main = JSON.parse(renderRoot(root, units, RULES).files["main.tf.json"]) as {
    variable: Record<string, Variable>;
    output: Record<string, Output>;
  };
  const inputs = [
    "| name | type | default | description |",
    "|---|---|---|---|",
    ...Object.entries(main.variable)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, v]) => `| \`${name}\` | ${v.type} | \`${JSON.stringify(v.default)}\` | ${cell(v.description)} |`),
  ].join("\n");
  const outputs = [
    "| name | description |",
    "|---|---|",
    ...Object.entries(main.output).map(([name, o]) => `| \`${name}\` | ${cell(o.description)} |`),
  ].join("\n");
  return { inputs, outputs };
}

/** Every input whose value changes the AWS bill, with its default and cost note; a service's are one row for all services. */
export function costTable(services: ServiceTable = SERVICES): string {
  const show = (v: unknown) => `\`${JSON.stringify(v)}\``;
  const rows: string[] = [];
  const keys = Object.keys(services);
  const perService = new Map<string, { spec: Input; defaults: string[] }>();
  keys.forEach((key, i) => {
    for (const [suffix, spec] of Object.entries(serviceInputs(key, services[key], keys.slice(0, i)))) {
      if (!spec?.cost) continue;
      const row = perService.get(suffix) ?? { spec, defaults: [] };
      row.defaults.push(`${services[key].displayName} ${JSON.stringify(spec.default)}`);
      perService.set(suffix, row);
    }
  });
  for (const [suffix, { spec, defaults }] of perService)
    rows.push(`| \`<service>_${suffix}\` | ${cell(defaults.join(", "))} | ${cell(spec.cost ?? "")} |`);
  for (const [name, spec] of Object.entries(PLATFORM_INPUTS) as [string, Input][]) {
    if (spec.cost) rows.push(`| \`${name}\` | ${show(spec.default)} | ${cell(spec.cost)} |`);
  }
  return ["| variable | default | cost |", "|---|---|---|", ...rows].join("\n");
}

/** What the switch from the live HCL root changes, and why: one table per kind of change. */
export function migrationChanges(): string {
  const by = changedAddresses();
  const rows = (kind: IntendedKind) =>
    INTENDED_CHANGES.filter((c) => c.kind === kind && (kind !== "update" || by.update.includes(c.address)))
      .sort((a, b) => a.address.localeCompare(b.address) || a.attribute.localeCompare(b.attribute))
      .map((c) =>
        kind === "create" ? `| \`${c.address}\` | ${cell(c.reason)} |` : `| \`${c.address}\` | \`${c.attribute}\` | ${cell(c.reason)} |`,
      );
  return [
    `Terraform prints \`${planSummary()}\``,
    "",
    `### Replaced: ${by.replace.length} task definitions get a new revision (no data involved)`,
    "",
    "| address | what changes | why |",
    "|---|---|---|",
    ...rows("replace"),
    "",
    `### Updated in place: ${by.update.length} resources`,
    "",
    "| address | what changes | why |",
    "|---|---|---|",
    ...rows("update"),
    "",
    `### Created: ${by.create.length} resources`,
    "",
    "| address | why |",
    "|---|---|",
    ...rows("create"),
  ].join("\n");
}

function replaceBetween(text: string, file: string, key: keyof typeof MARKERS, content: string): string {
  const [begin, end] = MARKERS[key];
  const from = text.indexOf(begin);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`${file}: markers ${begin} … ${end} are missing`);
  return `${text.slice(0, from + begin.length)}\n${content}\n${text.slice(to)}`;
}

/** The README with both tables replaced by what the code declares. */
export function renderReadme(current: string): string {
  const t = tables();
  let text = replaceBetween(current, "README.md", "costs", costTable());
  text = replaceBetween(text, "README.md", "inputs", t.inputs);
  return replaceBetween(text, "README.md", "outputs", t.outputs);
}

/** docs/MIGRATION.md with its list of changes replaced by the intended-changes list. */
export function renderMigration(current: string): string {
  return replaceBetween(current, "docs/MIGRATION.md", "changes", migrationChanges());
}

if (require.main === module) {
  for (const [file, render] of [
    [README, renderReadme],
    [MIGRATION, renderMigration],
    [ALARMS_DOC, renderAlarmsDoc],
  ] as const) {
    const before = fs.readFileSync(file, "utf8");
    const after = render(before);
    if (after !== before) fs.writeFileSync(file, after);
    console.log(`docs: ${path.relative(process.cwd(), file)} ${after === before ? "unchanged" : "updated"}`);
  }
}
