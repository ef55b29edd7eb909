/**
 * `status`: the platform on one screen, and an exit code scripts can use:
 * 0 healthy, 1 degraded (each reason listed), 2 not deployed.
 */
import { DescribeAlarmsCommand } from "@aws-sdk/client-cloudwatch";
import { DescribeServicesCommand, type DescribeServicesCommandOutput, type Service } from "@aws-sdk/client-ecs";
import {
  DescribeAccessPointsCommand,
  DescribeFileSystemsCommand,
  DescribeMountTargetsCommand,
  type FileSystemDescription,
} from "@aws-sdk/client-efs";
import { DescribeTargetHealthCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { Clients } from "./aws";
import { EXIT } from "./errors";
import { bytes, table } from "./format";
import type { Platform } from "./platform";

export interface ServiceStatus {
  readonly key: string;
  readonly name: string;
  readonly exists: boolean;
  readonly desired: number;
  readonly running: number;
  readonly pending: number;
  readonly revision: string;
  readonly deployment: string;
  /** healthy/total registered targets; undefined for a service off the ALB. */
  readonly targets?: { healthy: number; total: number; states: string[] };
  readonly url: string;
}

export interface StatusReport {
  readonly health: "healthy" | "degraded" | "not-deployed";
  readonly problems: string[];
  readonly region: string;
  readonly efs?: {
    id: string;
    state: string;
    throughputMode: string;
    provisionedMibps?: number;
    sizeBytes: number;
    mountTargets: { zone: string; state: string; id: string }[];
    accessPoints: { id: string; path: string; uid?: number; gid?: number; state: string }[];
  };
  readonly services: ServiceStatus[];
  readonly alarms: { name: string; reason: string }[];
}

type EfsStatus = NonNullable<StatusReport["efs"]>;
/** A part of the status, or why the platform is not deployed. */
type Found<T> = { readonly found: T } | { readonly notDeployed: string };

async function efsStatus(aws: Clients, platform: Platform, fileSystemId: string): Promise<Found<EfsStatus>> {
  let fileSystem: FileSystemDescription | undefined;
  try {
    [fileSystem] = (await aws.efs.send(new DescribeFileSystemsCommand({ FileSystemId: fileSystemId }))).FileSystems ?? [];
  } catch (error) {
    if ((error as Error).name === "FileSystemNotFound") {
      return { notDeployed: `file system ${fileSystemId} does not exist in ${platform.region} (wrong region, or destroyed)` };
    }
    throw error;
  }
  const [mountTargets, accessPoints] = await Promise.all([
    aws.efs.send(new DescribeMountTargetsCommand({ FileSystemId: fileSystemId })),
    aws.efs.send(new DescribeAccessPointsCommand({ FileSystemId: fileSystemId })),
  ]);
  return {
    found: {
      id: fileSystemId,
      state: fileSystem?.LifeCycleState ?? "unknown",
      throughputMode: fileSystem?.ThroughputMode ?? "unknown",
      provisionedMibps: fileSystem?.ProvisionedThroughputInMibps,
      sizeBytes: fileSystem?.SizeInBytes?.Value ?? 0,
      mountTargets: (mountTargets.MountTargets ?? [])
        .map((m) => ({ zone: m.AvailabilityZoneName ?? "?", state: m.LifeCycleState ?? "?", id: m.MountTargetId ?? "?" }))
        .sort((a, b) => a.zone.localeCompare(b.zone)),
      accessPoints: (accessPoints.AccessPoints ?? []).map((a) => ({
        id: a.AccessPointId ?? "?",
        path: a.RootDirectory?.Path ?? "/",
        uid: a.PosixUser?.Uid,
        gid: a.PosixUser?.Gid,
        state: a.LifeCycleState ?? "?",
      })),
    },
  };
}

function efsProblems(efs: EfsStatus): string[] {
  const problems: string[] = [];
  if (efs.state !== "available") problems.push(`file system ${efs.id} is ${efs.state}`);
  if (efs.mountTargets.length === 0) problems.push("the file system has no mount target: no task can mount it");
  for (const m of efs.mountTargets) if (m.state !== "available") problems.push(`mount target in ${m.zone} is ${m.state}`);
  return problems;
}

/** What is wrong with a deployed service: tasks short of the count, a failed deployment, unhealthy targets. */
function serviceProblems(status: ServiceStatus, failedBecause: string | undefined): string[] {
  const { key, targets } = status;
  const problems: string[] = [];
  if (status.running < status.desired) problems.push(`${key}: ${status.running} of ${status.desired} tasks running`);
  if (status.deployment === "FAILED") problems.push(`${key}: the last deployment failed (${failedBecause ?? "see the service's events"})`);
  if (targets && status.desired > 0 && targets.healthy < status.desired) {
    const others = targets.states.filter((x) => x !== "healthy");
    problems.push(
      `${key}: ${targets.healthy} healthy target(s) of ${status.desired} wanted${others.length ? ` (${others.join(", ")})` : ""}`,
    );
  }
  return problems;
}

/** One deployed service: counts, revision, deployment, targets; and what is wrong with it. */
async function serviceStatus(
  aws: Clients,
  platform: Platform,
  key: string,
  s: Service,
): Promise<{ status: ServiceStatus; problems: string[] }> {
  const primary = (s.deployments ?? []).find((d) => d.status === "PRIMARY") ?? s.deployments?.[0];
  const deployment = primary?.rolloutState ?? primary?.status ?? "-";
  let targets: ServiceStatus["targets"];
  const tg = s.loadBalancers?.[0]?.targetGroupArn;
  if (tg) {
    const health = await aws.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg }));
    const states = (health.TargetHealthDescriptions ?? []).map((t) => t.TargetHealth?.State ?? "unknown");
    targets = { healthy: states.filter((x) => x === "healthy").length, total: states.length, states };
  }
  const status: ServiceStatus = {
    key,
    name: platform.serviceNames[key],
    exists: true,
    desired: s.desiredCount ?? 0,
    running: s.runningCount ?? 0,
    pending: s.pendingCount ?? 0,
    revision: s.taskDefinition?.split(":").pop() ?? "?",
    deployment,
    targets,
    url: platform.urls[key] ?? "",
  };
  const problems = serviceProblems(status, primary?.rolloutStateReason);
  return { status, problems };
}

/** A service the outputs name but ECS does not have. */
function missingService(platform: Platform, key: string): { status: ServiceStatus; problems: string[] } {
  const name = platform.serviceNames[key];
  return {
    status: { key, name, exists: false, desired: 0, running: 0, pending: 0, revision: "-", deployment: "-", url: platform.urls[key] ?? "" },
    problems: [`${key}: service ${name} does not exist (create_ecs_services=false, or not deployed yet)`],
  };
}

async function servicesStatus(aws: Clients, platform: Platform): Promise<Found<{ services: ServiceStatus[]; problems: string[] }>> {
  const keys = Object.keys(platform.serviceNames);
  if (keys.length === 0 || !platform.clusterName) return { found: { services: [], problems: [] } };
  let described: DescribeServicesCommandOutput;
  try {
    described = await aws.ecs.send(
      new DescribeServicesCommand({ cluster: platform.clusterName, services: keys.map((k) => platform.serviceNames[k]) }),
    );
  } catch (error) {
    if ((error as Error).name === "ClusterNotFoundException") {
      return { notDeployed: `cluster ${platform.clusterName} does not exist in ${platform.region}` };
    }
    throw error;
  }
  const services: ServiceStatus[] = [];
  const problems: string[] = [];
  for (const key of keys) {
    const s = (described.services ?? []).find((x) => x.serviceName === platform.serviceNames[key] && x.status !== "INACTIVE");
    const one = s ? await serviceStatus(aws, platform, key, s) : missingService(platform, key);
    services.push(one.status);
    problems.push(...one.problems);
  }
  return { found: { services, problems } };
}

export async function gatherStatus(aws: Clients, platform: Platform): Promise<StatusReport> {
  const notDeployed = (why: string): StatusReport => ({
    health: "not-deployed",
    problems: [why],
    region: platform.region,
    services: [],
    alarms: [],
  });
  if (!platform.fileSystemId) return notDeployed("terraform output has no efs_file_system_id: the platform is not deployed");
  const efs = await efsStatus(aws, platform, platform.fileSystemId);
  if ("notDeployed" in efs) return notDeployed(efs.notDeployed);
  const services = await servicesStatus(aws, platform);
  if ("notDeployed" in services) return notDeployed(services.notDeployed);

  const alarms = (await aws.cloudwatch.send(new DescribeAlarmsCommand({ StateValue: "ALARM" }))).MetricAlarms ?? [];
  const alarmList = alarms.map((a) => ({ name: a.AlarmName ?? "?", reason: a.StateReason ?? "" }));
  const problems = [...efsProblems(efs.found), ...services.found.problems, ...alarmList.map((a) => `alarm ${a.name} is in ALARM`)];
  return {
    health: problems.length ? "degraded" : "healthy",
    problems,
    region: platform.region,
    efs: efs.found,
    services: services.found.services,
    alarms: alarmList,
  };
}

export function exitCodeOf(report: StatusReport): number {
  return report.health === "healthy" ? EXIT.ok : report.health === "degraded" ? EXIT.degraded : EXIT.notDeployed;
}

export function renderStatus(r: StatusReport): string {
  const out: string[] = [];
  const word = { healthy: "HEALTHY", degraded: "DEGRADED", "not-deployed": "NOT DEPLOYED" }[r.health];
  out.push(`platform: ${word} (${r.region})`);
  if (r.efs) {
    const e = r.efs;
    const throughput = e.throughputMode === "provisioned" ? `provisioned ${e.provisionedMibps ?? "?"} MiB/s` : e.throughputMode;
    out.push("", `experiments file system ${e.id}: ${e.state}, ${throughput}, ${bytes(e.sizeBytes)} stored`);
    out.push(
      table(
        ["zone", "mount target", "state"],
        e.mountTargets.map((m) => [m.zone, m.id, m.state]),
      ),
    );
    out.push(
      table(
        ["access point", "path", "uid", "gid", "state"],
        e.accessPoints.map((a) => [a.id, a.path, a.uid ?? "-", a.gid ?? "-", a.state]),
      ),
    );
  }
  if (r.services.length > 0) {
    out.push("", "services:");
    out.push(
      table(
        ["service", "desired", "running", "pending", "revision", "deployment", "targets", "url"],
        r.services.map((s) => [
          s.exists ? s.key : `${s.key} (missing)`,
          s.desired,
          s.running,
          s.pending,
          s.revision,
          s.deployment,
          s.targets ? `${s.targets.healthy}/${s.targets.total} healthy` : "off the ALB",
          s.url || "-",
        ]),
      ),
    );
  }
  if (r.alarms.length > 0) {
    out.push("", "alarms in ALARM:");
    out.push(
      table(
        ["alarm", "reason"],
        r.alarms.map((a) => [a.name, a.reason.slice(0, 100)]),
      ),
    );
  }
  if (r.problems.length > 0) out.push("", "problems:", ...r.problems.map((p) => `  - ${p}`));
  return out.join("\n");
}
