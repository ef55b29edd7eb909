/**
 * A services table with a fifth service, for the tests that prove adding a
 * service is one entry: a notebook server with neither EFS nor bucket
 * access, kept off the ALB unless asked.
 *
 * The entry between the markers is also pasted, as text, into a scratch
 * copy's `platform/services.ts` (`addFifthService`): the one file a person
 * adding a service edits by hand.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { LIVE_SERVICES } from "../platform/intended-changes";
import { SERVICES, type ServiceTable } from "../platform/services";

/** The live platform's four services and a fifth (whatever else the services table holds). */
export const FIFTH_SERVICE_TABLE: ServiceTable = {
  ...Object.fromEntries(LIVE_SERVICES.map((key) => [key, (SERVICES as ServiceTable)[key]])),
  // fifth-service:start
  notebook: {
    displayName: "Notebook",
    purpose: "JupyterLab for ad-hoc analysis",
    defaults: {
      serviceName: "autovision-notebook",
      port: 8888,
      cpu: 512,
      memoryMiB: 1024,
      desiredCount: 1,
      minCapacity: 1,
      maxCapacity: 2,
      healthCheckPath: "/api/status",
    },
    imageTag: "notebook",
    dockerfile: "docker/Dockerfile.notebook",
    healthCheckMatcher: "200",
    healthCheckStartPeriodSeconds: 20,
    experiments: "none",
    artifactsBucketAccess: false,
    wandbSecret: false,
    optionalPublic: true,
    httpsEntry: false,
    forceNewDeployment: false,
    command: (rt) => ["jupyter", "lab", "--ip", "0.0.0.0", "--port", rt.port],
    environment: () => ({ JUPYTER_ENABLE_LAB: "yes" }),
  },
  // fifth-service:end
};

/** The fifth entry's source text, as written above. */
function fifthEntrySource(): string {
  const text = fs.readFileSync(path.join(__dirname, "fifth-service.ts"), "utf8");
  const start = text.indexOf("// fifth-service:start\n");
  const end = text.indexOf("  // fifth-service:end");
  if (start < 0 || end < 0) throw new Error("__tests__/fifth-service.ts: the fifth-service markers are missing");
  return text.slice(start + "// fifth-service:start\n".length, end);
}

/** Adds the fifth entry to the end of the services table of the project in `projectDir`: one hand edit. */
export function addFifthService(projectDir: string): string {
  const file = path.join(projectDir, "platform", "services.ts");
  const text = fs.readFileSync(file, "utf8");
  const end = "} as const satisfies ServiceTable;";
  if (!text.includes(end)) throw new Error(`platform/services.ts: "${end}" not found; the table's end moved`);
  fs.writeFileSync(file, text.replace(end, `${fifthEntrySource()}${end}`));
  return file;
}

/** Files and folders a scratch copy of the project leaves out (node_modules is linked, the rest is rebuilt). */
const NOT_COPIED = new Set([".git", "node_modules", "dist", "cdktf.out", ".terraform"]);

/** Copies the project (this checkout, as it is on disk) into `dest`, with node_modules linked. */
export function copyProject(projectDir: string, dest: string): void {
  fs.cpSync(projectDir, dest, {
    recursive: true,
    filter: (src) => !NOT_COPIED.has(path.basename(src)),
  });
  fs.symlinkSync(path.join(projectDir, "node_modules"), path.join(dest, "node_modules"), "dir");
}
