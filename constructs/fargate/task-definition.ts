/**
 * The task definition piece of `FargateWebService` (as aws-ecs-patterns'
 * `FargateTaskDefinition`): one container with its port, environment,
 * secrets, EFS mounts, logs and health check.
 */
import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { Fn, Token } from "cdktf";
import type { Construct } from "constructs";
import { address } from "../terraform/addresses";
import type { FargateWebServiceProps } from "./props";

/** `{ [key]: items }` when there are items, else nothing. */
function nonEmpty<K extends string, T>(key: K, items: readonly T[]): Partial<Record<K, readonly T[]>> {
  return items.length > 0 ? ({ [key]: items } as Record<K, readonly T[]>) : {};
}

/** `{ name, value }` pairs sorted by name, as ECS writes them. */
const sortedPairs = <V extends string>(record: Readonly<Record<string, string>>, valueKey: V) =>
  Object.keys(record)
    .sort()
    .map((key) => ({ name: key, [valueKey]: record[key] }) as { name: string } & Record<V, string>);

/** The container's `environment`: the plain variables, then those set only while a condition holds. */
function environmentOf(environment: Readonly<Record<string, string>>, conditional: FargateWebServiceProps["conditionalEnvironment"]) {
  if (!conditional || Object.keys(conditional.values).length === 0) return nonEmpty("environment", sortedPairs(environment, "value"));
  return {
    environment: Fn.concat([
      sortedPairs(environment, "value"),
      Fn.conditional(conditional.when, sortedPairs(conditional.values, "value"), []),
    ]),
  };
}

/** What differs between the container's setups: the service's own, or its variant's. */
interface ContainerSetup {
  readonly command: readonly string[];
  readonly environment: Readonly<Record<string, string>>;
  readonly secrets: Readonly<Record<string, string>>;
}

/** The service's one container definition, in one of its setups. */
function containerDefinition(props: FargateWebServiceProps, setup: ContainerSetup) {
  const name = props.containerName;
  const hc = props.healthCheck;
  const mounts = props.efsMounts ?? [];
  return {
    name,
    image: props.image,
    essential: true,
    command: setup.command,
    // Under awsvpc ECS sets hostPort = containerPort and protocol tcp; the name is Service Connect's port name.
    portMappings: [{ name, containerPort: props.port }],
    // Empty lists are left out, as ECS itself writes them (and the live platform's definitions do).
    ...environmentOf(setup.environment, props.conditionalEnvironment),
    ...nonEmpty("secrets", sortedPairs(setup.secrets, "valueFrom")),
    ...nonEmpty(
      "mountPoints",
      mounts.map((m) => ({ sourceVolume: m.volumeName, containerPath: m.containerPath, readOnly: m.readOnly })),
    ),
    logConfiguration: {
      logDriver: "awslogs",
      options: {
        "awslogs-group": props.logGroupName ?? props.logGroup.name,
        "awslogs-region": props.region,
        "awslogs-stream-prefix": "ecs",
      },
    },
    healthCheck: {
      command: ["CMD-SHELL", `curl -f http://localhost:${Token.asString(props.port)}${hc.containerPath ?? hc.path} || exit 1`],
      interval: 30,
      timeout: 10,
      retries: 3,
      startPeriod: hc.containerStartPeriodSeconds,
    },
  };
}

/** The container definitions: the service's own setup, or, while its variant's condition holds, the variant's. */
function containerDefinitions(props: FargateWebServiceProps): string {
  const own = Fn.jsonencode([containerDefinition(props, props)]);
  const v = props.variant;
  if (!v) return own;
  const variant = containerDefinition(props, {
    command: v.command,
    environment: { ...props.environment, ...v.environment },
    secrets: { ...props.secrets, ...v.secrets },
  });
  return Token.asString(Fn.conditional(v.when, Fn.jsonencode([variant]), own));
}

/** The task definition (`count` instances: 0 or 1), construct id `task-definition` in `scope`. */
export function fargateTaskDefinition(scope: Construct, props: FargateWebServiceProps, count: number): EcsTaskDefinition {
  const mounts = props.efsMounts ?? [];
  return address(
    new EcsTaskDefinition(scope, "task-definition", {
      count,
      family: props.family ?? props.serviceName,
      networkMode: "awsvpc",
      requiresCompatibilities: ["FARGATE"],
      cpu: Token.asString(props.cpu),
      memory: Token.asString(props.memoryMiB),
      executionRoleArn: props.executionRole.arn,
      taskRoleArn: props.taskRole.arn,
      containerDefinitions: containerDefinitions(props),
      volume:
        mounts.length === 0
          ? undefined
          : mounts.map((m) => ({
              name: m.volumeName,
              efsVolumeConfiguration: {
                fileSystemId: m.fileSystemId,
                rootDirectory: "/",
                transitEncryption: "ENABLED",
                transitEncryptionPort: 2049,
                authorizationConfig: { accessPointId: m.accessPointId, iam: "ENABLED" },
              },
            })),
      tags: { Name: `${props.namePrefix}-${props.containerName}-task` },
      dependsOn: [props.logGroup],
    }),
  );
}
