import * as path from "node:path";
import type { App } from "cdktf";
import { createApp } from "./constructs/core/app";
import { formatReport } from "./constructs/core/policy/checker";
import { RULES } from "./constructs/core/policy/rules";
import { renderRoot, writeRoot } from "./constructs/core/root-writer";
import { DEFAULT_CONFIG, type PlatformConfig } from "./stacks/config";
import { NetworkStack } from "./stacks/network-stack";
import { PlatformRoot } from "./stacks/platform-root";
import { ServicesStack } from "./stacks/services-stack";
import { StorageStack } from "./stacks/storage-stack";

/** Where the team's `terraform -chdir=deploy/terraform ...` runs. */
export const ROOT_DIR = path.join(__dirname, "deploy", "terraform");

/** The platform: one root, three units wired through their public properties. */
export function buildPlatform(app: App, config: PlatformConfig = DEFAULT_CONFIG) {
  const root = new PlatformRoot(app, config);
  const network = new NetworkStack(root, "network", { config, inputs: root.inputs });
  const storage = new StorageStack(root, "storage", { config, inputs: root.inputs, network });
  const services = new ServicesStack(root, "services", { config, inputs: root.inputs, network, storage });
  return { root, units: { network, storage, services } };
}

function main(): void {
  const app = createApp();
  const { root, units } = buildPlatform(app, DEFAULT_CONFIG);
  const { files, report } = renderRoot(root, units, RULES);
  console.log(formatReport(report));
  // Under the cdktf CLI (`cdktf synth|diff|deploy`), write only its stack folder (cdktf.out).
  if (process.env.CDKTF_OUTDIR) {
    app.synth();
    return;
  }
  const result = writeRoot(ROOT_DIR, files);
  const rel = path.relative(process.cwd(), ROOT_DIR) || ".";
  console.log(
    `synth: ${rel}: ${result.written.length} written, ${result.unchanged.length} unchanged, ${result.removed.length} removed` +
      (result.written.length ? ` (${result.written.join(", ")})` : ""),
  );
}

if (require.main === module) {
  try {
    main();
  } catch (error) {
    // A synth-time mistake is the user's to fix: say what, not where in our code.
    console.error(`synth failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
