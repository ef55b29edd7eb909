import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { Construct } from "constructs";
import { address } from "./terraform/addresses";
import { assumeRolePolicy, policyDocument, type PolicyStatement } from "./terraform/iam";

export interface ServiceRoleProps {
  readonly roleName: string;
  /** The AWS service principal that assumes the role, e.g. `ecs-tasks.amazonaws.com`. */
  readonly assumedBy: string;
  readonly description?: string;
  /** Name of the inline policy. @default - `<roleName>Policy` */
  readonly policyName?: string;
  /** The inline policy's statements. None: the role has no inline policy (a task that calls no AWS API). */
  readonly statements: readonly PolicyStatement[];
  /** AWS managed policies to attach, by ARN. @default - none */
  readonly managedPolicyArns?: readonly string[];
  /** Tags of the role. @default - none beyond the provider's default tags */
  readonly tags?: Readonly<Record<string, string>>;
}

/** Refuses a statement that allows a wildcard action on every resource. */
function checkStatements(roleName: string, statements: readonly PolicyStatement[]): void {
  for (const s of statements) {
    const actions = typeof s.Action === "string" ? [s.Action] : s.Action;
    const resources = s.Resource === undefined ? [] : typeof s.Resource === "string" ? [s.Resource] : s.Resource;
    if (s.Effect === "Allow" && actions.some((a) => a === "*" || a.endsWith(":*")) && resources.includes("*")) {
      throw new Error(
        `ServiceRole ${roleName}: statement ${s.Sid ?? actions.join(",")} allows a wildcard action on "*"; name the actions and resources`,
      );
    }
  }
}

/**
 * An IAM role assumed by one AWS service, with its permissions in one
 * inline `aws_iam_role_policy` (a separate resource, so that checkers and
 * reviewers see it, and a change to it never touches the role), and any
 * AWS managed policies attached.
 */
export class ServiceRole extends Construct {
  public readonly role: IamRole;
  /** The inline policy, when the role has statements. */
  public readonly policy?: IamRolePolicy;

  constructor(scope: Construct, id: string, props: ServiceRoleProps) {
    super(scope, id);
    checkStatements(props.roleName, props.statements);
    this.role = address(
      new IamRole(this, "role", {
        name: props.roleName,
        description: props.description,
        assumeRolePolicy: assumeRolePolicy(props.assumedBy),
        tags: props.tags ? { ...props.tags } : undefined,
      }),
    );
    if (props.statements.length > 0) {
      this.policy = address(
        new IamRolePolicy(this, "policy", {
          name: props.policyName ?? `${props.roleName}Policy`,
          role: this.role.id,
          policy: policyDocument(props.statements),
        }),
      );
    }
    for (const arn of props.managedPolicyArns ?? []) {
      address(new IamRolePolicyAttachment(this, `attach-${arn.split("/").pop()}`, { role: this.role.name, policyArn: arn }));
    }
  }
}
