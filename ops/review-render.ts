/**
 * A review as text for a terminal or Markdown for a pull-request comment.
 * Both are tables drawn by cli-table3: for Markdown with the pipe-and-dash
 * characters of a GitHub table (a separator under the head only).
 */
import Table from "cli-table3";
import { table, usd } from "./format";
import { PRICES } from "./prices";
import type { Finding } from "./review-findings";
import { type Review, type ReviewedChange, UNIT_ORDER } from "./review";
import { UNKNOWN } from "./review-diff";

export type ReviewFormat = "text" | "markdown";
export const REVIEW_FORMATS: readonly ReviewFormat[] = ["text", "markdown"];

/** The hidden line the plan workflow finds its pull-request comment by (one per environment). */
export const commentMarker = (env: string) => `<!-- autovisionai-review:${env} -->`;

const escapeCell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, "<br>");

/** A GitHub-flavoured Markdown table. */
export function markdownTable(head: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const t = new Table({
    head: head.map((h) => escapeCell(h)),
    style: { head: [], border: [], compact: true, "padding-left": 1, "padding-right": 1 },
    chars: {
      top: "",
      "top-mid": "",
      "top-left": "",
      "top-right": "",
      bottom: "",
      "bottom-mid": "",
      "bottom-left": "",
      "bottom-right": "",
      left: "|",
      "left-mid": "|",
      mid: "-",
      "mid-mid": "|",
      right: "|",
      "right-mid": "|",
      middle: "|",
    },
  });
  for (const row of rows) t.push(row.map((c) => escapeCell(String(c))));
  return t
    .toString()
    .split("\n")
    .filter((line) => line.trim() !== "")
    .join("\n");
}

const VERDICT_TEXT = {
  safe: "SAFE: nothing the guards flag",
  attention: "NEEDS A REVIEWER'S EYE",
  refused: "REFUSED: it would lose data",
} as const;

const ACTION_WORD: Record<string, string> = {
  create: "add",
  update: "change",
  replace: "replace",
  delete: "destroy",
  move: "move",
};

const MAX_ATTRIBUTES = 8;

function whatChanges(c: ReviewedChange): string {
  if (c.action === "create") return "";
  if (c.action === "delete") return c.reason ? `(${c.reason.replace(/_/g, " ")})` : "";
  // A replacement's computed values (ids, ARNs, revisions) are all new: counted, not listed.
  const attributes = c.action === "replace" ? c.attributes.filter((a) => a.after !== UNKNOWN || a.forcesReplacement) : c.attributes;
  const computed = c.attributes.length - attributes.length;
  const shown = attributes
    .slice(0, MAX_ATTRIBUTES)
    .map((a) => `${a.path}: ${a.before} → ${a.after}${a.forcesReplacement ? " (forces replacement)" : ""}`);
  if (attributes.length > MAX_ATTRIBUTES) shown.push(`… ${attributes.length - MAX_ATTRIBUTES} more`);
  if (computed > 0) shown.push(`(${computed} computed value(s) known after apply)`);
  return shown.join("\n");
}

function byUnit(changes: readonly ReviewedChange[]): [string, ReviewedChange[]][] {
  const units = [...new Set(changes.map((c) => c.unit))].sort((a, b) => {
    const ia = UNIT_ORDER.indexOf(a);
    const ib = UNIT_ORDER.indexOf(b);
    return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || a.localeCompare(b);
  });
  const order = ["delete", "replace", "update", "create", "move"];
  return units.map((u) => [
    u,
    changes
      .filter((c) => c.unit === u)
      .sort((a, b) => order.indexOf(a.action) - order.indexOf(b.action) || a.address.localeCompare(b.address)),
  ]);
}

const FINDING_TITLE: Record<Finding["kind"], string> = {
  data: "data-holding resources",
  exposure: "exposure",
  iam: "IAM",
  capacity: "task size and count",
  destroy: "destroyed or replaced",
  cost: "cost",
};

function money(n: number): string {
  return usd(n);
}
function delta(n: number): string {
  return Math.abs(n) < 0.005 ? "" : `${n > 0 ? "+" : ""}${usd(n)}`;
}

/** How one format writes headings, code and tables. */
interface Style {
  readonly md: boolean;
  readonly tbl: (head: string[], rows: string[][]) => string;
  readonly h: (level: number, text: string) => string;
  readonly code: (s: string) => string;
}

function styleOf(format: ReviewFormat): Style {
  const md = format === "markdown";
  return {
    md,
    tbl: md ? markdownTable : table,
    h: (level, text) => (md ? `${"#".repeat(level)} ${text}` : level <= 2 ? text.toUpperCase() : `${text}:`),
    code: (s) => (md ? `\`${s}\`` : s),
  };
}

function headSection(r: Review, st: Style, env?: string, headline?: string): string[] {
  const out: string[] = [];
  if (st.md && env) out.push(commentMarker(env));
  out.push(st.h(2, `${r.title}${env ? ` (${env})` : ""}`));
  if (headline) out.push(st.md ? `**${headline}**` : headline);
  else out.push(st.md ? `**${VERDICT_TEXT[r.verdict]}** · exit ${r.exitCode}` : `verdict: ${VERDICT_TEXT[r.verdict]} (exit ${r.exitCode})`);
  const c = r.counts;
  out.push(
    "",
    `${r.summary} ${c.create} added, ${c.update} changed, ${c.replace} replaced, ${c.delete} destroyed${c.move ? `, ${c.move} moved` : ""}.`,
  );
  return out;
}

function findingLine(f: Finding, st: Style): string {
  const refused = f.severity === "refused" ? (st.md ? "⛔ " : "REFUSED ") : "";
  return `  - ${refused}${f.address ? `${st.code(f.address)}: ` : ""}${f.text}`;
}

function guardsSection(r: Review, st: Style): string[] {
  const out = ["", st.h(3, "guards")];
  if (r.findings.length === 0)
    out.push("nothing flagged: no data-holding resource, exposure, IAM, task size or count change, no higher bill");
  for (const kind of Object.keys(FINDING_TITLE) as Finding["kind"][]) {
    const fs = r.findings.filter((f) => f.kind === kind);
    if (fs.length === 0) continue;
    out.push(`${st.md ? "- **" : "- "}${FINDING_TITLE[kind]}${st.md ? "**" : ""}:`, ...fs.map((f) => findingLine(f, st)));
  }
  return out;
}

function driftSection(r: Review, st: Style): string[] {
  if (!r.drift.length) return [];
  return [
    "",
    st.h(3, "changed outside Terraform (drift found by the refresh)"),
    st.tbl(
      ["unit", "address", "what changed outside Terraform"],
      r.drift.map((d) => [d.unit, d.address, d.action === "delete" ? "deleted outside Terraform" : whatChanges(d) || d.action]),
    ),
  ];
}

function changesSection(r: Review, st: Style): string[] {
  const out = ["", st.h(3, "changes by unit")];
  if (r.changes.length === 0) out.push("no changes");
  for (const [unit, changes] of byUnit(r.changes)) {
    out.push(st.md ? `\n**${unit}** (${changes.length})\n` : `\n${unit} (${changes.length}):`);
    out.push(
      st.tbl(
        ["action", "address", "before → after"],
        changes.map((ch) => [ACTION_WORD[ch.action] ?? ch.action, ch.address, whatChanges(ch)]),
      ),
    );
  }
  return out;
}

function costSection(r: Review, st: Style): string[] {
  const cost = r.cost;
  const changed = cost.rows.filter((row) => Math.abs(row.after - row.before) >= 0.005);
  const out = [
    "",
    st.h(3, "monthly cost"),
    `${money(cost.totalBefore)} → ${money(cost.totalAfter)} a month (${delta(cost.totalAfter - cost.totalBefore) || "no change"}); list prices of ${PRICES.region} read ${PRICES.readOn}, the model of ${st.code("npm run ops -- cost")}`,
  ];
  if (changed.length === 0) return out;
  out.push(
    "",
    st.tbl(
      ["group", "item", "before", "after", "difference"],
      [
        ...changed.map((row) => [row.group, row.item, money(row.before), money(row.after), delta(row.after - row.before)]),
        ["", "total", money(cost.totalBefore), money(cost.totalAfter), delta(cost.totalAfter - cost.totalBefore)],
      ],
    ),
  );
  return out;
}

/**
 * The review as text or Markdown; `headline` replaces the verdict line (the drift check states drift, not a verdict).
 */
export function renderReview(r: Review, format: ReviewFormat, env?: string, headline?: string): string {
  const st = styleOf(format);
  return [
    ...headSection(r, st, env, headline),
    ...guardsSection(r, st),
    ...driftSection(r, st),
    ...changesSection(r, st),
    ...costSection(r, st),
  ].join("\n");
}
