import { EcrLifecyclePolicy } from "@cdktf/provider-aws/lib/ecr-lifecycle-policy";
import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { Fn } from "cdktf";
import { Construct } from "constructs";
import { address } from "./core/addresses";

export interface ContainerRegistryProps {
  readonly repositoryName: string;
  /** Release images (`v*` tags) to keep. @default 12 */
  readonly keepTaggedImages?: number;
  /** Days after which an untagged image is expired. @default 1 */
  readonly untaggedExpiryDays?: number;
}

/**
 * One private ECR repository with scan on push and a lifecycle policy.
 * Tags stay MUTABLE: the team pushes `app`, `mlflow` and `tensorboard`
 * over on each release.
 */
export class ContainerRegistry extends Construct {
  public readonly repository: EcrRepository;

  constructor(scope: Construct, id: string, props: ContainerRegistryProps) {
    super(scope, id);
    this.repository = address(
      new EcrRepository(this, "repository", {
        name: props.repositoryName,
        imageTagMutability: "MUTABLE",
        imageScanningConfiguration: { scanOnPush: true },
      }),
    );

    address(
      new EcrLifecyclePolicy(this, "lifecycle-policy", {
        repository: this.repository.name,
        policy: Fn.jsonencode({
          rules: [
            {
              rulePriority: 1,
              description: `Keep last ${props.keepTaggedImages ?? 12} release images`,
              selection: {
                tagStatus: "tagged",
                tagPrefixList: ["v"],
                countType: "imageCountMoreThan",
                countNumber: props.keepTaggedImages ?? 12,
              },
              action: { type: "expire" },
            },
            {
              rulePriority: 2,
              description: `Expire untagged images older than ${props.untaggedExpiryDays ?? 1} day(s)`,
              selection: {
                tagStatus: "untagged",
                countType: "sinceImagePushed",
                countUnit: "days",
                countNumber: props.untaggedExpiryDays ?? 1,
              },
              action: { type: "expire" },
            },
          ],
        }),
      }),
    );
  }
}
