/**
 * `npm run ops -- push-secrets` (make push-secrets ENV=…): puts the WANDB
 * API key into the environment's Secrets Manager secret as its new current
 * version. Terraform created the secret with a placeholder version and
 * ignores later values (ignore_changes on secret_string), so the key lives in
 * Secrets Manager only: never in the state, never on the command line, never
 * printed. The services read it when a task starts (make deploy-services or a
 * forced new deployment picks it up).
 */
import * as fs from "node:fs";
import { parseEnv } from "node:util";
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from "@aws-sdk/client-secrets-manager";
import { PLATFORM } from "../platform/config";
import { EXIT, OpsError } from "./errors";

/** The staging label push-secrets gives Terraform's placeholder version (the one in the state), so that AWS keeps it. */
export const PLACEHOLDER_STAGE = "terraform-placeholder";
/** The variable that holds the key, in .env or the process environment (as the services' containers name it). */
export const WANDB_KEY_VARIABLE = "WANDB_API_KEY";

export interface KeySource {
  /** Read the key from standard input (a pipe). */
  readonly stdin?: boolean;
  /** A dotenv file holding WANDB_API_KEY=… */
  readonly envFile: string;
}

export interface PushResult {
  readonly secretName: string;
  readonly region: string;
  readonly versionId: string;
  /** Where the key came from (never the key). */
  readonly from: string;
  /** Whether the secret held the same key already (then no new version is made). */
  readonly unchanged: boolean;
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) throw new OpsError('--stdin reads a pipe: printf %s "$KEY" | npm run ops -- push-secrets --stdin', EXIT.usage);
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString("utf8");
}

/** The key, from stdin, the process environment, or the dotenv file, in that order; refused when empty or the placeholder. */
export async function readKey(source: KeySource, env: NodeJS.ProcessEnv = process.env): Promise<{ value: string; from: string }> {
  let value: string | undefined;
  let from: string;
  if (source.stdin) {
    value = await readStdin();
    from = "standard input";
  } else if (env[WANDB_KEY_VARIABLE]) {
    value = env[WANDB_KEY_VARIABLE];
    from = `${WANDB_KEY_VARIABLE} in the environment`;
  } else if (fs.existsSync(source.envFile)) {
    value = parseEnv(fs.readFileSync(source.envFile, "utf8"))[WANDB_KEY_VARIABLE];
    from = `${WANDB_KEY_VARIABLE} in ${source.envFile}`;
    if (value === undefined) throw new OpsError(`${source.envFile} has no ${WANDB_KEY_VARIABLE}=… line`, EXIT.usage);
  } else {
    throw new OpsError(
      `no WANDB API key: put ${WANDB_KEY_VARIABLE}=<key> in ${source.envFile}, export ${WANDB_KEY_VARIABLE}, or pipe it in (--stdin; make push-secrets STDIN=1)`,
      EXIT.usage,
    );
  }
  const trimmed = (value ?? "").trim();
  if (trimmed === "") throw new OpsError(`${from} is empty: nothing was sent`, EXIT.usage);
  if (trimmed === PLATFORM.wandbKeyPlaceholder)
    throw new OpsError(`${from} is Terraform's placeholder, not a key: nothing was sent`, EXIT.usage);
  if (/\s/.test(trimmed))
    throw new OpsError(`${from} contains spaces or line breaks: a WANDB API key has none. Nothing was sent`, EXIT.usage);
  return { value: trimmed, from };
}

/** Puts the key as the secret's new AWSCURRENT version, unless it holds that key already (then nothing is written). */
export async function pushKey(
  secretName: string,
  region: string,
  key: { value: string; from: string },
  client: SecretsManagerClient = new SecretsManagerClient({ region, maxAttempts: 3 }),
): Promise<PushResult> {
  // The secret must exist already (Terraform makes it): never create one outside the state. Reading its value says so
  // (a missing secret fails); an identity allowed to write and not to read checks that it exists, then writes.
  let placeholderVersion: string | undefined;
  try {
    const current = await client.send(new GetSecretValueCommand({ SecretId: secretName }));
    if (current.SecretString === key.value)
      return { secretName, region, versionId: current.VersionId ?? "", from: key.from, unchanged: true };
    if (current.SecretString === PLATFORM.wandbKeyPlaceholder) placeholderVersion = current.VersionId;
  } catch (e) {
    if ((e as { name?: string }).name !== "AccessDeniedException") throw e;
    await client.send(new DescribeSecretCommand({ SecretId: secretName }));
  }
  const put = await client.send(new PutSecretValueCommand({ SecretId: secretName, SecretString: key.value }));
  // The first push: the version it replaced is Terraform's placeholder, the one its state tracks. A label of its own
  // keeps it (AWS deletes only unlabelled versions, once a secret has 100): were it deleted, Terraform would plan to
  // create it again, and applying that would make the placeholder current.
  if (placeholderVersion) {
    await client.send(
      new UpdateSecretVersionStageCommand({ SecretId: secretName, VersionStage: PLACEHOLDER_STAGE, MoveToVersionId: placeholderVersion }),
    );
  }
  return { secretName, region, versionId: put.VersionId ?? "", from: key.from, unchanged: false };
}

export function renderPush(r: PushResult): string {
  return r.unchanged
    ? `${r.secretName} (${r.region}) already holds this key (version ${r.versionId.slice(0, 8)}…): nothing sent`
    : `${r.secretName} (${r.region}): new current version ${r.versionId.slice(0, 8)}… from ${r.from}. Running tasks keep the old key until they restart: make deploy-services (or a new deployment of each service).`;
}
