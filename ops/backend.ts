/**
 * `npm run ops -- setup-backend` (make setup-backend): the S3 bucket that
 * holds every environment's Terraform state, created when missing and set as
 * a state bucket should be. Each setting is read, compared and written only
 * when it differs, so a second run changes nothing; settings the team added
 * themselves (other policy statements, other lifecycle rules, a KMS key) are
 * kept. A bucket of that name in another account is refused: the state would
 * be written into someone else's bucket.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import {
  type BucketLocationConstraint,
  CreateBucketCommand,
  GetBucketLocationCommand,
  HeadBucketCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { applySettings, errorName, type SettingResult, status } from "./backend-settings";
import { EXIT, OpsError } from "./errors";
import { table } from "./format";

export interface StateBackend {
  readonly bucket: string;
  readonly region: string;
  /** Where bucket and region came from (for messages). */
  readonly source: string;
}

/**
 * The backend the synthesized root declares (main.tf.json's terraform.backend.s3), unless STATE_BUCKET /
 * STATE_REGION (or the flags) name another bucket, as scripts/environment.sh then passes to terraform init.
 */
export function stateBackend(tfDir: string, flags: { bucket?: string; region?: string } = {}): StateBackend {
  const main = path.join(tfDir, "main.tf.json");
  if (!fs.existsSync(main)) throw new OpsError(`${main} is missing: run npm run synth (or pass --tf-dir)`, EXIT.usage);
  const s3 = (JSON.parse(fs.readFileSync(main, "utf8")) as { terraform?: { backend?: { s3?: { bucket?: string; region?: string } } } })
    .terraform?.backend?.s3;
  if (!s3?.bucket || !s3.region)
    throw new OpsError(`${main} declares no S3 backend (terraform.backend.s3 with bucket and region)`, EXIT.usage);
  const bucket = flags.bucket ?? process.env.STATE_BUCKET ?? s3.bucket;
  const region = flags.region ?? process.env.STATE_REGION ?? s3.region;
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket) || bucket.includes("..")) {
    throw new OpsError(`state bucket "${bucket}": an S3 bucket name is 3-63 lower-case letters, digits, dots and hyphens`, EXIT.usage);
  }
  const source = bucket === s3.bucket && region === s3.region ? path.relative(process.cwd(), main) || main : "STATE_BUCKET/STATE_REGION";
  return { bucket, region, source };
}

export interface BackendReport {
  readonly bucket: string;
  readonly region: string;
  readonly account: string;
  readonly settings: readonly SettingResult[];
}

/** Whether this account owns the bucket (asked when it may not create it, or it exists): refuses one that is not ours. */
async function checkOwnBucket(s3: S3Client, bucket: string, account: string, elsewhere: string): Promise<void> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket, ExpectedBucketOwner: account }));
  } catch (head) {
    if (status(head) === 403) throw new OpsError(elsewhere, EXIT.failed);
    if (status(head) === 404) {
      throw new OpsError(
        `the state bucket "${bucket}" does not exist and these credentials may not create it (s3:CreateBucket was denied): run make setup-backend with an identity that may, or ask for the bucket. Nothing was changed.`,
        EXIT.failed,
      );
    }
    throw head;
  }
}

/** Refuses a bucket in another region than the backend's. */
async function checkBucketRegion(s3: S3Client, backend: StateBackend, account: string): Promise<void> {
  const { bucket, region } = backend;
  const location = (await s3.send(new GetBucketLocationCommand({ Bucket: bucket, ExpectedBucketOwner: account }))).LocationConstraint;
  const actual = location ? String(location) : "us-east-1";
  if (actual !== region) {
    throw new OpsError(
      `the state bucket "${bucket}" is in ${actual}, not ${region} (${backend.source}): the backend's region must be the bucket's. Set STATE_REGION=${actual}, or pick another bucket. Nothing was changed.`,
      EXIT.usage,
    );
  }
}

/** Creates the bucket when missing; refuses one in another account or region. Returns "created" or "exists". */
async function ensureBucket(s3: S3Client, backend: StateBackend, account: string): Promise<"created" | "exists"> {
  const { bucket, region } = backend;
  const elsewhere = `the state bucket "${bucket}" (${backend.source}) belongs to another AWS account: S3 bucket names are global, and state written there would be theirs. Pick a name of your own: STATE_BUCKET=<name> make setup-backend (and the same STATE_BUCKET on every make command). Nothing was changed.`;
  let result: "created" | "exists";
  try {
    await s3.send(
      new CreateBucketCommand({
        Bucket: bucket,
        // us-east-1 is the one region AWS wants without a location constraint.
        CreateBucketConfiguration: region === "us-east-1" ? undefined : { LocationConstraint: region as BucketLocationConstraint },
        ObjectOwnership: "BucketOwnerEnforced",
      }),
    );
    result = "created";
  } catch (e) {
    const name = errorName(e);
    if (name === "BucketAlreadyExists") throw new OpsError(elsewhere, EXIT.failed);
    if (name !== "BucketAlreadyOwnedByYou" && name !== "AccessDenied" && status(e) !== 403) throw e;
    // Ours, or we may not create buckets: ask S3 whether this account owns it.
    await checkOwnBucket(s3, bucket, account, elsewhere);
    result = "exists";
  }
  await checkBucketRegion(s3, backend, account);
  return result;
}

/** Creates (when missing) and configures the state bucket; every setting read first and written only when it differs. */
export async function setupBackend(backend: StateBackend, given: { s3?: S3Client; sts?: STSClient } = {}): Promise<BackendReport> {
  const { bucket, region } = backend;
  // A custom endpoint (an emulator) has no per-bucket host names.
  const s3 =
    given.s3 ??
    new S3Client({ region, maxAttempts: 3, forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL || process.env.AWS_ENDPOINT_URL_S3) });
  const sts = given.sts ?? new STSClient({ region, maxAttempts: 3 });
  const account = (await sts.send(new GetCallerIdentityCommand({}))).Account ?? "";
  const settings: SettingResult[] = [];

  const created = await ensureBucket(s3, backend, account);
  settings.push({
    setting: "bucket",
    wanted: `in ${region}, this account`,
    before: created === "created" ? "missing" : "exists",
    action: created === "created" ? "created" : "unchanged",
  });
  settings.push(...(await applySettings(s3, bucket, account)));
  return { bucket, region, account, settings };
}

export function renderBackend(r: BackendReport): string {
  const changed = r.settings.filter((s) => s.action !== "unchanged").length;
  return [
    `state bucket s3://${r.bucket} (${r.region}, account ${r.account})`,
    table(
      ["setting", "wanted", "found", "this run"],
      r.settings.map((s) => [s.setting, s.wanted, s.before, s.action]),
    ),
    changed === 0 ? "nothing to change: the state bucket is set up" : `${changed} setting(s) changed`,
  ].join("\n");
}
