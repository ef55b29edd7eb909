import { BackupVault } from "@cdktf/provider-aws/lib/backup-vault";
import type { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { Construct } from "constructs";
import { ServiceRole } from "./service-role";
import { address } from "./terraform/addresses";

/** The AWS managed policies of AWS Backup's default service role: back up, and restore, the supported resources (EFS among them). */
export const BACKUP_MANAGED_POLICY_ARNS = [
  "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
  "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
] as const;

export interface OnDemandBackupsProps {
  /** Name of the backup vault (2-50 letters, digits, hyphens, underscores). */
  readonly vaultName: string;
  /** Name of the IAM role AWS Backup assumes to back up and restore. */
  readonly roleName: string;
  /** Tags of the vault and the role. @default - none beyond the provider's default tags */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * Where on-demand backups go (`npm run ops -- backup`): an AWS Backup vault,
 * encrypted with AWS Backup's default key, and the IAM role AWS Backup
 * assumes to start backup and restore jobs (AWS's managed policies for its
 * service role). The daily automatic EFS backups go to AWS's own
 * `aws/efs/automatic-backup-vault`; this vault holds only what the team
 * starts by hand. AWS refuses to delete a vault that still holds recovery
 * points, so `terraform destroy` stops there until they are deleted.
 */
export class OnDemandBackups extends Construct {
  public readonly vault: BackupVault;
  public readonly role: IamRole;

  constructor(scope: Construct, id: string, props: OnDemandBackupsProps) {
    super(scope, id);
    if (!/^[a-zA-Z0-9\-_]{2,50}$/.test(props.vaultName) && !props.vaultName.includes("${")) {
      throw new Error(
        `OnDemandBackups: vaultName "${props.vaultName}" must be 2-50 letters, digits, hyphens or underscores (AWS Backup vault names)`,
      );
    }
    this.vault = address(new BackupVault(this, "vault", { name: props.vaultName, tags: props.tags ? { ...props.tags } : undefined }));
    this.role = new ServiceRole(this, "role", {
      roleName: props.roleName,
      assumedBy: "backup.amazonaws.com",
      description: "AWS Backup: on-demand backups and restores of the experiments file system",
      statements: [],
      managedPolicyArns: BACKUP_MANAGED_POLICY_ARNS,
      tags: props.tags,
    }).role;
  }
}
