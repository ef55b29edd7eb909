/** Progress while a command waits: a spinner on a terminal (ora), plain lines elsewhere (CI logs, tests, --json). */
import ora, { type Ora } from "ora";

export interface Progress {
  update(text: string): void;
  succeed(text: string): void;
  fail(text: string): void;
}

export function progress(text: string, quiet = false): Progress {
  if (quiet) return { update: () => {}, succeed: () => {}, fail: () => {} };
  if (!process.stderr.isTTY) {
    // One line per change of state: the running seconds alone are no news in a log.
    let last = "";
    const line = (t: string) => {
      const key = t.replace(/\s*\(\d+ s\)$/, "");
      if (key !== last) process.stderr.write(`${t}\n`);
      last = key;
    };
    line(text);
    return { update: line, succeed: line, fail: line };
  }
  const spinner: Ora = ora({ text, stream: process.stderr }).start();
  return {
    update: (t) => {
      spinner.text = t;
    },
    succeed: (t) => spinner.succeed(t),
    fail: (t) => spinner.fail(t),
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Poll interval while waiting on AWS (OPS_POLL_MS shortens it in tests). */
export function pollMs(): number {
  return Number(process.env.OPS_POLL_MS ?? 5000);
}
