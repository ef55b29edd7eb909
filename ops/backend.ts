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
  type BucketLifecycleConfiguration,
  type BucketLocationConstraint,
  CreateBucketCommand,
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketLocationCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  type LifecycleRule,
  PutBucketEncryptionCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutPublicAccessBlockCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { EXIT, OpsError } from "./errors";
import { table } from "./format";

/** How long the state bucket keeps a state that has been overwritten (a version to go back to). */
export const STATE_HISTORY_DAYS = 90;
/** Uploads Terraform started and never finished are removed after this many days. */
export const ABORT_UPLOADS_DAYS = 7;
/** The lifecycle rule and policy statement this command owns (others in the bucket are kept as they are). */
export const LIFECYCLE_RULE_ID = "terraform-state-history";
export const TLS_STATEMENT_SID = "DenyInsecureTransport";

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

/** One setting of the bucket: what it was, and whether this run set it. */
export interface SettingResult {
  readonly setting: string;
  /** What it should be. */
  readonly wanted: string;
  readonly before: string;
  readonly action: "created" | "set" | "unchanged";
}

export interface BackendReport {
  readonly bucket: string;
  readonly region: string;
  readonly account: string;
  readonly settings: readonly SettingResult[];
}

const errorName = (e: unknown) => (e as { name?: string })?.name ?? "";
const status = (e: unknown) => (e as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;

/** A Get* call whose "not configured" error means "nothing set". */
async function orNone<T>(call: Promise<T>, notFound: RegExp): Promise<T | undefined> {
  try {
    return await call;
  } catch (e) {
    if (notFound.test(errorName(e))) return undefined;
    throw e;
  }
}

/** The lifecycle rule the state bucket needs: old versions of the state expire, unfinished uploads and orphaned delete markers go. */
export function stateLifecycleRule(): LifecycleRule {
  return {
    ID: LIFECYCLE_RULE_ID,
    Status: "Enabled",
    Filter: { Prefix: "" },
    NoncurrentVersionExpiration: { NoncurrentDays: STATE_HISTORY_DAYS },
    Expiration: { ExpiredObjectDeleteMarker: true },
    AbortIncompleteMultipartUpload: { DaysAfterInitiation: ABORT_UPLOADS_DAYS },
  };
}

/** Whether a rule read back from S3 does what stateLifecycleRule() asks (S3 may write an empty filter either way). */
export function lifecycleRuleMatches(r: LifecycleRule): boolean {
  const want = stateLifecycleRule();
  return (
    r.Status === want.Status &&
    (r.Filter?.Prefix ?? "") === "" &&
    r.Filter?.Tag === undefined &&
    r.Filter?.And === undefined &&
    r.NoncurrentVersionExpiration?.NoncurrentDays === want.NoncurrentVersionExpiration?.NoncurrentDays &&
    r.Expiration?.ExpiredObjectDeleteMarker === true &&
    r.AbortIncompleteMultipartUpload?.DaysAfterInitiation === want.AbortIncompleteMultipartUpload?.DaysAfterInitiation
  );
}

/** The statement that refuses requests over plain HTTP. */
export function tlsOnlyStatement(bucket: string): Record<string, unknown> {
  return {
    Sid: TLS_STATEMENT_SID,
    Effect: "Deny",
    Principal: "*",
    Action: "s3:*",
    Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  };
}

/** Same JSON value, keys in any order (AWS returns documents with its own key order). */
function sameJson(a: unknown, b: unknown): boolean {
  const norm = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(norm)
      : v && typeof v === "object"
        ? Object.fromEntries(
            Object.entries(v as Record<string, unknown>)
              .filter(([, x]) => x !== undefined)
              .sort(([x], [y]) => x.localeCompare(y))
              .map(([k, x]) => [k, norm(x)]),
          )
        : v;
  return JSON.stringify(norm(a)) === JSON.stringify(norm(b));
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
    result = "exists";
  }
  const location = (await s3.send(new GetBucketLocationCommand({ Bucket: bucket, ExpectedBucketOwner: account }))).LocationConstraint;
  const actual = location ? String(location) : "us-east-1";
  if (actual !== region) {
    throw new OpsError(
      `the state bucket "${bucket}" is in ${actual}, not ${region} (${backend.source}): the backend's region must be the bucket's. Set STATE_REGION=${actual}, or pick another bucket. Nothing was changed.`,
      EXIT.usage,
    );
  }
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
  const own = { Bucket: bucket, ExpectedBucketOwner: account };
  const settings: SettingResult[] = [];
  const record = (setting: string, wanted: string, before: string, changed: boolean) =>
    settings.push({ setting, wanted, before, action: changed ? "set" : "unchanged" });

  const created = await ensureBucket(s3, backend, account);
  settings.push({
    setting: "bucket",
    wanted: `in ${region}, this account`,
    before: created === "created" ? "missing" : "exists",
    action: created === "created" ? "created" : "unchanged",
  });

  // Versioning: every state written stays recoverable (docs/HARDENING.md: going back to an older state).
  const versioning = (await s3.send(new GetBucketVersioningCommand(own))).Status ?? "never enabled";
  record("versioning", "Enabled", versioning, versioning !== "Enabled");
  if (versioning !== "Enabled") await s3.send(new PutBucketVersioningCommand({ ...own, VersioningConfiguration: { Status: "Enabled" } }));

  // Encryption at rest: SSE-S3 unless the team chose a KMS key (kept).
  const sse = (await orNone(s3.send(new GetBucketEncryptionCommand(own)), /ServerSideEncryptionConfigurationNotFound/))
    ?.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm;
  record("default encryption", "AES256, or a KMS key already set", sse ?? "none", sse === undefined);
  if (sse === undefined) {
    await s3.send(
      new PutBucketEncryptionCommand({
        ...own,
        ServerSideEncryptionConfiguration: {
          Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" }, BucketKeyEnabled: true }],
        },
      }),
    );
  }

  // Never public.
  const block = (await orNone(s3.send(new GetPublicAccessBlockCommand(own)), /NoSuchPublicAccessBlockConfiguration/))
    ?.PublicAccessBlockConfiguration;
  const blocked = ["BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"] as const;
  const open = blocked.filter((k) => block?.[k] !== true);
  record("public access block", "all four on", open.length === 0 ? "all four on" : `${open.length} of 4 off`, open.length > 0);
  if (open.length > 0) {
    await s3.send(
      new PutPublicAccessBlockCommand({ ...own, PublicAccessBlockConfiguration: Object.fromEntries(blocked.map((k) => [k, true])) }),
    );
  }

  // No ACLs: the bucket owner owns every object.
  const ownership = (await orNone(s3.send(new GetBucketOwnershipControlsCommand(own)), /OwnershipControlsNotFound/))?.OwnershipControls
    ?.Rules?.[0]?.ObjectOwnership;
  record("object ownership", "BucketOwnerEnforced (no ACLs)", ownership ?? "none", ownership !== "BucketOwnerEnforced");
  if (ownership !== "BucketOwnerEnforced") {
    await s3.send(
      new PutBucketOwnershipControlsCommand({ ...own, OwnershipControls: { Rules: [{ ObjectOwnership: "BucketOwnerEnforced" }] } }),
    );
  }

  // TLS only: one statement of ours; the team's own statements are kept.
  const policyText = (await orNone(s3.send(new GetBucketPolicyCommand(own)), /NoSuchBucketPolicy/))?.Policy;
  const policy = policyText
    ? (JSON.parse(policyText) as { Version?: string; Statement?: Record<string, unknown>[] | Record<string, unknown> })
    : undefined;
  const statements = policy?.Statement === undefined ? [] : Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement];
  const ours = tlsOnlyStatement(bucket);
  const current = statements.find((s) => s.Sid === TLS_STATEMENT_SID);
  const tlsOk = current !== undefined && sameJson(current, ours);
  record(
    "bucket policy",
    `${TLS_STATEMENT_SID} (TLS only)`,
    current === undefined ? (statements.length ? `${statements.length} other statement(s)` : "no policy") : tlsOk ? "present" : "differs",
    !tlsOk,
  );
  if (!tlsOk) {
    const next = { Version: policy?.Version ?? "2012-10-17", Statement: [...statements.filter((s) => s.Sid !== TLS_STATEMENT_SID), ours] };
    await s3.send(new PutBucketPolicyCommand({ ...own, Policy: JSON.stringify(next) }));
  }

  // Lifecycle: one rule of ours; other rules are kept.
  const rules = (await orNone(s3.send(new GetBucketLifecycleConfigurationCommand(own)), /NoSuchLifecycleConfiguration/))?.Rules ?? [];
  const rule = stateLifecycleRule();
  const existing = rules.find((r) => r.ID === LIFECYCLE_RULE_ID);
  const ruleOk = existing !== undefined && lifecycleRuleMatches(existing);
  record(
    "lifecycle",
    `${LIFECYCLE_RULE_ID}: old states ${STATE_HISTORY_DAYS} d, unfinished uploads ${ABORT_UPLOADS_DAYS} d`,
    existing === undefined ? (rules.length ? `${rules.length} other rule(s)` : "no rules") : ruleOk ? "present" : "differs",
    !ruleOk,
  );
  if (!ruleOk) {
    const config: BucketLifecycleConfiguration = { Rules: [...rules.filter((r) => r.ID !== LIFECYCLE_RULE_ID), rule] };
    await s3.send(new PutBucketLifecycleConfigurationCommand({ ...own, LifecycleConfiguration: config }));
  }

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
