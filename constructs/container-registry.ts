import { EcrLifecyclePolicy } from "@cdktf/provider-aws/lib/ecr-lifecycle-policy";
import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { Fn } from "cdktf";
import { Construct } from "constructs";
import { address } from "./terraform/addresses";
import { holdsData } from "./terraform/protect";

export interface ContainerRegistryProps {
  readonly repositoryName: string;
  /** Release images (`v*` tags) to keep. @default 12 */
  readonly keepTaggedImages?: number;
  /** Days after which an untagged image is expired. @default 1 */
  readonly untaggedExpiryDays?: number;
  /** Tags of the repository. @default - none beyond the provider's default tags */
  readonly tags?: Readonly<Record<string, string>>;
  /** Refuse any plan that would destroy or replace the repository (see `holdsData`). @default true */
  readonly protectData?: boolean;
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
        tags: props.tags ? { ...props.tags } : undefined,
      }),
    );

    if (props.protectData ?? true) holdsData(this.repository, "the images");
    const keep = props.keepTaggedImages ?? 12;
    const untaggedDays = props.untaggedExpiryDays ?? 1;
    // The rule descriptions are part of `policy`, which forces a new lifecycle policy when it changes:
    // the wording is the live platform's.
    address(
      new EcrLifecyclePolicy(this, "lifecycle-policy", {
        repository: this.repository.name,
        policy: Fn.jsonencode({
          rules: [
            {
              rulePriority: 1,
              description: `Keep last ${keep} images`,
              selection: {
                tagStatus: "tagged",
                tagPrefixList: ["v"],
                countType: "imageCountMoreThan",
                countNumber: keep,
              },
              action: { type: "expire" },
            },
            {
              rulePriority: 2,
              description: `Delete untagged images older than ${untaggedDays} day${untaggedDays === 1 ? "" : "s"}`,
              selection: {
                tagStatus: "untagged",
                countType: "sinceImagePushed",
                countUnit: "days",
                countNumber: untaggedDays,
              },
              action: { type: "expire" },
            },
          ],
        }),
      }),
    );
  }
}
