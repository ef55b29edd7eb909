/**
 * Reads the `${jsonencode(<object>)}` strings that CDKTF writes for policy
 * documents and container definitions back into plain data, so that policy
 * rules can inspect them. Terraform references and function calls inside
 * (`aws_s3_bucket.x.arn`, `tostring(var.port)`) come back as strings of
 * their source text; string templates keep their `${…}`.
 */
export function readJsonencode(value: unknown): unknown {
  if (typeof value !== "string") return value;
  const m = /^\$\{jsonencode\(([\s\S]*)\)\}$/.exec(value);
  if (!m) {
    try {
      return JSON.parse(value);
    } catch {
      return value;
    }
  }
  return parseHclValue(m[1]);
}

/** A bare token's value: a bool, null, a number, or its source text (a reference or function call). */
function tokenValue(token: string): unknown {
  if (token === "true" || token === "false") return token === "true";
  if (token === "null") return null;
  if (/^-?\d+(\.\d+)?$/.test(token)) return Number(token);
  return token;
}

/** The index just past the string whose opening quote is at `at`. */
function pastString(text: string, at: number): number {
  let i = at + 1;
  while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
  return i + 1;
}

/** A reader of the HCL subset CDKTF emits, one value at a time from the current position. */
class HclReader {
  private i = 0;

  constructor(private readonly text: string) {}

  public all(): unknown {
    const result = this.value();
    this.ws();
    if (this.i < this.text.length) {
      throw new Error(`readJsonencode: unexpected text at ${this.i}: ${this.text.slice(this.i, this.i + 40)}`);
    }
    return result;
  }

  private ws(): void {
    while (this.i < this.text.length && /\s/.test(this.text[this.i])) this.i++;
  }

  private value(): unknown {
    this.ws();
    const c = this.text[this.i];
    if (c === "{") return this.object();
    if (c === "[") return this.list();
    if (c === '"') return this.string();
    return this.raw();
  }

  private string(): string {
    const start = this.i;
    this.i = pastString(this.text, start);
    return JSON.parse(this.text.slice(start, this.i)) as string;
  }

  /** A bare reference, number, bool or function call: up to the next , } ] at depth 0. */
  private raw(): unknown {
    const start = this.i;
    let depth = 0;
    while (this.i < this.text.length) {
      const c = this.text[this.i];
      if (c === '"') {
        this.i = pastString(this.text, this.i);
        continue;
      }
      if (depth === 0 && (c === "," || c === "]" || c === "}")) break;
      if (c === "(" || c === "[" || c === "{") depth++;
      else if (c === ")" || c === "]" || c === "}") depth--;
      this.i++;
    }
    return tokenValue(this.text.slice(start, this.i).trim());
  }

  /** Reads entries until `end`, each with `entry`, commas between. */
  private entries(end: string, entry: () => void): void {
    this.i++;
    for (;;) {
      this.ws();
      if (this.text[this.i] === end) {
        this.i++;
        return;
      }
      entry();
      this.ws();
      if (this.text[this.i] === ",") this.i++;
    }
  }

  private list(): unknown[] {
    const out: unknown[] = [];
    this.entries("]", () => out.push(this.value()));
    return out;
  }

  private object(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    this.entries("}", () => {
      const key = this.text[this.i] === '"' ? this.string() : String(this.raw());
      this.ws();
      if (this.text[this.i] === "=" || this.text[this.i] === ":") this.i++;
      out[key] = this.value();
    });
    return out;
  }
}

/** Parses the subset of HCL expression syntax that CDKTF emits inside jsonencode. */
export function parseHclValue(text: string): unknown {
  return new HclReader(text).all();
}

/** The index just past the `)` that closes the call whose `(` is at `open`, skipping strings. */
function closing(text: string, open: number): number {
  let depth = 0;
  let i = open;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      i = pastString(text, i);
      continue;
    }
    if (c === "(" || c === "[" || c === "{") depth++;
    else if (c === ")" || c === "]" || c === "}") depth--;
    i++;
    if (depth === 0) return i;
  }
  throw new Error(`readJsonencode: no closing parenthesis for the call at ${open}`);
}

/**
 * Every value a `jsonencode(...)` attribute can take: one, or both branches of
 * `${<condition> ? jsonencode(A) : jsonencode(B)}` (a resource with two setups).
 */
export function readJsonencodeBranches(value: unknown): unknown[] {
  return (typeof value === "string" && conditionalBranches(value)) || [readJsonencode(value)];
}

/** Both branches of `${<condition> ? jsonencode(A) : jsonencode(B)}`, or undefined for any other text. */
function conditionalBranches(value: string): unknown[] | undefined {
  const m = /^\$\{\(?[^?]*\)? \? jsonencode\(/.exec(value);
  if (!m) return undefined;
  const firstOpen = m[0].length - 1;
  const firstEnd = closing(value, firstOpen);
  const second = /^ : jsonencode\(/.exec(value.slice(firstEnd));
  if (!second) return undefined;
  const secondOpen = firstEnd + second[0].length - 1;
  const secondEnd = closing(value, secondOpen);
  if (value.slice(secondEnd) !== "}") return undefined;
  return [parseHclValue(value.slice(firstOpen + 1, firstEnd - 1)), parseHclValue(value.slice(secondOpen + 1, secondEnd - 1))];
}
