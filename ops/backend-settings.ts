/**
 * The state bucket's settings, one function each: read the setting, compare
 * it with what a state bucket needs, write it only when it differs, and say
 * what was found. Settings the team added themselves (other policy
 * statements, other lifecycle rules, a KMS key) are kept.
 */
import {
  type BucketLifecycleConfiguration,
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  type LifecycleRule,
  PutBucketEncryptionCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutPublicAccessBlockCommand,
  type S3Client,
} from "@aws-sdk/client-s3";

/** How long the state bucket keeps a state that has been overwritten (a version to go back to). */
export const STATE_HISTORY_DAYS = 90;
/** Uploads Terraform started and never finished are removed after this many days. */
export const ABORT_UPLOADS_DAYS = 7;
/** The lifecycle rule and policy statement this command owns (others in the bucket are kept as they are). */
export const LIFECYCLE_RULE_ID = "terraform-state-history";
export const TLS_STATEMENT_SID = "DenyInsecureTransport";

/** One setting of the bucket: what it was, and whether this run set it. */
export interface SettingResult {
  readonly setting: string;
  /** What it should be. */
  readonly wanted: string;
  readonly before: string;
  readonly action: "created" | "set" | "unchanged";
}

export const errorName = (e: unknown) => (e as { name?: string })?.name ?? "";
export const status = (e: unknown) => (e as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;

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

/** The bucket a setting is read from and written to, as this account's. */
interface Target {
  readonly s3: S3Client;
  readonly bucket: string;
  readonly own: { readonly Bucket: string; readonly ExpectedBucketOwner: string };
}

const result = (setting: string, wanted: string, before: string, changed: boolean): SettingResult => ({
  setting,
  wanted,
  before,
  action: changed ? "set" : "unchanged",
});

/** Versioning: every state written stays recoverable (docs/HARDENING.md: going back to an older state). */
async function versioning({ s3, own }: Target): Promise<SettingResult> {
  const found = (await s3.send(new GetBucketVersioningCommand(own))).Status ?? "never enabled";
  if (found !== "Enabled") await s3.send(new PutBucketVersioningCommand({ ...own, VersioningConfiguration: { Status: "Enabled" } }));
  return result("versioning", "Enabled", found, found !== "Enabled");
}

/** Encryption at rest: SSE-S3 unless the team chose a KMS key (kept). */
async function encryption({ s3, own }: Target): Promise<SettingResult> {
  const sse = (await orNone(s3.send(new GetBucketEncryptionCommand(own)), /ServerSideEncryptionConfigurationNotFound/))
    ?.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm;
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
  return result("default encryption", "AES256, or a KMS key already set", sse ?? "none", sse === undefined);
}

/** Never public. */
async function publicAccessBlock({ s3, own }: Target): Promise<SettingResult> {
  const block = (await orNone(s3.send(new GetPublicAccessBlockCommand(own)), /NoSuchPublicAccessBlockConfiguration/))
    ?.PublicAccessBlockConfiguration;
  const blocked = ["BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"] as const;
  const open = blocked.filter((k) => block?.[k] !== true);
  if (open.length > 0) {
    await s3.send(
      new PutPublicAccessBlockCommand({ ...own, PublicAccessBlockConfiguration: Object.fromEntries(blocked.map((k) => [k, true])) }),
    );
  }
  return result("public access block", "all four on", open.length === 0 ? "all four on" : `${open.length} of 4 off`, open.length > 0);
}

/** No ACLs: the bucket owner owns every object. */
async function objectOwnership({ s3, own }: Target): Promise<SettingResult> {
  const ownership = (await orNone(s3.send(new GetBucketOwnershipControlsCommand(own)), /OwnershipControlsNotFound/))?.OwnershipControls
    ?.Rules?.[0]?.ObjectOwnership;
  if (ownership !== "BucketOwnerEnforced") {
    await s3.send(
      new PutBucketOwnershipControlsCommand({ ...own, OwnershipControls: { Rules: [{ ObjectOwnership: "BucketOwnerEnforced" }] } }),
    );
  }
  return result("object ownership", "BucketOwnerEnforced (no ACLs)", ownership ?? "none", ownership !== "BucketOwnerEnforced");
}

/** What a list of the team's own entries beside ours reads as, when ours is missing, present or different. */
function foundAmong(ours: boolean | undefined, others: number, noun: string, none: string): string {
  if (ours === undefined) return others ? `${others} other ${noun}(s)` : none;
  return ours ? "present" : "differs";
}

/** TLS only: one statement of ours; the team's own statements are kept. */
async function tlsPolicy({ s3, own, bucket }: Target): Promise<SettingResult> {
  const policyText = (await orNone(s3.send(new GetBucketPolicyCommand(own)), /NoSuchBucketPolicy/))?.Policy;
  const policy = policyText
    ? (JSON.parse(policyText) as { Version?: string; Statement?: Record<string, unknown>[] | Record<string, unknown> })
    : undefined;
  const statements = policy?.Statement === undefined ? [] : Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement];
  const ours = tlsOnlyStatement(bucket);
  const current = statements.find((s) => s.Sid === TLS_STATEMENT_SID);
  const ok = current !== undefined && sameJson(current, ours);
  if (!ok) {
    const next = { Version: policy?.Version ?? "2012-10-17", Statement: [...statements.filter((s) => s.Sid !== TLS_STATEMENT_SID), ours] };
    await s3.send(new PutBucketPolicyCommand({ ...own, Policy: JSON.stringify(next) }));
  }
  const found = foundAmong(current === undefined ? undefined : ok, statements.length, "statement", "no policy");
  return result("bucket policy", `${TLS_STATEMENT_SID} (TLS only)`, found, !ok);
}

/** Lifecycle: one rule of ours; other rules are kept. */
async function lifecycle({ s3, own }: Target): Promise<SettingResult> {
  const rules = (await orNone(s3.send(new GetBucketLifecycleConfigurationCommand(own)), /NoSuchLifecycleConfiguration/))?.Rules ?? [];
  const existing = rules.find((r) => r.ID === LIFECYCLE_RULE_ID);
  const ok = existing !== undefined && lifecycleRuleMatches(existing);
  if (!ok) {
    const config: BucketLifecycleConfiguration = { Rules: [...rules.filter((r) => r.ID !== LIFECYCLE_RULE_ID), stateLifecycleRule()] };
    await s3.send(new PutBucketLifecycleConfigurationCommand({ ...own, LifecycleConfiguration: config }));
  }
  const found = foundAmong(existing === undefined ? undefined : ok, rules.length, "rule", "no rules");
  return result(
    "lifecycle",
    `${LIFECYCLE_RULE_ID}: old states ${STATE_HISTORY_DAYS} d, unfinished uploads ${ABORT_UPLOADS_DAYS} d`,
    found,
    !ok,
  );
}

/** The bucket's settings, in the order they are checked and reported. */
const SETTINGS = [versioning, encryption, publicAccessBlock, objectOwnership, tlsPolicy, lifecycle];

/** Reads, and where it differs writes, each setting of the bucket in turn. */
export async function applySettings(s3: S3Client, bucket: string, account: string): Promise<SettingResult[]> {
  const target: Target = { s3, bucket, own: { Bucket: bucket, ExpectedBucketOwner: account } };
  const out: SettingResult[] = [];
  for (const setting of SETTINGS) out.push(await setting(target));
  return out;
}
