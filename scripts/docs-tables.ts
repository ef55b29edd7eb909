/**
 * Writes the generated parts of the docs: the README's inputs and outputs
 * tables from the synthesized root, and docs/MIGRATION.md's list of what the
 * switch changes from `platform/intended-changes.ts`, so the docs always say
 * what the code declares. `npm run docs` rewrites them between their
 * markers; a unit test fails when they are stale.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { App } from "cdktf";
import { RULES } from "../synth/policy/rules";
import { renderRoot } from "../synth/root-writer";
import { buildPlatform } from "../main";
import { changedAddresses, INTENDED_CHANGES, planSummary, type IntendedKind } from "../platform/intended-changes";
import { PLATFORM } from "../platform/config";
import { PLATFORM_INPUTS } from "../platform/inputs";
import { SERVICE_VARIABLE_SUFFIXES, type ServiceInputName, serviceInputs } from "../platform/service-inputs";
import { SERVICES, type ServiceTable } from "../platform/services";
import { ALARMS_DOC, renderAlarmsDoc } from "./alarms-doc";
import type { Input } from "../constructs/terraform/input-rules";
import { alarmCount, loadValues } from "../ops/cost";
import { type CostLine, costLines, total } from "../ops/cost-model";
import { DEFAULT_USAGE } from "../ops/cost-usage";
import { resolveEnvironment } from "../ops/environment";
import { usd } from "../ops/format";
import { PRICES } from "../ops/prices";

const SYNTH_ROOT = path.join(__dirname, "..", "deploy", "terraform");
const ENV_DIR = path.join(__dirname, "..", "environments");

type Variable = { type: string; default: unknown; description: string };
type Output = { description: string };

export const README = path.join(__dirname, "..", "README.md");
export const MIGRATION = path.join(__dirname, "..", "docs", "MIGRATION.md");
export const MARKERS = {
  costs: ["<!-- costs:begin -->", "<!-- costs:end -->"],
  inputs: ["<!-- inputs:begin -->", "<!-- inputs:end -->"],
  outputs: ["<!-- outputs:begin -->", "<!-- outputs:end -->"],
  changes: ["<!-- changes:begin -->", "<!-- changes:end -->"],
  envcost: ["<!-- envcost:begin -->", "<!-- envcost:end -->"],
} as const;
export const ENVIRONMENTS_DOC = path.join(__dirname, "..", "docs", "ENVIRONMENTS.md");

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
    const inputs = serviceInputs(key, services[key], keys.slice(0, i));
    for (const name of Object.keys(SERVICE_VARIABLE_SUFFIXES) as ServiceInputName[]) {
      const spec = inputs[name];
      const suffix = SERVICE_VARIABLE_SUFFIXES[name];
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

/**
 * What each environment shipped in environments/ costs beside prod, line by line (the ops cost model, its
 * default usage, the variables as make passes them: the root's defaults, the environment's file, environment=<name>).
 */
export async function environmentCosts(tfDir: string = SYNTH_ROOT, envDir: string = ENV_DIR): Promise<string> {
  const names = fs
    .readdirSync(envDir)
    .filter((n) => n.endsWith(".tfvars") && n !== "prod.tfvars")
    .map((n) => n.slice(0, -".tfvars".length))
    .sort();
  // The committed root alone: a developer's own deploy/terraform/terraform.tfvars must not change the docs.
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "envcost-"));
  try {
    fs.copyFileSync(path.join(tfDir, "main.tf.json"), path.join(root, "main.tf.json"));
    const usage = { ...DEFAULT_USAGE, alarms: alarmCount(tfDir) };
    const columns = [
      {
        name: PLATFORM.liveEnvironment,
        lines: costLines((await loadValues(root, resolveEnvironment(PLATFORM.liveEnvironment, root, envDir))).values, usage),
      },
      ...(await Promise.all(
        names.map(async (name) => ({
          name,
          lines: costLines((await loadValues(root, resolveEnvironment(name, root, envDir))).values, usage),
        })),
      )),
    ];
    const key = (l: CostLine) => `${l.group}: ${l.item}`;
    const items = [...new Set(columns.flatMap((c) => c.lines.map(key)))];
    const amount = (lines: readonly CostLine[], item: string) => lines.filter((l) => key(l) === item).reduce((n, l) => n + l.monthly, 0);
    return [
      `Monthly, list prices of ${PRICES.region} read ${PRICES.readOn}; usage assumed: ${usage.efsGb} GB on EFS, ${usage.logsGb} GB of logs, ${usage.natGb} GB through NAT, ${usage.artifactsGb} GB of artifacts (written by \`npm run docs\`).`,
      "",
      `| item | ${columns.map((c) => `\`${c.name}\``).join(" | ")} |`,
      `|---|${columns.map(() => "---:").join("|")}|`,
      ...items.map((item) => `| ${cell(item)} | ${columns.map((c) => usd(amount(c.lines, item))).join(" | ")} |`),
      `| **total** | ${columns.map((c) => `**${usd(total(c.lines))}**`).join(" | ")} |`,
    ].join("\n");
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

/** docs/ENVIRONMENTS.md with its cost table replaced. */
export async function renderEnvironments(current: string): Promise<string> {
  return replaceBetween(current, "docs/ENVIRONMENTS.md", "envcost", await environmentCosts());
}

/** docs/MIGRATION.md with its list of changes replaced by the intended-changes list. */
export function renderMigration(current: string): string {
  return replaceBetween(current, "docs/MIGRATION.md", "changes", migrationChanges());
}

if (require.main === module) {
  (async () => {
    for (const [file, render] of [
      [README, renderReadme],
      [MIGRATION, renderMigration],
      [ALARMS_DOC, renderAlarmsDoc],
      [ENVIRONMENTS_DOC, renderEnvironments],
    ] as const) {
      const before = fs.readFileSync(file, "utf8");
      const after = await render(before);
      if (after !== before) fs.writeFileSync(file, after);
      console.log(`docs: ${path.relative(process.cwd(), file)} ${after === before ? "unchanged" : "updated"}`);
    }
  })();
}
