/**
 * setup-backend and push-secrets before any AWS call: where the state bucket
 * is named, what counts as the lifecycle rule already set, and which keys are
 * refused (the emulator suite, __tests__/terraform/environments.test.ts, runs
 * both commands for real).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { stateBackend } from "../ops/backend";
import { lifecycleRuleMatches, stateLifecycleRule } from "../ops/backend-settings";
import { readKey } from "../ops/secrets";
import { PLATFORM } from "../platform/config";
import { tempDir } from "./temp";

const ROOT = path.join(__dirname, "..", "deploy", "terraform");

describe("setup-backend: which bucket, and when it is set up", () => {
  it("names the backend the synthesized root declares (PLATFORM.backend), unless STATE_BUCKET/STATE_REGION or the flags say otherwise", () => {
    const saved = { bucket: process.env.STATE_BUCKET, region: process.env.STATE_REGION };
    delete process.env.STATE_BUCKET;
    delete process.env.STATE_REGION;
    try {
      expect(stateBackend(ROOT)).toMatchObject({ bucket: PLATFORM.backend.bucket, region: PLATFORM.backend.region });
      expect(stateBackend(ROOT, { bucket: "team-state", region: "eu-west-1" })).toMatchObject({
        bucket: "team-state",
        region: "eu-west-1",
        source: "STATE_BUCKET/STATE_REGION",
      });
      process.env.STATE_BUCKET = "Not_A_Bucket";
      expect(() => stateBackend(ROOT)).toThrow(/state bucket "Not_A_Bucket": an S3 bucket name is 3-63 lower-case letters/);
    } finally {
      for (const [k, v] of [
        ["STATE_BUCKET", saved.bucket],
        ["STATE_REGION", saved.region],
      ] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  it("a root without main.tf.json is named with the fix", () => {
    expect(() => stateBackend(tempDir("no-root"))).toThrow(/main\.tf\.json is missing: run npm run synth/);
  });

  it("the lifecycle rule counts as set whether S3 returns an empty prefix or none, and not when a figure differs", () => {
    const rule = stateLifecycleRule();
    expect(lifecycleRuleMatches(rule)).toBe(true);
    expect(lifecycleRuleMatches({ ...rule, Filter: {} })).toBe(true);
    expect(lifecycleRuleMatches({ ...rule, NoncurrentVersionExpiration: { NoncurrentDays: 30 } })).toBe(false);
    expect(lifecycleRuleMatches({ ...rule, Status: "Disabled" })).toBe(false);
    expect(lifecycleRuleMatches({ ...rule, Filter: { Prefix: "env/" } })).toBe(false);
  });
});

describe("push-secrets: the key, before anything is sent", () => {
  const dotenv = (text: string) => {
    const file = path.join(tempDir("dotenv"), ".env");
    fs.writeFileSync(file, text);
    return file;
  };

  it("takes WANDB_API_KEY from the environment first, then from the dotenv file (quotes and comments as dotenv reads them)", async () => {
    const file = dotenv('# W&B\nOTHER=1\nWANDB_API_KEY="abc123def456"\n');
    expect(await readKey({ envFile: file }, {})).toEqual({ value: "abc123def456", from: `WANDB_API_KEY in ${file}` });
    expect(await readKey({ envFile: file }, { WANDB_API_KEY: "from-env-1" })).toEqual({
      value: "from-env-1",
      from: "WANDB_API_KEY in the environment",
    });
  });

  it.each([
    ["an empty value", "WANDB_API_KEY=\n", /is empty: nothing was sent/],
    ["Terraform's placeholder", `WANDB_API_KEY=${PLATFORM.wandbKeyPlaceholder}\n`, /Terraform's placeholder, not a key/],
    ["a value with spaces", 'WANDB_API_KEY="abc def"\n', /contains spaces or line breaks/],
    ["a file without the variable", "OTHER=1\n", /has no WANDB_API_KEY=… line/],
  ])("refuses %s, naming where it came from", async (_what, text, message) => {
    await expect(readKey({ envFile: dotenv(text) }, {})).rejects.toThrow(message);
  });

  it("without a key anywhere, says the three ways to give one", async () => {
    await expect(readKey({ envFile: "/nonexistent/.env" }, {})).rejects.toThrow(
      "no WANDB API key: put WANDB_API_KEY=<key> in /nonexistent/.env, export WANDB_API_KEY, or pipe it in (--stdin; make push-secrets STDIN=1)",
    );
  });
});
