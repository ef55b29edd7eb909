import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { DbSubnetGroup } from "@cdktf/provider-aws/lib/db-subnet-group";
import type { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { Fn, Token, type IResolvable } from "cdktf";
import { Construct } from "constructs";
import { address, instanceRef } from "./terraform/addresses";
import { policyDocument } from "./terraform/iam";
import { holdsData } from "./terraform/protect";

export interface MlflowDatabaseProps {
  /** Create the database (a bool token gives `count = x ? 1 : 0`). */
  readonly enabled: boolean | IResolvable;
  /** Prefix of the names: `<prefix>-mlflow` (instance, subnet group), `<prefix>-mlflow-db` / `-db-clients` (security groups). */
  readonly namePrefix: string;
  readonly vpcId: string;
  /** Private subnets, in at least two zones (RDS requires two for a subnet group). */
  readonly subnetIds: string[];
  /** RDS instance class (a token is fine). @default "db.t4g.micro" */
  readonly instanceClass?: string;
  /** Days of automated backups, 1-35 (a token is fine). @default 7 */
  readonly backupRetentionDays?: number;
  /** Storage the instance starts with, GiB (gp3). @default 20 */
  readonly allocatedStorageGb?: number;
  /** Storage autoscaling's ceiling, GiB. @default 100 */
  readonly maxAllocatedStorageGb?: number;
  /** PostgreSQL major version (AWS applies minor versions itself). @default "16" */
  readonly engineVersion?: string;
  /** The database's name, its master user (whose password RDS keeps in its secret) and port. */
  readonly database: { readonly name: string; readonly username: string; readonly port: number };
  /** Tags of every resource (the `Name` tag is set per resource). @default - none */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * MLflow's tracking store in PostgreSQL (RDS): one small instance, encrypted,
 * in the private subnets, reachable on 5432 only from the clients' security
 * group (which MLflow's tasks join), automated backups on, deletion
 * protection and `prevent_destroy`. The master password is generated and
 * rotated by RDS into a Secrets Manager secret (`manage_master_user_password`):
 * it is never in the configuration or the state.
 */
export class MlflowDatabase extends Construct {
  public readonly instance: DbInstance;
  /** The security group the database's clients join (`…[0].id`). */
  public readonly clientSecurityGroupId: string;
  /** The instance's host name (`…[0].address`). */
  public readonly host: string;
  /** `host:port` (`…[0].endpoint`). */
  public readonly endpoint: string;
  /** The secret holding `{"username", "password"}`, managed by RDS (`…[0].master_user_secret[0].secret_arn`). */
  public readonly secretArn: string;
  private readonly count: number;

  constructor(scope: Construct, id: string, props: MlflowDatabaseProps) {
    super(scope, id);
    if (!Token.isUnresolved(props.subnetIds) && props.subnetIds.length < 2)
      throw new Error("MlflowDatabase: subnetIds names one subnet; an RDS subnet group needs subnets in two zones at least");
    this.count = Token.asNumber(Fn.conditional(props.enabled, 1, 0));
    const name = `${props.namePrefix}-mlflow`;
    const groups = this.securityGroups(props, name);
    this.clientSecurityGroupId = groups.clients;
    this.instance = this.databaseInstance(props, name, groups.server);
    holdsData(this.instance, "MLflow's tracking history: experiments, runs, parameters, metrics and tags");
    this.host = instanceRef(this.instance, 0, "address");
    this.endpoint = instanceRef(this.instance, 0, "endpoint");
    this.secretArn = instanceRef(this.instance, 0, "master_user_secret[0].secret_arn");
  }

  /** The clients' group and the database's own group, which admits only the clients on the database port; their ids. */
  private securityGroups(props: MlflowDatabaseProps, name: string): { clients: string; server: string } {
    const count = this.count;
    const tags = (n: string) => ({ ...props.tags, Name: n });
    const clients = address(
      new SecurityGroup(this, "clients", {
        count,
        name: `${name}-db-clients`,
        description: "Tasks allowed to reach the MLflow PostgreSQL database (MLflow and its migration task)",
        vpcId: props.vpcId,
        tags: tags(`${name}-db-clients-sg`),
      }),
    );
    const clientsId = instanceRef(clients, 0, "id");
    const server = address(
      new SecurityGroup(this, "security-group", {
        count,
        name: `${name}-db`,
        description: "MLflow PostgreSQL database: 5432 from its clients only",
        vpcId: props.vpcId,
        ingress: [
          {
            description: "PostgreSQL from MLflow tasks",
            protocol: "tcp",
            fromPort: props.database.port,
            toPort: props.database.port,
            securityGroups: [clientsId],
            cidrBlocks: [],
            ipv6CidrBlocks: [],
            prefixListIds: [],
            selfAttribute: false,
          },
        ],
        tags: tags(`${name}-db-sg`),
      }),
    );
    return { clients: clientsId, server: instanceRef(server, 0, "id") };
  }

  /** The subnet group and the PostgreSQL instance in it. */
  private databaseInstance(props: MlflowDatabaseProps, name: string, securityGroupId: string): DbInstance {
    const count = this.count;
    const tags = (n: string) => ({ ...props.tags, Name: n });
    const subnets = address(
      new DbSubnetGroup(this, "subnet-group", {
        count,
        name,
        description: "Private subnets of the MLflow PostgreSQL database",
        subnetIds: props.subnetIds,
        tags: tags(`${name}-db-subnets`),
      }),
    );
    return address(
      new DbInstance(this, "instance", {
        count,
        identifier: name,
        engine: "postgres",
        engineVersion: props.engineVersion ?? "16",
        autoMinorVersionUpgrade: true,
        instanceClass: props.instanceClass ?? "db.t4g.micro",
        allocatedStorage: props.allocatedStorageGb ?? 20,
        maxAllocatedStorage: props.maxAllocatedStorageGb ?? 100,
        storageType: "gp3",
        storageEncrypted: true,
        dbName: props.database.name,
        username: props.database.username,
        manageMasterUserPassword: true,
        port: props.database.port,
        dbSubnetGroupName: instanceRef(subnets, 0, "name"),
        vpcSecurityGroupIds: [securityGroupId],
        publiclyAccessible: false,
        multiAz: false,
        backupRetentionPeriod: props.backupRetentionDays ?? 7,
        backupWindow: "07:00-08:00",
        maintenanceWindow: "sun:08:30-sun:09:30",
        copyTagsToSnapshot: true,
        deletionProtection: true,
        skipFinalSnapshot: false,
        finalSnapshotIdentifier: `${name}-final`,
        tags: tags(`${name}-db`),
      }),
    );
  }

  /** Lets `role` (the tasks' execution role) read the password secret, while the database exists. */
  public grantSecretRead(role: IamRole): void {
    address(
      new IamRolePolicy(this, "secret-read", {
        count: this.count,
        name: "mlflowDatabaseSecretRead",
        role: role.id,
        policy: policyDocument([
          { Sid: "MlflowDatabaseSecret", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: this.secretArn },
        ]),
      }),
    );
  }
}
