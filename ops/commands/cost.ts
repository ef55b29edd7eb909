/** `ops cost`: the platform's monthly cost from the variables Terraform uses, a comparison, and throughput advice. */
import * as path from "node:path";
import { type Command, Option } from "commander";
import { clients } from "../aws";
import { alarmCount, loadValues, readThroughput, refusedValues, renderCost, throughputAdvice } from "../cost";
import { costLines, parseAssignment, total } from "../cost-model";
import { DEFAULT_USAGE, type Usage } from "../cost-usage";
import { resolveEnvironment } from "../environment";
import { EXIT, OpsError } from "../errors";
import { need, readOutputs, resolvePlatform } from "../platform";
import { type Globals, positiveNumber, print, rootOf } from "./context";

interface CostOptions {
  compare?: string[];
  usage?: boolean;
  days: number;
  efsGb?: number;
  logsGb?: number;
  natGb?: number;
  artifactsGb?: number;
  alarms?: number;
  requestsMillions?: number;
  signInUsers?: number;
}

type Values = Awaited<ReturnType<typeof loadValues>>["values"];
type Lines = ReturnType<typeof costLines>;

/** The usage assumed: the defaults, each replaced by its option when given; alarms from the root unless given. */
function usageOf(o: CostOptions, tfDir: string): Usage {
  return {
    ...DEFAULT_USAGE,
    ...(o.efsGb !== undefined ? { efsGb: o.efsGb } : {}),
    ...(o.logsGb !== undefined ? { logsGb: o.logsGb } : {}),
    ...(o.natGb !== undefined ? { natGb: o.natGb } : {}),
    ...(o.artifactsGb !== undefined ? { artifactsGb: o.artifactsGb } : {}),
    alarms: o.alarms ?? alarmCount(tfDir),
    ...(o.requestsMillions !== undefined ? { albRequestsMillions: o.requestsMillions } : {}),
    ...(o.signInUsers !== undefined ? { signInUsers: o.signInUsers } : {}),
  };
}

/** The lines with the variables of --compare changed (a malformed assignment is a usage error). */
function compare(assignments: readonly string[], values: Values, usage: Usage): { lines: Lines; changes: string } {
  const changed = { ...values };
  for (const a of assignments) {
    try {
      const [name, value] = parseAssignment(a, values);
      changed[name] = value;
    } catch (error) {
      throw new OpsError((error as Error).message, EXIT.usage);
    }
  }
  // The same rules as the root's validations (platform/inputs.ts): what make plan refuses is not priced.
  const refused = refusedValues(changed);
  if (refused.length > 0) {
    throw new OpsError(
      `--compare ${assignments.join(" ")}: make plan would refuse this: ${refused.join(" ")} Nothing was priced.`,
      EXIT.usage,
    );
  }
  return { lines: costLines(changed, usage), changes: assignments.join(", ") };
}

/** With --usage: the file system's throughput read from CloudWatch, and whether provisioned throughput is worth it. */
async function usageAdvice(g: Globals, tfDir: string, env: ReturnType<typeof resolveEnvironment>, days: number, values: Values) {
  const outputs = readOutputs(tfDir, env.terraformEnv);
  const platform = resolvePlatform(outputs, g);
  need(platform, "fileSystemId");
  const u = await readThroughput(clients(platform.region), platform.fileSystemId, days);
  return throughputAdvice(u, values);
}

async function cost(o: CostOptions, cmd: Command): Promise<void> {
  const { g, tfDir } = rootOf(cmd);
  const env = resolveEnvironment(g.env, tfDir);
  const { values, files } = await loadValues(tfDir, env);
  const usage = usageOf(o, tfDir);
  const lines = costLines(values, usage);
  const compared = o.compare ? compare(o.compare, values, usage) : undefined;
  const source = `variables: defaults${files.length ? ` + ${files.map((f) => path.basename(f)).join(" + ")}` : ""}; usage assumed: ${usage.efsGb} GB on EFS, ${usage.logsGb} GB logs, ${usage.natGb} GB through NAT, ${usage.artifactsGb} GB artifacts, ${usage.alarms} alarm(s), ${usage.albRequestsMillions} million ALB requests, ${usage.signInUsers} sign-in users`;
  const advice: string[] = o.usage ? await usageAdvice(g, tfDir, env, o.days, values) : [];
  print(
    Boolean(g.json),
    {
      lines,
      total: total(lines),
      compared: compared ? { lines: compared.lines, total: total(compared.lines), changes: compared.changes } : undefined,
      usage,
      advice,
    },
    [renderCost(lines, compared), source, ...(advice.length ? ["", ...advice] : [])].join("\n"),
  );
}

export function registerCost(p: Command): void {
  p.command("cost")
    .description("the platform's monthly cost, line by line, from the variables Terraform uses (defaults + terraform.tfvars)")
    .option("--compare <name=value...>", "the difference a change of variables makes")
    .option("--usage", "read the file system's throughput from CloudWatch and say whether its provisioned throughput is worth it")
    .addOption(new Option("--days <n>", "with --usage: how many days to read").argParser(positiveNumber("--days")).default(14))
    .option("--efs-gb <n>", "data on the file system, GB", positiveNumber("--efs-gb"))
    .option("--logs-gb <n>", "logs ingested a month, GB", positiveNumber("--logs-gb"))
    .option("--nat-gb <n>", "data through the NAT gateway a month, GB", positiveNumber("--nat-gb"))
    .option("--artifacts-gb <n>", "MLflow artifacts stored, GB", positiveNumber("--artifacts-gb"))
    .option("--alarms <n>", "CloudWatch alarms (default: those the synthesized root declares)", positiveNumber("--alarms"))
    .option(
      "--requests-millions <n>",
      "requests to the ALB a month, millions (the web firewall bills them)",
      positiveNumber("--requests-millions"),
    )
    .option("--sign-in-users <n>", "people who sign in each month (Cognito's monthly active users)", positiveNumber("--sign-in-users"))
    .action(cost);
}
