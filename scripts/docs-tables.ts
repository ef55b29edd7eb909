/**
 * Prints the README's inputs and outputs tables from the synthesized root,
 * so the README always says what the code declares. `npm run docs` rewrites
 * the README between the markers; a unit test fails when it is stale.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { App } from "cdktf";
import { RULES } from "../constructs/core/policy/rules";
import { renderRoot } from "../constructs/core/root-writer";
import { buildPlatform } from "../main";

type Variable = { type: string; default: unknown; description: string };
type Output = { description: string };

export const README = path.join(__dirname, "..", "README.md");
export const MARKERS = {
  inputs: ["<!-- inputs:begin -->", "<!-- inputs:end -->"],
  outputs: ["<!-- outputs:begin -->", "<!-- outputs:end -->"],
} as const;

const cell = (text: string) => text.replace(/\|/g, "\\|");

export function tables(): { inputs: string; outputs: string } {
  const { root, units } = buildPlatform(new App({ outdir: path.join(__dirname, "..", "cdktf.out") }));
  const main = JSON.parse(renderRoot(root, units, RULES).files["main.tf.json"]) as { variable: Record<string, Variable>; output: Record<string, Output> };
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

/** The README with both tables replaced by what the code declares. */
export function renderReadme(current: string): string {
  const t = tables();
  let text = current;
  for (const key of ["inputs", "outputs"] as const) {
    const [begin, end] = MARKERS[key];
    const from = text.indexOf(begin);
    const to = text.indexOf(end);
    if (from < 0 || to < from) throw new Error(`README.md: markers ${begin} … ${end} are missing`);
    text = `${text.slice(0, from + begin.length)}\n${t[key]}\n${text.slice(to)}`;
  }
  return text;
}

if (require.main === module) {
  const before = fs.readFileSync(README, "utf8");
  const after = renderReadme(before);
  if (after !== before) fs.writeFileSync(README, after);
  console.log(`docs: README.md ${after === before ? "unchanged" : "updated"}`);
}
