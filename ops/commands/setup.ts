/** `ops setup-backend|push-secrets`: what an environment needs before its first deploy. */
import * as path from "node:path";
import type { Command } from "commander";
import { renderBackend, setupBackend, stateBackend } from "../backend";
import { resolveEnvironment } from "../environment";
import { EXIT, OpsError } from "../errors";
import { readOutputs } from "../platform";
import { pushKey, readKey, renderPush } from "../secrets";
import { print, rootOf } from "./context";

export function registerSetup(p: Command): void {
  p.command("setup-backend")
    .description(
      "create the S3 bucket of every environment's Terraform state if missing, and set it up (versioned, encrypted, private, TLS only, old states expire); a second run changes nothing",
    )
    .option("--state-bucket <name>", "the bucket (default: STATE_BUCKET, then the backend in main.tf.json)")
    .option("--state-region <region>", "its region (default: STATE_REGION, then the backend in main.tf.json)")
    .action(async (o: { stateBucket?: string; stateRegion?: string }, cmd: Command) => {
      const { g, tfDir } = rootOf(cmd);
      const backend = stateBackend(tfDir, { bucket: o.stateBucket, region: o.stateRegion });
      const report = await setupBackend(backend);
      print(Boolean(g.json), report, renderBackend(report));
    });

  p.command("push-secrets")
    .description(
      "put the WANDB API key (from .env, WANDB_API_KEY or --stdin) into the environment's secret; never printed, never in the state",
    )
    .option("--stdin", "read the key from standard input (a pipe)")
    .option("--dotenv <file>", "dotenv file holding WANDB_API_KEY=… (not --env-file: Node 20 takes that flag for itself)", ".env")
    .option("--secret-name <name>", "the secret (default: the wandb_secret_name output)")
    .action(async (o: { stdin?: boolean; dotenv: string; secretName?: string }, cmd: Command) => {
      const { g, tfDir } = rootOf(cmd);
      // The key first: a missing or empty one stops here, before any AWS call.
      const key = await readKey({ stdin: o.stdin, envFile: path.resolve(o.dotenv) });
      const outputs = o.secretName && g.region ? {} : readOutputs(tfDir, resolveEnvironment(g.env, tfDir).terraformEnv);
      const secretName = o.secretName ?? (outputs.wandb_secret_name?.value as string | undefined);
      const region = g.region ?? (outputs.aws_region?.value as string | undefined) ?? process.env.AWS_REGION;
      if (!secretName || !region) {
        throw new OpsError(
          `environment ${g.env} is not deployed (terraform output has no wandb_secret_name/aws_region): make deploy-infra ENV=${g.env} first, or pass --secret-name and --region`,
          EXIT.notDeployed,
        );
      }
      const r = await pushKey(secretName, region, key);
      print(Boolean(g.json), r, renderPush(r));
    });
}
