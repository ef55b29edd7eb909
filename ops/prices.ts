/**
 * The prices the cost model uses: on-demand list prices for us-west-1
 * (US West, N. California), USD, read on 2026-11-29.
 *
 * Sources (AWS's public price pages; the us-west-1 column of each):
 * - Fargate, Linux/x86: https://aws.amazon.com/fargate/pricing/
 * - EFS (Standard, IA, provisioned and elastic throughput): https://aws.amazon.com/efs/pricing/
 *   (the page's worked example uses us-east-1's $0.30 per GB-month; us-west-1 is 10% higher throughout)
 * - NAT gateway, public IPv4: https://aws.amazon.com/vpc/pricing/
 * - Application Load Balancer: https://aws.amazon.com/elasticloadbalancing/pricing/
 * - AWS Backup, EFS warm storage: https://aws.amazon.com/backup/pricing/
 * - CloudWatch Logs and alarms: https://aws.amazon.com/cloudwatch/pricing/
 * - Secrets Manager: https://aws.amazon.com/secrets-manager/pricing/
 * - S3 Standard: https://aws.amazon.com/s3/pricing/
 * - AWS WAF (web ACL, rules, requests; the same in every commercial region): https://aws.amazon.com/waf/pricing/
 * - Amazon Cognito user pools (monthly active users; the free tier): https://aws.amazon.com/cognito/pricing/
 * - RDS for PostgreSQL (db.t4g.micro Single-AZ, gp3 storage): https://aws.amazon.com/rds/postgresql/pricing/
 *   and Aurora Serverless v2 (per ACU-hour): https://aws.amazon.com/rds/aurora/pricing/. These two were NOT read
 *   from AWS's pages here: they are the us-east-1 list prices as third-party price guides quoted them in 2026
 *   (db.t4g.micro $0.016 an hour, gp3 $0.115 per GB-month, Aurora Serverless v2 $0.12 per ACU-hour, Aurora storage
 *   $0.10 per GB-month); us-west-1 is usually some 10-20 % higher. Check the pages before relying on them.
 * Prices change: check these pages (or the AWS Pricing Calculator) before a budget decision, and update this table with its date.
 */
export const PRICES = {
  region: "us-west-1",
  readOn: "2026-11-29",
  /** Hours in a billing month, as AWS's calculator counts them. */
  hoursPerMonth: 730,
  fargate: { vcpuHour: 0.04656, gbHour: 0.00511 },
  /**
   * Fargate Spot as a share of the on-demand price. Spot prices move with demand; AWS states "up to 70 %" off,
   * and 0.3 is that bound: a floor on the cost of a Spot task, not a promise.
   */
  fargateSpotShare: 0.3,
  efs: {
    standardGbMonth: 0.33,
    iaGbMonth: 0.0275,
    provisionedMibpsMonth: 6.6,
    elasticReadGb: 0.033,
    elasticWriteGb: 0.066,
  },
  natGateway: { hour: 0.048, gbProcessed: 0.048 },
  publicIpv4Hour: 0.005,
  alb: { hour: 0.0252, lcuHour: 0.008 },
  backup: { efsWarmGbMonth: 0.055 },
  logs: { ingestGb: 0.5, storedGbMonth: 0.03 },
  secretMonth: 0.4,
  alarmMonth: 0.1,
  s3: { standardGbMonth: 0.026 },
  waf: { webAclMonth: 5, ruleMonth: 1, millionRequests: 0.6 },
  /** New user pools are on the Essentials tier: the first 10,000 monthly active users are free, then a price per user. */
  cognito: { freeMonthlyActiveUsers: 10000, monthlyActiveUser: 0.015 },
  /** us-east-1 list prices (see above): MLflow's database option. */
  rds: {
    instanceHour: { "db.t4g.micro": 0.016, "db.t4g.small": 0.032, "db.t4g.medium": 0.065 } as Readonly<Record<string, number>>,
    gp3GbMonth: 0.115,
  },
  auroraServerlessV2: { acuHour: 0.12, storageGbMonth: 0.1 },
} as const;

export type Prices = typeof PRICES;
