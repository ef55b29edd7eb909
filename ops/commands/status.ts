/** `ops status`: one screen of the platform's health; with --wait, whether the last deploy really rolled out. */
import { type Command, Option } from "commander";
import { renderRollout, rolloutExitCode, waitForRollout } from "../rollout";
import { exitCodeOf, gatherStatus, renderStatus } from "../status";
import { platformOf, positiveNumber, print } from "./context";

export function registerStatus(p: Command): void {
  p.command("status")
    .description("one screen: EFS, services, URLs, alarms; exit 0 healthy, 1 degraded, 2 not deployed")
    .option(
      "--wait",
      "after a deploy: wait for every service's deployment to finish, then check each runs the task definition revision the apply registered; exit 0 deployed, 3 rolled back, failed or not finished",
    )
    .addOption(new Option("--timeout <s>", "with --wait: give up after s seconds").argParser(positiveNumber("--timeout")).default(1800))
    .action(async (o: { wait?: boolean; timeout: number }, cmd: Command) => {
      const { platform, aws, json } = platformOf(cmd);
      if (o.wait) {
        const r = await waitForRollout(aws, platform, { timeoutSeconds: o.timeout, quiet: json });
        print(json, r, renderRollout(r));
        process.exitCode = rolloutExitCode(r);
        return;
      }
      const report = await gatherStatus(aws, platform);
      print(json, report, renderStatus(report));
      process.exitCode = exitCodeOf(report);
    });
}
