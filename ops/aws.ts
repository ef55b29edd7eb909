/**
 * AWS SDK v3 clients for the platform's region, with the standard credential
 * chain (env, AWS_PROFILE, SSO, instance roles). The SDK reads
 * AWS_ENDPOINT_URL (and AWS_ENDPOINT_URL_<SERVICE>) itself, which is how the
 * tests point every client at the emulator.
 */
import { BackupClient } from "@aws-sdk/client-backup";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { ECSClient } from "@aws-sdk/client-ecs";
import { EFSClient } from "@aws-sdk/client-efs";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { S3Client } from "@aws-sdk/client-s3";

export interface Clients {
  readonly efs: EFSClient;
  readonly ecs: ECSClient;
  readonly elb: ElasticLoadBalancingV2Client;
  readonly cloudwatch: CloudWatchClient;
  readonly backup: BackupClient;
  readonly s3: S3Client;
}

export function clients(region: string): Clients {
  const config = { region, maxAttempts: 3 };
  return {
    efs: new EFSClient(config),
    ecs: new ECSClient(config),
    elb: new ElasticLoadBalancingV2Client(config),
    cloudwatch: new CloudWatchClient(config),
    backup: new BackupClient(config),
    // A custom endpoint (an emulator, a VPC endpoint by IP) has no per-bucket host names.
    s3: new S3Client({ ...config, forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL || process.env.AWS_ENDPOINT_URL_S3) }),
  };
}
