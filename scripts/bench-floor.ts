/**
 * The floor for `npm run bench`: a one-resource CDKTF app synthesized the
 * same way as the platform (same runner, same root writer), into a temp dir.
 */
import * as os from "node:os";
import * as path from "node:path";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { TerraformStack } from "cdktf";
import { createApp } from "../synth/app";
import { Construct } from "constructs";
import { renderRoot, writeRoot } from "../synth/root-writer";

const app = createApp({ outdir: path.join(os.tmpdir(), "avai-bench-floor.out") });
const stack = new TerraformStack(app, "floor");
new AwsProvider(stack, "aws", { region: "us-west-1" });
const unit = new Construct(stack, "network");
new Vpc(unit, "vpc", { cidrBlock: "10.0.0.0/16" });
writeRoot(path.join(os.tmpdir(), "avai-bench-floor"), renderRoot(stack, { network: unit }).files);
