import * as fs from "node:fs";
import * as path from "node:path";
import type { App } from "cdktf";
import { environmentStateKey, PLATFORM } from "./platform/config";
import { SERVICES, type ServiceTable } from "./platform/services";
import { NetworkUnit } from "./stacks/network-unit";
import { ObservabilityUnit } from "./stacks/observability-unit";
import { PlatformStack } from "./stacks/platform-stack";
import { ServicesUnit } from "./stacks/services/services-unit";
import { StorageUnit } from "./stacks/storage-unit";
import { createApp } from "./synth/app";
import { formatReport } from "./synth/policy/checker";
import { RULES } from "./synth/policy/rules";
import { renderRoot, writeRoot } from "./synth/root-writer";
import { copyVariableFiles } from "./synth/variable-files";
import { WORKFLOW_TABLE_NAME, writeWorkflowTable } from "./synth/workflow-table";

/** The project's folder (the one holding cdktf.json), from wherever this code runs: main.ts, or the bundle in dist/. */
function projectDir(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "cdktf.json"))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`cdktf.json not found above ${from}`);
  }
}

/** Where the team's `terraform -chdir=deploy/terraform ...` runs. */
export const ROOT_DIR = path.join(projectDir(__dirname), "deploy", "terraform");
/** What the deploy workflow reads of the services table (synth/workflow-table.ts). */
export const WORKFLOW_TABLE = path.join(path.dirname(ROOT_DIR), WORKFLOW_TABLE_NAME);

/** The platform: one root (its variables from the tables in platform/), four units wired through their public properties. */
export function buildPlatform(app: App, services: ServiceTable = SERVICES) {
  const root = new PlatformStack(app, { services });
  const shared = { inputs: root.inputs, services: root.services, names: root.names };
  const network = new NetworkUnit(root, "network", shared);
  const storage = new StorageUnit(root, "storage", { ...shared, network });
  const servicesUnit = new ServicesUnit(root, "services", { ...shared, network, storage });
  const observability = new ObservabilityUnit(root, "observability", { ...shared, storage, servicesUnit });
  return { root, units: { network, storage, services: servicesUnit, observability } };
}

/** Synthesizes the platform: into deploy/terraform, or, under the cdktf CLI, into its stack folder. */
export function main(): void {
  const app = createApp();
  const { root, units } = buildPlatform(app);
  const { files, report } = renderRoot(root, units, RULES);
  console.log(formatReport(report));
  // Under the cdktf CLI (`cdktf synth|diff|deploy`), write only its stack folder (cdktf.out), with the
  // user's variable files beside it: Terraform runs there and must read what `terraform -chdir=deploy/terraform` reads.
  // ENV (make … ENV=<name>) picks the environment's state key and variables, as scripts/environment.sh does.
  if (process.env.CDKTF_OUTDIR) {
    const environment = process.env.ENV || PLATFORM.liveEnvironment;
    root.addOverride("terraform.backend.s3.key", environmentStateKey(environment));
    // Another state bucket than the root's (STATE_BUCKET / STATE_REGION), as scripts/environment.sh passes it to terraform init.
    if (process.env.STATE_BUCKET) root.addOverride("terraform.backend.s3.bucket", process.env.STATE_BUCKET);
    if (process.env.STATE_REGION) root.addOverride("terraform.backend.s3.region", process.env.STATE_REGION);
    const stackDir = path.join(process.env.CDKTF_OUTDIR, "stacks", root.node.id);
    fs.mkdirSync(stackDir, { recursive: true });
    const envDir = path.resolve(process.env.ENV_DIR ?? path.join(projectDir(__dirname), "environments"));
    // Before synth writes anything: a missing environment file stops here.
    const copied = copyVariableFiles(path.resolve(process.env.TF_DIR ?? ROOT_DIR), stackDir, environment, envDir);
    app.synth();
    if (copied.length > 0) console.log(`synth: variables from ${copied.join(", ")}`);
    return;
  }
  const result = writeRoot(ROOT_DIR, files);
  if (writeWorkflowTable(WORKFLOW_TABLE, SERVICES)) console.log(`synth: ${path.relative(process.cwd(), WORKFLOW_TABLE)} written`);
  const rel = path.relative(process.cwd(), ROOT_DIR) || ".";
  console.log(
    `synth: ${rel}: ${result.written.length} written, ${result.unchanged.length} unchanged, ${result.removed.length} removed` +
      (result.written.length ? ` (${result.written.join(", ")})` : ""),
  );
}
