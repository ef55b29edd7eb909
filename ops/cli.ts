/**
 * `npm run ops -- <command>`: the platform's day-two commands (docs/OPERATIONS.md).
 * Commander parses the arguments; every failure is one line on stderr and a
 * non-zero exit (see errors.ts), never a stack trace (OPS_DEBUG=1 shows it).
 * Each command lives in `ops/commands/`, registered here in help order.
 */
import { Command, CommanderError } from "commander";
import { PLATFORM } from "../platform/config";
import { registerBackups } from "./commands/backups";
import { registerCost } from "./commands/cost";
import { registerMlflow } from "./commands/mlflow";
import { registerReview } from "./commands/review";
import { registerSetup } from "./commands/setup";
import { registerStatus } from "./commands/status";
import { registerTransfers } from "./commands/transfers";
import { registerUsers } from "./commands/users";
import { EXIT, explain } from "./errors";
import { usd } from "./format";
import { terraformMain } from "./terraform";

/** The commands, in the order help lists them. */
const COMMANDS: readonly ((p: Command) => void)[] = [
  registerStatus,
  registerBackups,
  registerTransfers,
  registerMlflow,
  registerSetup,
  registerUsers,
  registerCost,
  registerReview,
];

export function program(): Command {
  const p = new Command("ops")
    .description("AutoVisionAI platform: status, backups, experiments transfers and costs")
    .option("--tf-dir <dir>", "the Terraform root to read outputs and variables from", undefined)
    .option(
      "--env <name>",
      "the environment (its state and environments/<name>.tfvars), as make's ENV",
      process.env.ENV || PLATFORM.liveEnvironment,
    )
    .option("--region <region>", "AWS region (default: the platform's aws_region output, then AWS_REGION)")
    .option("--file-system <id>", "experiments file system id (default: efs_file_system_id output)")
    .option("--cluster <name>", "ECS cluster (default: ecs_cluster_name output)")
    .option("--bucket <name>", "artifacts bucket, for staging transfers (default: s3_bucket_name output)")
    .option("--json", "print JSON instead of tables")
    .showHelpAfterError()
    .exitOverride();

  for (const register of COMMANDS) register(p);
  return p;
}

export async function main(argv: string[] = process.argv): Promise<number> {
  // scripts/terraform.sh: the terraform wrapper, its arguments passed to terraform untouched.
  if (argv[2] === "tf") return terraformMain(argv.slice(3));
  try {
    await program().parseAsync(argv);
    return Number(process.exitCode ?? 0);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version print themselves and exit 0; usage errors were printed by commander.
      return error.exitCode === 0 ? 0 : EXIT.usage;
    }
    const e = explain(error, process.env.AWS_REGION);
    if (process.env.OPS_DEBUG === "1") console.error(error);
    process.stderr.write(`ops: ${e.message}\n`);
    return e.exitCode;
  }
}

if (require.main === module) {
  main().then((code) => {
    process.exitCode = code;
  });
}

export { usd };
