import * as fs from "node:fs";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GENERATED_MARKER, writeRoot } from "../synth/root-writer";
import { tempDir } from "./temp";

const generated = (body: object) => `${JSON.stringify({ "//": GENERATED_MARKER, ...body }, null, 2)}\n`;

let dir: string;
beforeEach(() => {
  dir = tempDir("writer");
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** What a user keeps in deploy/terraform. */
function userFiles(): Record<string, string> {
  const files: Record<string, string> = {
    "terraform.tfvars": "api_cpu = 512\n",
    ".terraform.lock.hcl": "# lock\n",
    tfplan: "binary plan",
    "terraform.tfstate": '{"version": 4}\n',
    "terraform.tfstate.backup": '{"version": 4}\n',
    ".terraform/terraform.tfstate": '{"backend": {}}\n',
    "override.tf": "# a user's override\n",
  };
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return files;
}

describe("writeRoot", () => {
  it("never touches the files users keep beside the generated root", () => {
    const kept = userFiles();
    writeRoot(dir, { "main.tf.json": generated({ a: 1 }), "network.tf.json": generated({ b: 2 }) });
    writeRoot(dir, { "main.tf.json": generated({ a: 3 }) });
    for (const [name, content] of Object.entries(kept)) {
      expect(fs.readFileSync(path.join(dir, name), "utf8"), name).toBe(content);
    }
  });

  it("removes a generated file that is no longer produced, and only that", () => {
    writeRoot(dir, { "main.tf.json": generated({ a: 1 }), "old-unit.tf.json": generated({ b: 2 }) });
    fs.writeFileSync(path.join(dir, "mine.tf.json"), '{"locals": {"x": 1}}\n');
    const result = writeRoot(dir, { "main.tf.json": generated({ a: 1 }) });
    expect(result.removed).toEqual(["old-unit.tf.json"]);
    expect(fs.existsSync(path.join(dir, "old-unit.tf.json"))).toBe(false);
    expect(fs.existsSync(path.join(dir, "mine.tf.json"))).toBe(true);
  });

  it("fails when a file of the same name is not ours, and leaves it as it was", () => {
    fs.writeFileSync(path.join(dir, "main.tf.json"), '{"hand": "written"}\n');
    expect(() => writeRoot(dir, { "main.tf.json": generated({ a: 1 }) })).toThrow(/main\.tf\.json exists and was not generated/);
    expect(fs.readFileSync(path.join(dir, "main.tf.json"), "utf8")).toBe('{"hand": "written"}\n');
  });

  it("does not rewrite an unchanged file", () => {
    writeRoot(dir, { "main.tf.json": generated({ a: 1 }) });
    const before = fs.statSync(path.join(dir, "main.tf.json")).mtimeMs;
    const result = writeRoot(dir, { "main.tf.json": generated({ a: 1 }) });
    expect(result).toEqual({ written: [], unchanged: ["main.tf.json"], removed: [] });
    expect(fs.statSync(path.join(dir, "main.tf.json")).mtimeMs).toBe(before);
  });

  it("leaves no temporary files behind", () => {
    writeRoot(dir, { "main.tf.json": generated({ a: 1 }) });
    expect(fs.readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });
});
