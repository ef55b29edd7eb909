import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { S3Backend, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import { useAddressTable } from "../constructs/core/addresses";
import { ADDRESS_TABLE } from "./addresses";
import type { PlatformConfig } from "./config";
import { checkServiceTable } from "./services-table";
import { declarePlatformVariables, type PlatformInputs } from "./variables";

/**
 * The one Terraform root (one state) that the network, storage and services
 * units live in: the S3 backend, the AWS provider with the platform's
 * default tags, and the root variables. Units reference each other with
 * plain Terraform references because they share this root.
 */
export class PlatformRoot extends TerraformStack {
  public readonly config: PlatformConfig;
  public readonly inputs: PlatformInputs;

  constructor(scope: Construct, config: PlatformConfig) {
    super(scope, config.stackName);
    checkServiceTable(config.services);
    this.config = config;
    useAddressTable(this, ADDRESS_TABLE);

    new S3Backend(this, {
      bucket: config.backend.bucket,
      key: config.backend.key,
      region: config.backend.region,
      encrypt: true,
    });
    // cdktf 0.21's S3Backend predates S3-native locking.
    this.addOverride("terraform.backend.s3.use_lockfile", true);
    this.addOverride("terraform.required_version", config.requiredTerraformVersion);
    this.addOverride("terraform.required_providers.aws", { source: "hashicorp/aws", version: config.awsProviderVersion });

    this.inputs = declarePlatformVariables(this, config);

    new AwsProvider(this, "aws", {
      region: this.inputs.awsRegion,
      defaultTags: [
        { tags: { Project: this.inputs.projectName, Environment: this.inputs.environment, ManagedBy: "terraform" } },
      ],
    });
  }
}
