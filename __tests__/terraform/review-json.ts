/** What `npm run ops -- --json review` prints: the parts the suites read. */
export interface ReviewJson {
  verdict: string;
  exitCode: number;
  summary: string;
  changes: { address: string; action: string; unit: string; attributes: { path: string; before: string; after: string }[] }[];
  findings: { kind: string; severity: string; address?: string; text: string }[];
  cost: { totalBefore: number; totalAfter: number; before: { item: string; monthly: number }[] };
}
