import * as fs from "node:fs";
import * as path from "node:path";
import type { App } from "cdktf";
import { environmentFromProcess } from "./platform/environment";
import { syncRoot } from "./platform/sandbox-root";
import { inputTable } from "./platform/inputs";
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
import { checkVariableFiles } from "./platform/variables";
import { allowDataLossIn, cdktfCommand, copyVariableFiles } from "./synth/variable-files";
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
export async function main(): Promise<void> {
  const app = createApp();
  const { root, units } = buildPlatform(app);
  const { files, report } = renderRoot(root, units, RULES);
  console.log(formatReport(report));
  // Under the cdktf CLI (`cdktf synth|diff|deploy|destroy`), write only its stack folder (cdktf.out), with the
  // environment's variable files beside it: Terraform runs there and must read what scripts/terraform.sh passes.
  // ENV (make … ENV=<name>) picks the environment: its state, its variable files (platform/environment.ts).
  if (process.env.CDKTF_OUTDIR) {
    // In the sandbox (SANDBOX_SOURCE), its root is made again from the synthesized one first, as the wrapper does.
    if (process.env.SANDBOX_SOURCE && process.env.TF_DIR) syncRoot(process.env.SANDBOX_SOURCE, process.env.TF_DIR);
    const model = environmentFromProcess(process.env, { tfDir: ROOT_DIR, envDir: path.join(projectDir(__dirname), "environments") });
    // Before synth writes anything: the wrapper's checks on the variable files.
    await checkVariableFiles(model, Object.keys(inputTable(SERVICES)));
    root.addOverride("terraform.backend.s3.key", model.stateKey);
    if (process.env.STATE_BUCKET) root.addOverride("terraform.backend.s3.bucket", model.stateBucket);
    if (process.env.STATE_REGION) root.addOverride("terraform.backend.s3.region", model.stateRegion);
    const stackDir = path.join(process.env.CDKTF_OUTDIR, "stacks", root.node.id);
    fs.mkdirSync(stackDir, { recursive: true });
    const copied = copyVariableFiles(model, stackDir);
    app.synth();
    if (copied.length > 0) console.log(`synth: variables from ${copied.join(", ")}`);
    const lifted = allowDataLossIn(stackDir, process.env.ALLOW_DATA_LOSS, cdktfCommand());
    if (lifted.length > 0) console.log(`synth: data protection lifted for this run: ${lifted.join(" ")}`);
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
