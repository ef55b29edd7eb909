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

/** Parses the subset of HCL expression syntax that CDKTF emits inside jsonencode. */
export function parseHclValue(text: string): unknown {
  let i = 0;
  const ws = () => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  const value = (): unknown => {
    ws();
    const c = text[i];
    if (c === "{") return object();
    if (c === "[") return list();
    if (c === '"') return string();
    return raw();
  };
  const string = (): string => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const raw = (): unknown => {
    // A bare reference, number, bool or function call: up to the next , } ] at depth 0.
    const start = i;
    let depth = 0;
    while (i < text.length) {
      const c = text[i];
      if (c === '"') {
        string();
        continue;
      }
      if (c === "(" || c === "[" || c === "{") depth++;
      else if (c === ")" || ((c === "]" || c === "}") && depth > 0)) depth--;
      else if (depth === 0 && (c === "," || c === "]" || c === "}")) break;
      i++;
    }
    const token = text.slice(start, i).trim();
    if (token === "true" || token === "false") return token === "true";
    if (token === "null") return null;
    if (/^-?\d+(\.\d+)?$/.test(token)) return Number(token);
    return token;
  };
  const list = (): unknown[] => {
    const out: unknown[] = [];
    i++;
    for (;;) {
      ws();
      if (text[i] === "]") {
        i++;
        return out;
      }
      out.push(value());
      ws();
      if (text[i] === ",") i++;
    }
  };
  const object = (): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    i++;
    for (;;) {
      ws();
      if (text[i] === "}") {
        i++;
        return out;
      }
      const key = text[i] === '"' ? string() : String(raw());
      ws();
      if (text[i] === "=" || text[i] === ":") i++;
      out[key] = value();
      ws();
      if (text[i] === ",") i++;
    }
  };
  const result = value();
  ws();
  if (i < text.length) throw new Error(`readJsonencode: unexpected text at ${i}: ${text.slice(i, i + 40)}`);
  return result;
}

/** The index just past the `)` that closes the call whose `(` is at `open`, skipping strings. */
function closing(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i += text[i] === "\\" ? 2 : 1);
      continue;
    }
    if (c === "(" || c === "[" || c === "{") depth++;
    else if (c === ")" || c === "]" || c === "}") {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  throw new Error(`readJsonencode: no closing parenthesis for the call at ${open}`);
}

/**
 * Every value a `jsonencode(...)` attribute can take: one, or both branches of
 * `${<condition> ? jsonencode(A) : jsonencode(B)}` (a resource with two setups).
 */
export function readJsonencodeBranches(value: unknown): unknown[] {
  if (typeof value === "string") {
    const m = /^\$\{\(?[^?]*\)? \? jsonencode\(/.exec(value);
    if (m) {
      const firstOpen = m[0].length - 1;
      const firstEnd = closing(value, firstOpen);
      const rest = value.slice(firstEnd);
      const second = /^ : jsonencode\(/.exec(rest);
      if (second) {
        const secondOpen = firstEnd + second[0].length - 1;
        const secondEnd = closing(value, secondOpen);
        if (value.slice(secondEnd) === "}") {
          return [parseHclValue(value.slice(firstOpen + 1, firstEnd - 1)), parseHclValue(value.slice(secondOpen + 1, secondEnd - 1))];
        }
      }
    }
  }
  return [readJsonencode(value)];
}
