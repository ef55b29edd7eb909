/**
 * `status --wait`: did the deploy land? ECS's circuit breaker can roll a
 * failing deploy back to the previous task definition, after which the
 * service is stable again and `terraform apply` (and `aws ecs wait
 * services-stable`) end green while the old image still runs. This waits
 * for every service's PRIMARY deployment to finish, then checks that each
 * service runs the task definition revision the apply registered (the
 * `ecs_task_definition_arns` output), and when one does not, says which and
 * why: the stopped tasks' reasons, the failed deployment's reason, the
 * service's rollback events and its unhealthy targets.
 */
import { DescribeServicesCommand, DescribeTasksCommand, ListTasksCommand, type Service } from "@aws-sdk/client-ecs";
import { DescribeTargetHealthCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { Clients } from "./aws";
import { EXIT, OpsError } from "./errors";
import { table } from "./format";
import type { Platform } from "./platform";
import { type Progress, pollMs, progress, sleep } from "./progress";

export type RolloutVerdict = "deployed" | "rolled-back" | "failed" | "in-progress" | "missing";

export interface ServiceRollout {
  readonly key: string;
  readonly name: string;
  /** The task definition the apply registered (`family:revision`). */
  readonly expected: string;
  /** The task definition the service runs (`family:revision`), "-" when the service does not exist. */
  readonly running: string;
  /** The PRIMARY deployment's rollout state (IN_PROGRESS, COMPLETED, FAILED). */
  readonly rolloutState: string;
  readonly verdict: RolloutVerdict;
  /** Why, when the verdict is not "deployed": stopped tasks, failed health checks, rollback events. */
  readonly reasons: readonly string[];
}

export interface RolloutReport {
  readonly ok: boolean;
  readonly timedOut: boolean;
  readonly waitedSeconds: number;
  readonly services: readonly ServiceRollout[];
}

/** `arn:aws:ecs:…:task-definition/autovision-ui:7` → `autovision-ui:7`. */
export function shortTaskDefinition(arn: string | undefined): string {
  if (!arn) return "-";
  return arn.includes("/") ? arn.slice(arn.lastIndexOf("/") + 1) : arn;
}

/** Events ECS writes when a deploy fails or rolls back (the circuit breaker, deployment alarms). */
const ROLLBACK_EVENT = /rolling back|rolled back|circuit breaker|deployment failed|failed to launch|unable to|is unhealthy|alarm/i;

/** The verdict on one described service against the revision the apply registered, the reasons still to be found. */
export function judge(expectedArn: string, s: Service | undefined): Pick<ServiceRollout, "running" | "rolloutState" | "verdict"> {
  if (!s) return { running: "-", rolloutState: "-", verdict: "missing" };
  const primary = (s.deployments ?? []).find((d) => d.status === "PRIMARY") ?? s.deployments?.[0];
  const rolloutState = primary?.rolloutState ?? "-";
  // The service's own task definition: after a rollback ECS sets it back to the previous revision.
  const running = shortTaskDefinition(s.taskDefinition ?? primary?.taskDefinition);
  if (running !== shortTaskDefinition(expectedArn)) {
    // ECS left (or put) the service on another revision: a rollback, whatever state its own deployment reached.
    return { running, rolloutState, verdict: "rolled-back" };
  }
  if (rolloutState === "FAILED") return { running, rolloutState, verdict: "failed" };
  if (rolloutState === "COMPLETED") return { running, rolloutState, verdict: "deployed" };
  return { running, rolloutState, verdict: "in-progress" };
}

/** The failed (or stuck) deployments, with ECS's reason. */
function deploymentReasons(s: Service): string[] {
  return (s.deployments ?? [])
    .filter((d) => d.rolloutState === "FAILED" || (d.status === "PRIMARY" && d.rolloutState !== "COMPLETED" && d.rolloutStateReason))
    .map((d) => `deployment ${d.id ?? "?"} (${shortTaskDefinition(d.taskDefinition)}): ${d.rolloutStateReason ?? d.rolloutState}`);
}

/** The registered revision's tasks that stopped, newest first, three distinct reasons at most: why the deploy failed (image, secret, EFS mount, health check). */
async function stoppedTaskReasons(aws: Clients, cluster: string, expectedArn: string): Promise<string[]> {
  const family = shortTaskDefinition(expectedArn).split(":")[0];
  const listed = await aws.ecs.send(new ListTasksCommand({ cluster, family, desiredStatus: "STOPPED" }));
  const arns = (listed.taskArns ?? []).slice(0, 100);
  if (arns.length === 0) return [];
  const tasks = (await aws.ecs.send(new DescribeTasksCommand({ cluster, tasks: arns }))).tasks ?? [];
  const texts = tasks
    .filter((t) => t.taskDefinitionArn === expectedArn)
    .sort((a, b) => (b.stoppedAt?.getTime() ?? 0) - (a.stoppedAt?.getTime() ?? 0))
    .map((t) => {
      const containers = (t.containers ?? [])
        .filter((c) => c.reason || (c.exitCode !== undefined && c.exitCode !== 0))
        .map((c) => `${c.name}: ${c.reason ?? `exit code ${c.exitCode}`}`);
      return [t.stoppedReason, ...containers].filter(Boolean).join("; ");
    })
    .filter(Boolean);
  return [...new Set(texts)].slice(0, 3).map((text) => `stopped task: ${text}`);
}

/** The service's targets that are not healthy, with the load balancer's reason. */
async function targetReasons(aws: Clients, s: Service): Promise<string[]> {
  const tg = s.loadBalancers?.[0]?.targetGroupArn;
  if (!tg) return [];
  const health = await aws.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg }));
  return (health.TargetHealthDescriptions ?? [])
    .filter((t) => t.TargetHealth?.State && t.TargetHealth.State !== "healthy")
    .map((t) => {
      const h = t.TargetHealth ?? {};
      const why = h.Reason ? ` (${h.Reason}${h.Description ? `: ${h.Description}` : ""})` : "";
      return `target ${t.Target?.Id ?? "?"}: ${h.State}${why}`;
    });
}

/** Why a service is not on its registered revision: the deployment, the newest stopped tasks of that revision, events, targets. */
async function reasonsFor(aws: Clients, cluster: string, expectedArn: string, s: Service | undefined): Promise<string[]> {
  if (!s) return ["the service does not exist (create_ecs_services=false, or the apply did not create it)"];
  const reasons = [...deploymentReasons(s), ...(await stoppedTaskReasons(aws, cluster, expectedArn))];
  for (const e of (s.events ?? []).slice(0, 20)) {
    if (e.message && ROLLBACK_EVENT.test(e.message)) reasons.push(`event ${e.createdAt?.toISOString() ?? ""}: ${e.message}`.trim());
    if (reasons.length >= 8) break;
  }
  reasons.push(...(await targetReasons(aws, s)));
  if (reasons.length === 0)
    reasons.push("no stopped task, event or unhealthy target explains it: see the service's events in the ECS console");
  return reasons;
}

export interface WaitOptions {
  /** Give up after this many seconds. */
  readonly timeoutSeconds: number;
  readonly quiet?: boolean;
}

/** Describes the services until none is in progress or the timeout passes: the last description and its verdicts. */
async function pollRollout(
  aws: Clients,
  platform: Platform,
  keys: readonly string[],
  started: number,
  options: WaitOptions,
  spinner: Progress,
): Promise<{ described: Service[]; verdicts: ReturnType<typeof judge>[]; timedOut: boolean }> {
  for (;;) {
    const out = await aws.ecs.send(
      new DescribeServicesCommand({ cluster: platform.clusterName, services: keys.map((k) => platform.serviceNames[k]) }),
    );
    const described = (out.services ?? []).filter((s) => s.status !== "INACTIVE");
    const verdicts = keys.map((k) =>
      judge(
        platform.taskDefinitionArns[k],
        described.find((s) => s.serviceName === platform.serviceNames[k]),
      ),
    );
    const waiting = keys.filter((_, i) => verdicts[i].verdict === "in-progress");
    const seconds = Math.round((Date.now() - started) / 1000);
    if (waiting.length === 0) return { described, verdicts, timedOut: false };
    if (seconds >= options.timeoutSeconds) return { described, verdicts, timedOut: true };
    spinner.update(`waiting for ${waiting.join(", ")} to finish deploying (${seconds} s)`);
    await sleep(pollMs());
  }
}

/**
 * Waits until every service's PRIMARY deployment is COMPLETED or FAILED, or
 * a service is found on another revision than the registered one, or the
 * timeout passes; then judges each service.
 */
export async function waitForRollout(aws: Clients, platform: Platform, options: WaitOptions): Promise<RolloutReport> {
  const keys = Object.keys(platform.serviceNames);
  if (!platform.clusterName || keys.length === 0) {
    throw new OpsError(
      "the platform is not deployed: terraform output has no ecs_cluster_name/ecs_service_names (make deploy-services first)",
      EXIT.notDeployed,
    );
  }
  const expected = platform.taskDefinitionArns;
  const unknown = keys.filter((k) => !expected[k]);
  if (unknown.length > 0) {
    throw new OpsError(
      `terraform output ecs_task_definition_arns names no task definition for ${unknown.join(", ")}: apply the full platform first (make deploy-services), then wait`,
      EXIT.notDeployed,
    );
  }
  const started = Date.now();
  const spinner = progress("waiting for the deployments to finish", options.quiet);
  const { described, verdicts, timedOut } = await pollRollout(aws, platform, keys, started, options, spinner);
  const services: ServiceRollout[] = [];
  for (const [i, key] of keys.entries()) {
    const s = described.find((x) => x.serviceName === platform.serviceNames[key]);
    const v = verdicts[i];
    const late = v.verdict === "in-progress" ? [`the deployment did not finish within ${options.timeoutSeconds} s`] : [];
    const reasons = v.verdict === "deployed" ? [] : [...late, ...(await reasonsFor(aws, platform.clusterName, expected[key], s))];
    services.push({ key, name: platform.serviceNames[key], expected: shortTaskDefinition(expected[key]), ...v, reasons });
  }
  const ok = services.every((s) => s.verdict === "deployed");
  const waitedSeconds = Math.round((Date.now() - started) / 1000);
  if (ok) spinner.succeed(`every service runs the revision the apply registered (${waitedSeconds} s)`);
  else spinner.fail("a deployment did not land");
  return { ok, timedOut, waitedSeconds, services };
}

const SAYS: Record<RolloutVerdict, string> = {
  deployed: "deployed",
  "rolled-back": "ROLLED BACK",
  failed: "FAILED",
  "in-progress": "NOT FINISHED",
  missing: "MISSING",
};

export function renderRollout(r: RolloutReport): string {
  const out = [
    table(
      ["service", "registered", "running", "rollout", "result"],
      r.services.map((s) => [s.key, s.expected, s.running, s.rolloutState, SAYS[s.verdict]]),
    ),
  ];
  for (const s of r.services.filter((x) => x.verdict !== "deployed")) {
    const what =
      s.verdict === "rolled-back"
        ? `${s.key} (${s.name}) runs ${s.running}, not ${s.expected} that the apply registered: ECS rolled the deploy back`
        : s.verdict === "failed"
          ? `${s.key} (${s.name}): the deployment of ${s.expected} failed`
          : s.verdict === "missing"
            ? `${s.key} (${s.name}) does not exist`
            : `${s.key} (${s.name}): the deployment of ${s.expected} is still ${s.rolloutState}`;
    out.push("", what, ...s.reasons.map((x) => `  - ${x}`));
  }
  out.push(
    "",
    r.ok
      ? "every service runs the task definition revision the apply registered"
      : "the deploy did NOT land: the services above do not run what Terraform registered",
  );
  return out.join("\n");
}

/** 0 when every deploy landed; 3 (failed) otherwise. */
export function rolloutExitCode(r: RolloutReport): number {
  return r.ok ? EXIT.ok : EXIT.failed;
}
