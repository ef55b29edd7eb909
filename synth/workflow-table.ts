/**
 * What the deploy workflow needs of the services table, written by
 * `npm run synth` beside the root (`deploy/services.json`): the images to
 * build (one per tag, with its Dockerfile) and the outputs that hold the
 * services' URLs. `.github/workflows/deploy.yml` reads it (`fromJSON` for
 * the image matrix, `jq` for the URLs), so a new service's image is built
 * and its URL printed without an edit of the workflow.
 */
import * as fs from "node:fs";
import { urlOutputName, type ServiceTable } from "../platform/services";
import { GENERATED_MARKER } from "./root-writer";

/** The file's name, in `deploy/` (beside the root, not in it: Terraform never reads it). */
export const WORKFLOW_TABLE_NAME = "services.json";

/** One image the workflow builds and pushes to the platform's repository. */
export interface WorkflowImage {
  readonly tag: string;
  readonly dockerfile: string;
}

export interface WorkflowTable {
  readonly "//": string;
  /** One entry per image tag, in the table's order: the `images` job's matrix. */
  readonly images: readonly WorkflowImage[];
  /** The root's outputs that hold each service's URL, in the table's order. */
  readonly urlOutputs: readonly string[];
}

/** The workflow's view of a services table. */
export function workflowTable(services: ServiceTable): WorkflowTable {
  const images = new Map<string, WorkflowImage>();
  for (const spec of Object.values(services)) {
    if (!images.has(spec.imageTag)) images.set(spec.imageTag, { tag: spec.imageTag, dockerfile: spec.dockerfile });
  }
  return { "//": GENERATED_MARKER, images: [...images.values()], urlOutputs: Object.keys(services).map(urlOutputName) };
}

/** The file's text: stable, so that an unchanged table rewrites nothing. */
export function renderWorkflowTable(services: ServiceTable): string {
  return `${JSON.stringify(workflowTable(services), null, 2)}\n`;
}

/** Writes the file when its text changed; says whether it did. */
export function writeWorkflowTable(file: string, services: ServiceTable): boolean {
  const text = renderWorkflowTable(services);
  if (fs.existsSync(file) && fs.readFileSync(file, "utf8") === text) return false;
  fs.writeFileSync(file, text);
  return true;
}
