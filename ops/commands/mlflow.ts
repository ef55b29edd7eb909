/** `ops mlflow migrate`: MLflow's history from its file store into its PostgreSQL database (mlflow_backend = postgres). */
import { type Command, Option } from "commander";
import { migrateMlflow, renderMigration } from "../mlflow";
import { platformOf, positiveNumber, print } from "./context";

export function registerMlflow(p: Command): void {
  p.command("mlflow")
    .description("MLflow's tracking store")
    .command("migrate")
    .description(
      "copy MLflow's history (experiments, runs, parameters, metrics, tags) from its file store into its PostgreSQL database (mlflow_backend = postgres), through a one-off task of MLflow's task definition; counts both sides; the file store is kept",
    )
    .option("--dry-run", "count the file store and the database; write nothing")
    .addOption(new Option("--timeout <s>", "give up waiting after s seconds").argParser(positiveNumber("--timeout")).default(3600))
    .action(async (o: { dryRun?: boolean; timeout: number }, cmd: Command) => {
      const { platform, aws, json } = platformOf(cmd);
      const r = await migrateMlflow(aws, platform, { dryRun: Boolean(o.dryRun), quiet: json, timeoutSeconds: o.timeout });
      print(json, r, renderMigration(r));
    });
}
