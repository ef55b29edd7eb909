import { Fn, Op, Token, type IResolvable } from "cdktf";
import type { DeploymentAlarms } from "../constructs/fargate-web-service";
import { ALARMS, serviceAlarmKinds, subjectOf, type AlarmKind } from "../platform/alarms";
import type { PlatformInputs, PlatformNames, PlatformService } from "./platform-stack";

/** A bool token that is true when every condition is (a literal `true` is left out). */
export function allOf(conditions: readonly (boolean | IResolvable)[]): boolean | IResolvable {
  const open = conditions.filter((c) => c !== true);
  if (open.length === 0) return true;
  return open.length === 1 ? open[0] : (Fn.alltrue(open as unknown[]) as unknown as IResolvable);
}

/** The condition under which a service-scoped alarm exists, beyond the services' own switch. */
export function serviceCondition(kind: AlarmKind, service: PlatformService): (boolean | IResolvable)[] {
  const extra: (boolean | IResolvable)[] = [];
  if (kind.scope === "target-group") extra.push(service.vars.public);
  if (kind.onlyWhen === "service-keeps-a-task") extra.push(Op.gte(service.vars.minCapacity, 1)); // (cdktf renders a literal 0 operand as "undefined")
  return extra;
}

/**
 * The names of the alarms that watch a deploy of one service, for the ECS
 * service's `alarms` block: the table's deployment alarms that exist for it
 * (its target-group alarms only while it is on the ALB). Built from the
 * variables only, never from the alarm resources, so that the ECS service
 * and its alarms do not depend on each other, and the services unit needs
 * nothing from the observability unit.
 */
export function deploymentAlarms(
  inputs: PlatformInputs,
  names: PlatformNames,
  service: PlatformService,
  table: readonly AlarmKind[] = ALARMS,
): DeploymentAlarms {
  const parts = serviceAlarmKinds(table)
    .filter((kind) => kind.deploymentAlarm)
    .map((kind) => {
      // format(), the suffix a separate argument: cdktf mis-renders string templates inside function calls.
      const name = Fn.format("%s%s-%s-%s", [inputs.project_name, names.suffix, subjectOf(kind, service.key), kind.id]);
      const when = allOf(serviceCondition(kind, service));
      return when === true ? [name] : Fn.conditional(when, [name], []);
    });
  return {
    names: Token.asList(Fn.concat(parts)),
    enabled: inputs.deployment_alarms_rollback,
    rollback: inputs.deployment_alarms_rollback,
  };
}
