/**
 * A services table with a fifth service, for the tests that prove adding a
 * service is one entry: a notebook server with neither EFS nor bucket
 * access, kept off the ALB unless asked.
 */
import { SERVICES, type ServiceTable } from "../platform/services";

export const FIFTH_SERVICE_TABLE: ServiceTable = {
  ...SERVICES,
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
};
