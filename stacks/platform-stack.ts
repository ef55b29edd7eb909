import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Fn, Op, S3Backend, TerraformLocal, TerraformStack, type IResolvable } from "cdktf";
import type { Construct } from "constructs";
import { FrozenInputs } from "../constructs/frozen-inputs";
import { useAddressTable } from "../constructs/terraform/addresses";
import { declareVariables, type Inputs } from "../constructs/terraform/variables";
import { addressTable, optionalAddresses } from "../platform/addresses";
import { PLATFORM } from "../platform/config";
import { HELD_INPUTS } from "../platform/environment";
import { inputGroups, inputTable, PLATFORM_INPUTS } from "../platform/inputs";
import { checkServiceTable, type ServiceSpec, type ServiceTable } from "../platform/services";

/** The platform's root variables, as typed Terraform references. */
export type PlatformInputs = Inputs<typeof PLATFORM_INPUTS>;

/** A service's own root variables (`<key>_…`), as typed Terraform references. */
export interface ServiceVars {
  readonly serviceName: string;
  readonly cpu: number;
  readonly memoryMiB: number;
  readonly port: number;
  readonly healthCheckPath: string;
  readonly desiredCount: number;
  readonly minCapacity: number;
  readonly maxCapacity: number;
  /** `var.<key>_public` for services that may stay off the ALB; `true` for the others. */
  readonly public: true | IResolvable;
  /** `var.<key>_spot_percent` for services that may run on Fargate Spot; 0 for the others. */
  readonly spotPercent: number;
}

/** What the code building a service may know of its table entry: everything but the variables' defaults. */
export type ServiceDefinition = Omit<ServiceSpec, "defaults">;

/**
 * One service as the stacks see it: its table entry joined with its root
 * variables. The defaults of those variables are not here, so a value the
 * user may set in terraform.tfvars can only be read as the variable.
 */
export interface PlatformService {
  /** The table key: container name, Service Connect name, construct id, variable prefix. */
  readonly key: string;
  readonly spec: ServiceDefinition;
  readonly vars: ServiceVars;
}

/**
 * Names that must be unique in an AWS account or region (IAM roles, the bucket, the repository, the secret,
 * log groups, the cluster, the ALB, target groups, task families …) carry the environment outside prod, so
 * that staging and prod live side by side in one account. In prod they are the live platform's, unchanged.
 */
export interface PlatformNames {
  /** "" in prod, "-<environment>" elsewhere (a Terraform expression). */
  readonly suffix: string;
  /** `base` with the environment's suffix. */
  scoped(base: string): string;
}

export interface PlatformStackProps {
  /** The services to run. @default SERVICES (platform/services.ts) */
  readonly services: ServiceTable;
}

/**
 * The one Terraform root (one state) that the network, storage and services
 * units live in: the S3 backend, the AWS provider with the platform's
 * default tags, and the root variables. Units reference each other with
 * plain Terraform references because they share this root.
 */
export class PlatformStack extends TerraformStack {
  public readonly inputs: PlatformInputs;
  /** The services, in the table's order. */
  public readonly services: readonly PlatformService[];
  public readonly names: PlatformNames;

  constructor(scope: Construct, props: PlatformStackProps) {
    super(scope, PLATFORM.stackName);
    checkServiceTable(props.services);
    const keys = Object.keys(props.services);
    useAddressTable(this, addressTable(keys), optionalAddresses(keys));

    new S3Backend(this, { ...PLATFORM.backend, encrypt: true });
    // cdktf 0.21's S3Backend predates S3-native locking.
    this.addOverride("terraform.backend.s3.use_lockfile", true);
    this.addOverride("terraform.required_version", PLATFORM.requiredTerraformVersion);
    this.addOverride("terraform.required_providers.aws", { source: "hashicorp/aws", version: PLATFORM.awsProviderVersion });

    const vars = declareVariables(this, inputTable(props.services), inputGroups(props.services)) as Record<string, unknown>;
    this.inputs = Object.fromEntries(Object.keys(PLATFORM_INPUTS).map((name) => [name, vars[name]])) as PlatformInputs;
    this.services = Object.entries(props.services).map(([key, { defaults: _defaults, ...spec }]) => {
      const v = (suffix: string) => vars[`${key}_${suffix}`];
      return {
        key,
        spec,
        vars: {
          serviceName: v("service_name") as string,
          cpu: v("cpu") as number,
          memoryMiB: v("memory") as number,
          port: v("port") as number,
          healthCheckPath: v("health_check_path") as string,
          desiredCount: v("desired_count") as number,
          minCapacity: v("min_capacity") as number,
          maxCapacity: v("max_capacity") as number,
          public: spec.optionalPublic ? (v("public") as IResolvable) : true,
          spotPercent: spec.fargateSpot ? (v("spot_percent") as number) : 0,
        },
      };
    });

    // One local, read by every name that carries the environment (local.name_suffix in the root).
    const nameSuffix = new TerraformLocal(
      this,
      "name_suffix",
      Fn.conditional(Op.eq(this.inputs.environment, "prod"), "", Fn.format("-%s", [this.inputs.environment])),
    );
    nameSuffix.overrideLogicalId("name_suffix");
    const suffix = nameSuffix.asString;
    this.names = { suffix, scoped: (base) => `${base}${suffix}` };

    new AwsProvider(this, "aws", {
      region: this.inputs.aws_region,
      defaultTags: [{ tags: { Project: this.inputs.project_name, Environment: this.inputs.environment, ManagedBy: "terraform" } }],
    });

    // Inputs that rebuild (or abandon) the whole platform when changed under it are refused, with the reason.
    new FrozenInputs(this, "identity", {
      inputs: Object.fromEntries(
        (Object.keys(HELD_INPUTS) as (keyof typeof HELD_INPUTS)[]).map((name) => [
          name,
          { value: this.inputs[name], reason: HELD_INPUTS[name] },
        ]),
      ),
    });
  }
}
