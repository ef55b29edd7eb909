/**
 * The monthly cost of a plan, before and after, with the model of `ops
 * cost`: "before" from the prior state's resources, "after" from the plan's
 * variables.
 */
import { type CostLine, costLines, serviceKeys, total } from "./cost-model";
import { DEFAULT_USAGE, type Usage } from "./cost-usage";
import { list, obj, type PlanJson, planVariables, plannedResources, priorResources, type StateResourceJson } from "./review-plan";

export interface CostComparison {
  readonly before: readonly CostLine[];
  readonly after: readonly CostLine[];
  readonly rows: readonly { group: string; item: string; before: number; after: number }[];
  readonly totalBefore: number;
  readonly totalAfter: number;
}

/** Resources of a type in a list of instances. */
const ofType = (rs: readonly StateResourceJson[], type: string) => rs.filter((r) => r.type === type);

/** The share of a service's tasks on Fargate Spot, in percent, from its capacity provider strategy. */
function spotPercent(service: StateResourceJson | undefined): number {
  const strategy = list(service?.values?.capacity_provider_strategy).map(obj);
  const weight = (p: string) => strategy.filter((s) => s.capacity_provider === p).reduce((n, s) => n + Number(s.weight ?? 0), 0);
  const all = weight("FARGATE") + weight("FARGATE_SPOT");
  return all > 0 ? (100 * weight("FARGATE_SPOT")) / all : 0;
}

/** Each service's count, task size and Spot share as its resources show them. */
function serviceInputs(resources: readonly StateResourceJson[], variables: Record<string, unknown>, v: Record<string, unknown>): void {
  const services = ofType(resources, "aws_ecs_service");
  v.create_ecs_services = services.length > 0;
  for (const key of serviceKeys(variables)) {
    const name = variables[`${key}_service_name`];
    const service = services.find((r) => r.values?.name === name);
    const task = ofType(resources, "aws_ecs_task_definition").find((r) => r.values?.family === name);
    v[`${key}_desired_count`] = service ? Number(service.values?.desired_count ?? 0) : 0;
    if (task?.values?.cpu !== undefined) v[`${key}_cpu`] = Number(task.values.cpu);
    if (task?.values?.memory !== undefined) v[`${key}_memory`] = Number(task.values.memory);
    if (typeof variables[`${key}_spot_percent`] === "number") v[`${key}_spot_percent`] = spotPercent(service);
  }
}

/** The shared storage's throughput and backup as its resources show them. */
function storageInputs(resources: readonly StateResourceJson[], v: Record<string, unknown>): void {
  const efs = ofType(resources, "aws_efs_file_system")[0]?.values;
  if (efs) {
    v.efs_throughput_mode = efs.throughput_mode;
    if (efs.throughput_mode === "provisioned") v.efs_provisioned_throughput_mibps = Number(efs.provisioned_throughput_in_mibps);
  }
  const backup = ofType(resources, "aws_efs_backup_policy")[0]?.values;
  if (backup) v.efs_backup_enabled = obj(list(backup.backup_policy)[0]).status === "ENABLED";
}

/**
 * The cost model's inputs as the resources show them: the variables the
 * cost model reads, taken from a side of the plan (the prior state for
 * "before"), falling back to `variables` where that side says nothing.
 */
export function costInputsFromResources(
  resources: readonly StateResourceJson[],
  variables: Record<string, unknown>,
): Record<string, unknown> {
  const v: Record<string, unknown> = { ...variables };
  serviceInputs(resources, variables, v);
  storageInputs(resources, v);
  // az_count: the instances of the subnet resource that has the most (one subnet per zone and tier).
  const perSubnet = new Map<string, number>();
  for (const s of ofType(resources, "aws_subnet")) perSubnet.set(s.name, (perSubnet.get(s.name) ?? 0) + 1);
  if (perSubnet.size) v.az_count = Math.max(...perSubnet.values());
  v.vpc_flow_logs_enabled = ofType(resources, "aws_flow_log").length > 0;
  return v;
}

/** Monthly cost before (the prior state) and after (the plan's variables), line by line, with `ops cost`'s model. */
export function compareCost(plan: PlanJson, usage: Usage = DEFAULT_USAGE): CostComparison {
  const variables = planVariables(plan);
  const prior = priorResources(plan);
  const planned = plannedResources(plan);
  const alarms = (rs: readonly StateResourceJson[]) => ofType(rs, "aws_cloudwatch_metric_alarm").length;
  const before = prior.length === 0 ? [] : costLines(costInputsFromResources(prior, variables), { ...usage, alarms: alarms(prior) });
  const after = planned.length === 0 ? [] : costLines(variables, { ...usage, alarms: alarms(planned) });
  const key = (l: CostLine) => `${l.group}\u0000${l.item}`;
  const b = new Map(before.map((l) => [key(l), l.monthly]));
  const a = new Map(after.map((l) => [key(l), l.monthly]));
  const rows = [...new Set([...before.map(key), ...after.map(key)])].map((k) => {
    const [group, item] = k.split("\u0000");
    return { group, item, before: b.get(k) ?? 0, after: a.get(k) ?? 0 };
  });
  return { before, after, rows, totalBefore: total(before), totalAfter: total(after) };
}
