import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import { EcsClusterCapacityProviders } from "@cdktf/provider-aws/lib/ecs-cluster-capacity-providers";
import { ServiceDiscoveryPrivateDnsNamespace } from "@cdktf/provider-aws/lib/service-discovery-private-dns-namespace";
import { Fn, Token } from "cdktf";
import type { Construct } from "constructs";
import { address, instanceRef } from "../../constructs/terraform/addresses";
import { PLATFORM } from "../../platform/config";
import type { NetworkUnit } from "../network-unit";
import type { PlatformInputs, PlatformNames } from "../platform-stack";

/** The cluster the services run in, and what comes with it. */
export interface PlatformCluster {
  readonly cluster: EcsCluster;
  /** The Service Connect namespace (`<project>.local`). */
  readonly namespace: ServiceDiscoveryPrivateDnsNamespace;
  /** FARGATE and FARGATE_SPOT on the cluster: the services wait for them. */
  readonly capacityProviders: EcsClusterCapacityProviders;
  /** `aws_cloudwatch_log_group.<exec logs>[0].arn`: ECS Exec sessions, while ecs_exec_enabled is on. */
  readonly execLogGroupArn: string;
}

/**
 * The ECS cluster (Container Insights, Service Connect defaults, ECS Exec session logging), its Service
 * Connect namespace, the exec log group and the capacity providers, in `scope` (construct ids `namespace`,
 * `exec-logs`, `cluster`, `capacity-providers`).
 */
export function platformCluster(scope: Construct, inputs: PlatformInputs, names: PlatformNames, network: NetworkUnit): PlatformCluster {
  const project = inputs.project_name;
  const namespace = address(
    new ServiceDiscoveryPrivateDnsNamespace(scope, "namespace", {
      name: `${names.scoped(project)}.local`,
      vpc: network.network.vpc.id,
      tags: { Name: `${project}-sc-namespace` },
    }),
  );
  // ECS Exec sessions are logged here while ecs_exec_enabled is on.
  const execLogs = address(
    new CloudwatchLogGroup(scope, "exec-logs", {
      count: Token.asNumber(Fn.conditional(inputs.ecs_exec_enabled, 1, 0)),
      name: names.scoped(`/ecs/${project}-exec`),
      retentionInDays: PLATFORM.logRetentionDays,
      tags: { Name: `${project}-exec-logs` },
    }),
  );
  const execLogGroupName = instanceRef(execLogs, 0, "name");
  const cluster = address(
    new EcsCluster(scope, "cluster", {
      name: names.scoped(inputs.cluster_name),
      setting: [{ name: "containerInsights", value: "enabled" }],
      serviceConnectDefaults: { namespace: namespace.arn },
      tags: { Name: `${project}-cluster` },
    }),
  );
  // Exec session logging, written out in both states: the provider cannot remove the block once set, so
  // "off" is logging DEFAULT rather than no block (else turning exec off after on would never settle).
  cluster.addOverride("configuration", {
    execute_command_configuration: {
      logging: Fn.conditional(inputs.ecs_exec_enabled, "OVERRIDE", "DEFAULT"),
      dynamic: {
        log_configuration: {
          for_each: Fn.conditional(inputs.ecs_exec_enabled, [execLogGroupName], []),
          content: { cloud_watch_log_group_name: "${log_configuration.value}" },
        },
      },
    },
  });
  // Fargate and Fargate Spot, for services given a Spot share (<service>_spot_percent); no default strategy.
  const capacityProviders = address(
    new EcsClusterCapacityProviders(scope, "capacity-providers", {
      clusterName: cluster.name,
      capacityProviders: ["FARGATE", "FARGATE_SPOT"],
    }),
  );
  return { cluster, namespace, capacityProviders, execLogGroupArn: instanceRef(execLogs, 0, "arn") };
}
