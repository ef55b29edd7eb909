/**
 * What the bill depends on that no variable holds (data stored, log volume,
 * traffic): the usage the cost model assumes unless `ops cost`'s flags say
 * otherwise.
 */
/** What the bill depends on that no variable holds; each is a flag of `cost`. */
export interface Usage {
  /** Data on the experiments file system, GB (Standard storage). */
  readonly efsGb: number;
  /** Share of it in Infrequent Access (files unread for 30 days), 0-1. */
  readonly efsIaShare: number;
  /** Elastic throughput only: GB read and written a month. */
  readonly efsReadGb: number;
  readonly efsWriteGb: number;
  /** Data through the NAT gateway a month, GB (image pulls, W&B, outbound API calls). */
  readonly natGb: number;
  /** ALB load balancer capacity units used on average (1 is a light web app). */
  readonly albLcu: number;
  /** Logs ingested a month, GB, all services together. */
  readonly logsGb: number;
  /** VPC flow logs ingested a month, GB (only when vpc_flow_logs_enabled). */
  readonly flowLogsGb: number;
  /** MLflow artifacts stored, GB. */
  readonly artifactsGb: number;
  /** CloudWatch alarms. */
  readonly alarms: number;
  /** Requests to the ALB a month, millions (billed by the web firewall when waf_enabled). */
  readonly albRequestsMillions: number;
  /** People who sign in at least once a month (Cognito's monthly active users, when sign_in is cognito). */
  readonly signInUsers: number;
}

export const DEFAULT_USAGE: Usage = {
  efsGb: 100,
  efsIaShare: 0,
  efsReadGb: 200,
  efsWriteGb: 50,
  natGb: 20,
  albLcu: 1,
  logsGb: 5,
  flowLogsGb: 30,
  artifactsGb: 20,
  alarms: 0,
  albRequestsMillions: 5,
  signInUsers: 20,
};
