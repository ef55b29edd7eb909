import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { Construct } from "constructs";
import { address } from "./terraform/addresses";
import { holdsData } from "./terraform/protect";
import { policyDocument } from "./terraform/iam";

export interface ArtifactsBucketProps {
  /** Globally unique bucket name. */
  readonly bucketName: string;
  /** Days after which a noncurrent object version is deleted. @default 90 */
  readonly noncurrentVersionExpirationDays?: number;
  /** Days after which current objects move to STANDARD_IA. @default 30 */
  readonly infrequentAccessAfterDays?: number;
  /** Days after which current objects move to GLACIER. @default 60 */
  readonly glacierAfterDays?: number;
  /** Days after which an unfinished multipart upload is aborted. @default 7 */
  readonly abortIncompleteUploadAfterDays?: number;
  /** Tags of the bucket. @default - none beyond the provider's default tags */
  readonly tags?: Readonly<Record<string, string>>;
  /** Refuse any plan that would destroy or replace the bucket (see `holdsData`). @default true */
  readonly protectData?: boolean;
}

/**
 * A private, versioned, encrypted (SSE-S3) bucket for ML artifacts, with
 * all four public-access blocks on, a policy that refuses plain-HTTP
 * requests, and a lifecycle that tiers old data down and expires old
 * versions. Holds data: its name never changes on a live platform.
 */
export class ArtifactsBucket extends Construct {
  public readonly bucket: S3Bucket;

  constructor(scope: Construct, id: string, props: ArtifactsBucketProps) {
    super(scope, id);
    const ia = props.infrequentAccessAfterDays ?? 30;
    const glacier = props.glacierAfterDays ?? 60;
    if (glacier <= ia) {
      throw new Error(`ArtifactsBucket: glacierAfterDays (${glacier}) must be later than infrequentAccessAfterDays (${ia})`);
    }
    if (ia < 30) {
      throw new Error(`ArtifactsBucket: infrequentAccessAfterDays (${ia}) must be at least 30 (S3's minimum for STANDARD_IA)`);
    }

    this.bucket = address(new S3Bucket(this, "bucket", { bucket: props.bucketName, tags: props.tags ? { ...props.tags } : undefined }));
    if (props.protectData ?? true) holdsData(this.bucket, "the objects and all their versions");

    address(
      new S3BucketVersioningA(this, "versioning", {
        bucket: this.bucket.id,
        versioningConfiguration: { status: "Enabled" },
      }),
    );

    address(
      new S3BucketServerSideEncryptionConfigurationA(this, "encryption", {
        bucket: this.bucket.id,
        rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
      }),
    );

    const publicAccessBlock = address(
      new S3BucketPublicAccessBlock(this, "public-access-block", {
        bucket: this.bucket.id,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      }),
    );

    this.lifecycle(props, ia, glacier);
    this.tlsOnlyPolicy(publicAccessBlock);
  }

  /** Old versions expire, data tiers down to IA then Glacier, unfinished uploads are aborted. */
  private lifecycle(props: ArtifactsBucketProps, ia: number, glacier: number): void {
    address(
      new S3BucketLifecycleConfiguration(this, "lifecycle", {
        bucket: this.bucket.id,
        // The first two rules are the live platform's, ids included; the third is new.
        rule: [
          {
            id: "delete_old_versions",
            status: "Enabled",
            filter: [{ prefix: "" }],
            noncurrentVersionExpiration: [{ noncurrentDays: props.noncurrentVersionExpirationDays ?? 90 }],
          },
          {
            id: "transition_to_ia",
            status: "Enabled",
            filter: [{ prefix: "" }],
            transition: [
              { days: ia, storageClass: "STANDARD_IA" },
              { days: glacier, storageClass: "GLACIER" },
            ],
          },
          {
            id: "abort_incomplete_uploads",
            status: "Enabled",
            filter: [{ prefix: "" }],
            abortIncompleteMultipartUpload: [{ daysAfterInitiation: props.abortIncompleteUploadAfterDays ?? 7 }],
          },
        ],
      }),
    );
  }

  /** Refuses every request not made over TLS. */
  private tlsOnlyPolicy(publicAccessBlock: S3BucketPublicAccessBlock): void {
    address(
      new S3BucketPolicy(this, "tls-only-policy", {
        bucket: this.bucket.id,
        policy: policyDocument([
          {
            Sid: "DenyWithoutTls",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: [this.bucket.arn, `${this.bucket.arn}/*`],
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          },
        ]),
        // A policy written while the public access block is being set can race it.
        dependsOn: [publicAccessBlock],
      }),
    );
  }
}
