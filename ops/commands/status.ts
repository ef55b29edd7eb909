/** `ops status`: one screen of the platform's health. */
import type { Command } from "commander";
import { exitCodeOf, gatherStatus, renderStatus } from "../status";
import { platformOf, print } from "./context";

export function registerStatus(p: Command): void {
  p.command("status")
    .description("one screen: EFS, services, URLs, alarms; exit 0 healthy, 1 degraded, 2 not deployed")
    .action(async (_o, cmd: Command) => {
      const { platform, aws, json } = platformOf(cmd);
      const report = await gatherStatus(aws, platform);
      print(json, report, renderStatus(report));
      process.exitCode = exitCodeOf(report);
    });
}
