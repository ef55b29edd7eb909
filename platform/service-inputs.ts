/**
 * The root variables each service of `platform/services.ts` adds
 * (`<key>_cpu` …), with the defaults of its entry and the checks Fargate,
 * the ALB and the other services put on them.
 */
import { input, matches, type Rule, tested, wholeNumberBetween, type Input } from "../constructs/terraform/input-rules";
import type { ServiceSpec } from "./services";

/** Fargate's valid task sizes: CPU units → memory MiB (min, max, step). */
const FARGATE_SIZES: readonly (readonly [number, number, number, number])[] = [
  [256, 512, 2048, 512],
  [512, 1024, 4096, 1024],
  [1024, 2048, 8192, 1024],
  [2048, 4096, 16384, 1024],
  [4096, 8192, 30720, 1024],
  [8192, 16384, 61440, 4096],
  [16384, 32768, 122880, 8192],
];

/** Fargate's CPU units, from the sizes table. */
const FARGATE_CPUS = FARGATE_SIZES.map(([c]) => c);

function fargateMemory(key: string): Rule {
  const cpu = `var.${key}_cpu`;
  const mem = `var.${key}_memory`;
  // 256 CPU allows 512, 1024, 2048 (not 1536): its step is 512 but 1536 is not offered.
  const clauses = FARGATE_SIZES.map(([c, min, max, step]) =>
    c === 256
      ? `(${cpu} == 256 && contains([512, 1024, 2048], ${mem}))`
      : `(${cpu} == ${c} && ${mem} >= ${min} && ${mem} <= ${max} && ${mem} % ${step} == 0)`,
  );
  const allowed = FARGATE_SIZES.map(([c, min, max, step]) =>
    c === 256 ? "256: 512, 1024 or 2048" : `${c}: ${min}-${max} in steps of ${step}`,
  ).join("; ");
  return tested(
    () => ({
      condition: clauses.join(" || "),
      message: `${key}_memory must be a Fargate memory size for ${key}_cpu (cpu: memory MiB — ${allowed}).`,
    }),
    (_name, values) => {
      const [c, m] = [values[`${key}_cpu`] as number, values[`${key}_memory`] as number];
      return FARGATE_SIZES.some(([cpu, min, max, step]) =>
        cpu === 256 ? c === 256 && [512, 1024, 2048].includes(m) : c === cpu && m >= min && m <= max && m % step === 0,
      );
    },
  );
}

const NAME_29 = "^[a-zA-Z0-9]([a-zA-Z0-9-]{0,27}[a-zA-Z0-9])?$";

/**
 * The root variables one service adds, by the name the code reads each by, with the suffix of its Terraform
 * name (`<key>_<suffix>`), in declaration order. The one place the two names meet.
 */
export const SERVICE_VARIABLE_SUFFIXES = {
  serviceName: "service_name",
  cpu: "cpu",
  memoryMiB: "memory",
  port: "port",
  healthCheckPath: "health_check_path",
  desiredCount: "desired_count",
  minCapacity: "min_capacity",
  public: "public",
  maxCapacity: "max_capacity",
  spotPercent: "spot_percent",
} as const;

export type ServiceInputName = keyof typeof SERVICE_VARIABLE_SUFFIXES;

/** A service's root variable's Terraform name: `<key>_<suffix>`. */
export const serviceVariableName = (key: string, name: ServiceInputName): string => `${key}_${SERVICE_VARIABLE_SUFFIXES[name]}`;

/** The variables of one service: `public` only for services that may stay off the ALB, `spotPercent` only for Spot ones. */
export type ServiceInputTable = {
  readonly serviceName: Input<"string">;
  readonly cpu: Input<"number">;
  readonly memoryMiB: Input<"number">;
  readonly port: Input<"number">;
  readonly healthCheckPath: Input<"string">;
  readonly desiredCount: Input<"number">;
  readonly minCapacity: Input<"number">;
  readonly public?: Input<"bool">;
  readonly maxCapacity: Input<"number">;
  readonly spotPercent?: Input<"number">;
};

/** The service's name: also its task family, log group and target group; unique among the services. */
function serviceNameInput(key: string, spec: ServiceSpec, earlier: readonly string[]): Input<"string"> {
  const d = spec.defaults;
  return input.string({
    default: d.serviceName,
    description: `ECS service name of the ${key} service; also its task family, its log group /ecs/<name> and its target group <name>-tg.`,
    validations: [
      matches(
        NAME_29,
        "1-29 letters, digits or hyphens, not starting or ending with a hyphen (the target group name <name>-tg has at most 32 characters)",
      ),
      (name) => ({
        condition: `var.environment == "prod" || length(var.${name}) + length(var.environment) <= 31`,
        message: `${name} and environment must be at most 31 characters together outside prod: the target group is named <${name}>-<environment>, at most 32`,
      }),
      ...(earlier.length === 0
        ? []
        : [
            (name: string) => ({
              condition: `!contains([${earlier.map((k) => `var.${k}_service_name`).join(", ")}], var.${name})`,
              message: `${name} must differ from ${earlier.map((k) => `${k}_service_name`).join(", ")}: services, task families, log groups and target groups are named after it`,
            }),
          ]),
    ],
  });
}

/** The container port, also its listener port on the ALB: unique among the services, never 80 or 443. */
function portInput(key: string, spec: ServiceSpec, earlier: readonly string[]): Input<"number"> {
  const d = spec.defaults;
  const earlierPorts = earlier.map((k) => `var.${k}_port`);
  return input.number({
    default: d.port,
    description: `Container port of the ${key} service, and its HTTP listener port on the ALB.`,
    validations: [
      wholeNumberBetween(1, 65535),
      ...(earlierPorts.length === 0
        ? []
        : [
            (name: string) => ({
              condition: `!contains([${earlierPorts.join(", ")}], var.${name})`,
              message: `${name} must differ from ${earlierPorts.map((p) => p.slice(4)).join(", ")}: each service has its own listener.`,
            }),
          ]),
      (name) => ({
        condition: `!contains([80, 443], var.${name})`,
        message: `${name} must not be 80 or 443: the ALB keeps those for HTTP and HTTPS.`,
      }),
    ],
  });
}

/** The count the service starts with, inside the autoscaling range (one task at most for a service with a store). */
function desiredCountInput(key: string, spec: ServiceSpec): Input<"number"> {
  const d = spec.defaults;
  return input.number({
    default: d.desiredCount,
    description: `Number of ${key} tasks the service starts with; autoscaling owns the count afterwards (a later change here does not move a running service).`,
    cost: "each running task is billed (CPU and memory).",
    validations: [
      wholeNumberBetween(0, spec.store ? 1 : 100),
      tested(
        (name) => ({
          condition: `var.${name} >= var.${key}_min_capacity && var.${name} <= var.${key}_max_capacity`,
          message: `${name} must lie between ${key}_min_capacity (\${var.${key}_min_capacity}) and ${key}_max_capacity (\${var.${key}_max_capacity}): autoscaling would move it there at once`,
        }),
        (name, values) =>
          (values[name] as number) >= (values[`${key}_min_capacity`] as number) &&
          (values[name] as number) <= (values[`${key}_max_capacity`] as number),
      ),
    ],
  });
}

/** The most tasks autoscaling may start (one for a service with a store). */
function maxCapacityInput(key: string, spec: ServiceSpec): Input<"number"> {
  const d = spec.defaults;
  return input.number({
    default: d.maxCapacity,
    description: `Most ${key} tasks autoscaling may start.`,
    cost: "each running task is billed (CPU and memory).",
    validations: [
      spec.store
        ? (name: string) => ({
            condition: `var.${name} <= 1`,
            message: `${name} must be 1 at most: one ${key} task at a time writes its store on EFS (${spec.store?.holds ?? "its state"})`,
          })
        : wholeNumberBetween(1, 100),
      tested(
        (name) => ({ condition: `var.${name} >= var.${key}_min_capacity`, message: `${name} must be at least ${key}_min_capacity.` }),
        (name, values) => (values[name] as number) >= (values[`${key}_min_capacity`] as number),
      ),
    ],
  });
}

/**
 * The variables of one service, with the defaults of its table entry.
 * `earlier` are the keys before it in the table: each port is checked
 * against those (every pair is covered, and validations never reference
 * each other in a cycle, which Terraform refuses).
 */
export function serviceInputs(key: string, spec: ServiceSpec, earlier: readonly string[]): ServiceInputTable {
  const d = spec.defaults;
  return {
    serviceName: serviceNameInput(key, spec, earlier),
    cpu: input.number({
      default: d.cpu,
      description: `Fargate CPU units of one ${key} task (1024 = 1 vCPU).`,
      cost: "Fargate bills each running task per vCPU-hour.",
      validations: [
        tested(
          (name) => ({
            condition: `contains([${FARGATE_CPUS.join(", ")}], var.${name})`,
            message: `${name} must be one of ${FARGATE_CPUS.join(", ")} (Fargate CPU units).`,
          }),
          (name, values) => FARGATE_CPUS.includes(values[name] as number),
        ),
      ],
    }),
    memoryMiB: input.number({
      default: d.memoryMiB,
      description: `Fargate memory of one ${key} task, in MiB.`,
      cost: "Fargate bills each running task per GB-hour.",
      validations: [fargateMemory(key)],
    }),
    port: portInput(key, spec, earlier),
    healthCheckPath: input.string({
      default: d.healthCheckPath,
      description: `HTTP path the ALB and the container health check probe on the ${key} service.`,
      validations: [matches("^/[^ ]*$", 'a path starting with "/" and without spaces')],
    }),
    desiredCount: desiredCountInput(key, spec),
    minCapacity: input.number({
      default: d.minCapacity,
      description: `Fewest ${key} tasks autoscaling keeps.`,
      validations: [wholeNumberBetween(0, 100)],
    }),
    ...(spec.optionalPublic
      ? {
          public: input.bool({
            default: true,
            description: `Serve ${key} on the public ALB (its own listener port). false keeps it inside the VPC (no listener or target group; reach it through Service Connect, a VPN or SSM port forwarding): ${key} has no login of its own.`,
          }),
        }
      : {}),
    maxCapacity: maxCapacityInput(key, spec),
    ...(spec.fargateSpot
      ? {
          spotPercent: input.number({
            default: 0,
            description:
              `Share of ${key} tasks, in percent, run on Fargate Spot (0: all on regular Fargate, as today). Spot tasks can be stopped ` +
              "with two minutes' notice and are replaced. Moving a service between 0 and more than 0 replaces the ECS service (its tasks restart).",
            cost: "Fargate Spot costs about 70 % less per vCPU-hour and GB-hour than regular Fargate.",
            validations: [wholeNumberBetween(0, 100)],
          }),
        }
      : {}),
  };
}
