/**
 * The platform's monthly cost, line by line, from the root variables'
 * values (defaults plus terraform.tfvars) and a few usage assumptions that
 * no variable holds (data stored, log volume, traffic). Pure: the figures
 * are checked against sums worked out by hand in __tests__/ops-cost.test.ts.
 */
import { WEB_ACL_RULE_COUNT } from "../platform/web-firewall-rules";
import { PLATFORM } from "../platform/config";
import { DEFAULT_USAGE, type Usage } from "./cost-usage";
import { PRICES, type Prices } from "./prices";

/** Variable values by name, as Terraform sees them. */
export type Values = Readonly<Record<string, unknown>>;

export interface CostLine {
  readonly group: string;
  readonly item: string;
  /** How the figure is made, with the numbers. */
  readonly basis: string;
  readonly monthly: number;
}

const num = (v: Values, name: string): number => {
  const x = v[name];
  if (typeof x !== "number" || !Number.isFinite(x)) throw new Error(`cost: variable ${name} is ${JSON.stringify(x)}, expected a number`);
  return x;
};
const bool = (v: Values, name: string): boolean => {
  const x = v[name];
  if (typeof x !== "boolean") throw new Error(`cost: variable ${name} is ${JSON.stringify(x)}, expected true or false`);
  return x;
};
const money = (n: number) => `$${n < 1 ? String(Number(n.toFixed(5))) : n.toFixed(2)}`;

/** The service keys: every variable `<key>_desired_count`. */
export function serviceKeys(values: Values): string[] {
  return Object.keys(values)
    .filter((k) => k.endsWith("_desired_count"))
    .map((k) => k.slice(0, -"_desired_count".length));
}

/** A list of cost lines and the function that adds one. */
function collector() {
  const lines: CostLine[] = [];
  const add = (group: string, item: string, basis: string, monthly: number) => lines.push({ group, item, basis, monthly });
  return { lines, add };
}

/** What the cost lines are computed from. */
interface CostInputs {
  readonly values: Values;
  readonly usage: Usage;
  readonly prices: Prices;
}

/** EFS: throughput by mode, storage by class. */
function efsLines({ values, usage, prices }: CostInputs): CostLine[] {
  const { lines, add } = collector();
  const mode = String(values.efs_throughput_mode ?? "provisioned");
  if (mode === "provisioned") {
    const mibps = num(values, "efs_provisioned_throughput_mibps");
    add(
      "EFS",
      "provisioned throughput",
      `${mibps} MiB/s x ${money(prices.efs.provisionedMibpsMonth)} per MiB/s-month, used or not`,
      mibps * prices.efs.provisionedMibpsMonth,
    );
  } else if (mode === "elastic") {
    add(
      "EFS",
      "elastic throughput",
      `${usage.efsReadGb} GB read x ${money(prices.efs.elasticReadGb)} + ${usage.efsWriteGb} GB written x ${money(prices.efs.elasticWriteGb)}`,
      usage.efsReadGb * prices.efs.elasticReadGb + usage.efsWriteGb * prices.efs.elasticWriteGb,
    );
  } else {
    add("EFS", "bursting throughput", "no throughput charge (baseline grows with the data stored)", 0);
  }
  const ia = usage.efsGb * usage.efsIaShare;
  const standard = usage.efsGb - ia;
  add(
    "EFS",
    "storage, Standard",
    `${standard} GB x ${money(prices.efs.standardGbMonth)} per GB-month`,
    standard * prices.efs.standardGbMonth,
  );
  if (ia > 0) add("EFS", "storage, Infrequent Access", `${ia} GB x ${money(prices.efs.iaGbMonth)} per GB-month`, ia * prices.efs.iaGbMonth);
  return lines;
}

/** Fargate, per service: its desired count runs all month. */
function fargateLines({ values, prices }: CostInputs): CostLine[] {
  const { lines, add } = collector();
  const h = prices.hoursPerMonth;
  if (values.create_ecs_services !== false) {
    for (const key of serviceKeys(values)) {
      const count = num(values, `${key}_desired_count`);
      const vcpu = num(values, `${key}_cpu`) / 1024;
      const gb = num(values, `${key}_memory`) / 1024;
      const perTask = (vcpu * prices.fargate.vcpuHour + gb * prices.fargate.gbHour) * h;
      // <key>_spot_percent: that share of the tasks on Fargate Spot (services without the variable run on Fargate only).
      const spot = typeof values[`${key}_spot_percent`] === "number" ? num(values, `${key}_spot_percent`) / 100 : 0;
      add(
        "Fargate",
        key,
        `${count} task(s) x (${vcpu} vCPU x ${money(prices.fargate.vcpuHour)} + ${gb} GB x ${money(prices.fargate.gbHour)}) per hour x ${h} h` +
          (spot > 0 ? `, ${spot * 100} % of it on Spot at ${prices.fargateSpotShare * 100} % of that price (the least Spot costs)` : ""),
        count * perTask * (1 - spot + spot * prices.fargateSpotShare),
      );
    }
  }
  return lines;
}

/** Network: one NAT gateway (with its public IPv4), one ALB (one public IPv4 per zone). */
function networkLines({ values, usage, prices }: CostInputs): CostLine[] {
  const { lines, add } = collector();
  const h = prices.hoursPerMonth;
  add(
    "Network",
    "NAT gateway",
    `${h} h x ${money(prices.natGateway.hour)} + ${usage.natGb} GB x ${money(prices.natGateway.gbProcessed)}`,
    h * prices.natGateway.hour + usage.natGb * prices.natGateway.gbProcessed,
  );
  const zones = num(values, "az_count");
  add(
    "Network",
    "public IPv4 addresses",
    `${1 + zones} (NAT + ALB in ${zones} zones) x ${h} h x ${money(prices.publicIpv4Hour)}`,
    (1 + zones) * h * prices.publicIpv4Hour,
  );
  add(
    "Network",
    "ALB",
    `${h} h x ${money(prices.alb.hour)} + ${usage.albLcu} LCU x ${h} h x ${money(prices.alb.lcuHour)}`,
    h * prices.alb.hour + usage.albLcu * h * prices.alb.lcuHour,
  );
  return lines;
}

/** Sign-in and the web firewall in front of the ALB. */
function entryLines({ values, usage, prices }: CostInputs): CostLine[] {
  const { lines, add } = collector();
  if (values.waf_enabled === true) {
    const w = prices.waf;
    add(
      "Network",
      "web firewall (AWS WAF)",
      `1 web ACL x ${money(w.webAclMonth)} + ${WEB_ACL_RULE_COUNT} rules x ${money(w.ruleMonth)} + ${usage.albRequestsMillions} million requests x ${money(w.millionRequests)}`,
      w.webAclMonth + WEB_ACL_RULE_COUNT * w.ruleMonth + usage.albRequestsMillions * w.millionRequests,
    );
  }
  if (values.sign_in === "cognito") {
    const c = prices.cognito;
    const billed = Math.max(0, usage.signInUsers - c.freeMonthlyActiveUsers);
    add(
      "Network",
      "sign-in (Cognito)",
      `${usage.signInUsers} monthly active users, the first ${c.freeMonthlyActiveUsers} free` +
        (billed > 0 ? `, ${billed} x ${money(c.monthlyActiveUser)}` : ""),
      billed * c.monthlyActiveUser,
    );
  }
  return lines;
}

/** Backups: daily backups are incremental; warm storage holds about the data once, plus changes. */
function backupLines({ values, usage, prices }: CostInputs): CostLine[] {
  const { lines, add } = collector();
  if (bool(values, "efs_backup_enabled")) {
    add(
      "Backups",
      "EFS daily backups (warm)",
      `about ${usage.efsGb} GB x ${money(prices.backup.efsWarmGbMonth)} per GB-month`,
      usage.efsGb * prices.backup.efsWarmGbMonth,
    );
  } else {
    add("Backups", "EFS daily backups", "off (efs_backup_enabled = false)", 0);
  }
  return lines;
}

/** Logs: the services' and, when on, the VPC flow logs. */
function logLines({ values, usage, prices }: CostInputs): CostLine[] {
  const { lines, add } = collector();
  add(
    "Logs",
    "service logs",
    `${usage.logsGb} GB x ${money(prices.logs.ingestGb)} ingested + ${usage.logsGb} GB kept x ${money(prices.logs.storedGbMonth)}`,
    usage.logsGb * (prices.logs.ingestGb + prices.logs.storedGbMonth),
  );
  if (values.vpc_flow_logs_enabled === true) {
    add(
      "Logs",
      "VPC flow logs",
      `${usage.flowLogsGb} GB x ${money(prices.logs.ingestGb)} ingested + kept x ${money(prices.logs.storedGbMonth)}`,
      usage.flowLogsGb * (prices.logs.ingestGb + prices.logs.storedGbMonth),
    );
  }
  return lines;
}

/** MLflow's PostgreSQL database (mlflow_backend = postgres, or kept with mlflow_database_retained). */
function databaseLines({ values, prices }: CostInputs): CostLine[] {
  const { lines, add } = collector();
  const h = prices.hoursPerMonth;
  if (values.mlflow_backend === "postgres" || values.mlflow_database_retained === true) {
    const instanceClass = String(values.mlflow_db_instance_class ?? "db.t4g.micro");
    const hourly = prices.rds.instanceHour[instanceClass];
    if (hourly === undefined) {
      add(
        "MLflow database",
        `RDS ${instanceClass}`,
        `no price in ops/prices.ts for ${instanceClass}: add it (known: ${Object.keys(prices.rds.instanceHour).join(", ")})`,
        0,
      );
    } else {
      add(
        "MLflow database",
        `RDS PostgreSQL ${instanceClass}`,
        `${h} h x ${money(hourly)} (Single-AZ; us-east-1 list price, see ops/prices.ts)`,
        h * hourly,
      );
    }
    add(
      "MLflow database",
      "storage (gp3)",
      `${PLATFORM.mlflowDatabase.allocatedStorageGb} GB x ${money(prices.rds.gp3GbMonth)} per GB-month; backups up to that size free`,
      PLATFORM.mlflowDatabase.allocatedStorageGb * prices.rds.gp3GbMonth,
    );
    add("MLflow database", "password secret (managed by RDS)", `1 secret x ${money(prices.secretMonth)}`, prices.secretMonth);
  }
  return lines;
}

/** The rest: the WANDB secret, alarms, the artifacts bucket. */
function otherLines({ usage, prices }: CostInputs): CostLine[] {
  const { lines, add } = collector();
  add("Other", "WANDB secret", `1 secret x ${money(prices.secretMonth)}`, prices.secretMonth);
  add("Other", "CloudWatch alarms", `${usage.alarms} alarm(s) x ${money(prices.alarmMonth)}`, usage.alarms * prices.alarmMonth);
  add(
    "Other",
    "MLflow artifacts (S3)",
    `${usage.artifactsGb} GB x ${money(prices.s3.standardGbMonth)} per GB-month`,
    usage.artifactsGb * prices.s3.standardGbMonth,
  );
  return lines;
}

/** The platform's monthly cost, line by line, for the variables' values and an assumed usage. */
export function costLines(values: Values, usage: Usage = DEFAULT_USAGE, prices: Prices = PRICES): CostLine[] {
  const inputs = { values, usage, prices };
  return [efsLines, fargateLines, networkLines, entryLines, backupLines, logLines, databaseLines, otherLines].flatMap((lines) =>
    lines(inputs),
  );
}

export function total(lines: readonly CostLine[]): number {
  return lines.reduce((n, l) => n + l.monthly, 0);
}

/** Parses `name=value` as Terraform would read it from tfvars: a number, true/false, a JSON list, or a string. */
export function parseAssignment(text: string, known: Values): [string, unknown] {
  const eq = text.indexOf("=");
  if (eq < 1) throw new Error(`--compare "${text}": write name=value, e.g. efs_provisioned_throughput_mibps=20`);
  const name = text.slice(0, eq).trim();
  const raw = text.slice(eq + 1).trim();
  if (!(name in known)) throw new Error(`--compare ${name}: no such variable (see the inputs table in README.md)`);
  const current = known[name];
  let value: unknown = raw.replace(/^"(.*)"$/, "$1");
  if (typeof current === "number") {
    value = Number(raw);
    if (!Number.isFinite(value as number)) throw new Error(`--compare ${name}=${raw}: ${name} is a number`);
  } else if (typeof current === "boolean") {
    if (raw !== "true" && raw !== "false") throw new Error(`--compare ${name}=${raw}: ${name} is true or false`);
    value = raw === "true";
  } else if (Array.isArray(current)) {
    value = JSON.parse(raw);
  }
  return [name, value];
}
