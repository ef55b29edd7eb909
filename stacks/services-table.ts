/**
 * The four AutoVisionAI services, as data. Everything that differs between
 * them (port, image, command, EFS access, health check, sizing, scaling,
 * environment) is here; the code that builds a service is written once in
 * `constructs/fargate-web-service.ts`. Adding a fifth service is one entry.
 */

/** The services' keys: container name, Service Connect name and construct id. */
export const SERVICE_NAMES = ["api", "ui", "mlflow", "tensorboard"] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** How a service sees the shared experiments file system (design: EFS_SETUP.md, "Service Access Matrix"). */
export type ExperimentsAccess = "rw" | "ro" | "none";

/** Values known only to Terraform, handed to a service's command and environment. */
export interface ServiceRuntime {
  /** The service's container port (`var.<key>_port`). */
  readonly port: string;
  /** The MLflow artifacts bucket name. */
  readonly artifactsBucket: string;
  /** `http://<alb dns>:<port>` of every service, for links a browser follows. */
  readonly externalUrls: Readonly<Record<ServiceName, string>>;
  /** `var.env_mode`. */
  readonly envMode: string;
  /** `var.wandb_entity`. */
  readonly wandbEntity: string;
  /** `var.aws_region`. */
  readonly region: string;
}

export interface ServiceSpec {
  /** How people write the service's name (the `Service` tag of its log group). */
  readonly displayName: string;
  /** The ECS service name, default of `var.<key>_service_name`; also the task family and `/ecs/<name>` log group. */
  readonly serviceName: string;
  /** The tag of the one ECR repository the image comes from. */
  readonly imageTag: string;
  /** Container and listener port, default of `var.<key>_port`. */
  readonly port: number;
  /** Fargate task CPU units, default of `var.<key>_cpu`. */
  readonly cpu: number;
  /** Fargate task memory in MiB, default of `var.<key>_memory`. */
  readonly memoryMiB: number;
  /** Default of `var.<key>_desired_count`. */
  readonly desiredCount: number;
  /** Defaults of `var.<key>_min_capacity` / `var.<key>_max_capacity`. */
  readonly minCapacity: number;
  readonly maxCapacity: number;
  /** The path the load balancer and the container health check probe, default of `var.<key>_health_check_path`. */
  readonly healthCheckPath: string;
  /** HTTP codes the load balancer counts as healthy. */
  readonly healthCheckMatcher: string;
  /** Seconds the container health check waits after start before counting failures. */
  readonly healthCheckStartPeriodSeconds: number;
  /**
   * The path the container health check (`curl -f http://localhost:<port><path>`) probes.
   * @default - the service's health check path (`var.<key>_health_check_path`)
   */
  readonly containerHealthCheckPath?: string;
  /** Access to the experiments file system at `/app/experiments`. */
  readonly experiments: ExperimentsAccess;
  /** Read and write the MLflow artifacts bucket. */
  readonly artifactsBucketAccess: boolean;
  /** Environment variables that hold the WANDB API key from Secrets Manager. */
  readonly wandbSecret: boolean;
  /** May be kept off the public ALB with `var.<key>_public = false` (for services without a login). */
  readonly optionalPublic: boolean;
  /** With HTTPS on: this service is served on 443, and HTTP on its own port redirects there (else its port serves HTTPS). */
  readonly httpsEntry: boolean;
  /**
   * The service's task role when it keeps a role of the live platform (a role's name forces its replacement).
   * @default - its own role `<project>-<key>-task-role` with the policy `<role name>Policy`
   */
  readonly taskRole?: LegacyTaskRole;
  /** Redeploy on every apply (the team's release flow pushes over the same image tag). */
  readonly forceNewDeployment: boolean;
  readonly command: (rt: ServiceRuntime) => readonly string[];
  readonly environment: (rt: ServiceRuntime) => Readonly<Record<string, string>>;
}

/** A task role that exists on the live platform under a fixed name. */
export interface LegacyTaskRole {
  readonly roleName: string;
  readonly policyName: string;
  /** Its `Name` tag. */
  readonly nameTag: string;
}

export type ServiceTable = Readonly<Record<ServiceName, ServiceSpec>>;

/** Python prints each line as it comes: the services' logs reach CloudWatch line by line. */
const unbuffered = { PYTHONUNBUFFERED: "1" };
const appEnvironment = (rt: ServiceRuntime) => ({ ENV_MODE: rt.envMode, WANDB_ENTITY: rt.wandbEntity, ...unbuffered });

export const SERVICES: ServiceTable = {
  api: {
    displayName: "API",
    serviceName: "autovision-api",
    imageTag: "app",
    port: 8000,
    cpu: 2048,
    memoryMiB: 4096,
    desiredCount: 1,
    minCapacity: 1,
    maxCapacity: 1,
    healthCheckPath: "/health",
    healthCheckMatcher: "200-299",
    healthCheckStartPeriodSeconds: 15,
    experiments: "rw",
    artifactsBucketAccess: true,
    wandbSecret: true,
    forceNewDeployment: true,
    httpsEntry: false,
    optionalPublic: false,
    // The live platform's one task role, shared by all four services there; now the API's alone.
    taskRole: { roleName: "ecsTaskRole", policyName: "ecsTaskRolePolicy", nameTag: "ECS Task Role" },
    command: (rt) => ["uv", "run", "uvicorn", "autovisionai.api.main:app", "--host", "0.0.0.0", "--port", rt.port],
    environment: appEnvironment,
  },
  ui: {
    displayName: "UI",
    serviceName: "autovision-ui",
    imageTag: "app",
    port: 8501,
    cpu: 1024,
    memoryMiB: 2048,
    desiredCount: 1,
    minCapacity: 1,
    maxCapacity: 1,
    healthCheckPath: "/_stcore/health",
    healthCheckMatcher: "200-299",
    healthCheckStartPeriodSeconds: 30,
    experiments: "ro",
    artifactsBucketAccess: false,
    wandbSecret: true,
    forceNewDeployment: true,
    httpsEntry: true,
    optionalPublic: false,
    command: (rt) => [
      "uv", "run", "streamlit", "run", "src/autovisionai/ui/app.py",
      "--server.port", rt.port, "--server.address", "0.0.0.0",
    ],
    environment: (rt) => ({
      ...appEnvironment(rt),
      MLFLOW_EXTERNAL_URL: rt.externalUrls.mlflow,
      TENSORBOARD_EXTERNAL_URL: rt.externalUrls.tensorboard,
    }),
  },
  mlflow: {
    displayName: "MLflow",
    serviceName: "autovision-mlflow",
    imageTag: "mlflow",
    port: 8080,
    cpu: 512,
    memoryMiB: 1024,
    desiredCount: 1,
    minCapacity: 1,
    maxCapacity: 1,
    healthCheckPath: "/health",
    healthCheckMatcher: "200-299",
    healthCheckStartPeriodSeconds: 15,
    experiments: "none",
    artifactsBucketAccess: true,
    wandbSecret: false,
    forceNewDeployment: false,
    httpsEntry: false,
    optionalPublic: true,
    command: (rt) => [
      "mlflow", "server", "--host", "0.0.0.0", "--port", rt.port,
      "--backend-store-uri", "/app/mlruns", "--default-artifact-root", `s3://${rt.artifactsBucket}/`,
    ],
    // boto3 inside MLflow finds the artifacts bucket's region without a lookup.
    environment: (rt) => ({ AWS_DEFAULT_REGION: rt.region, ...unbuffered }),
  },
  tensorboard: {
    displayName: "TensorBoard",
    serviceName: "autovision-tensorboard",
    imageTag: "tensorboard",
    port: 6006,
    cpu: 512,
    memoryMiB: 1024,
    desiredCount: 1,
    minCapacity: 1,
    maxCapacity: 1,
    healthCheckPath: "/",
    healthCheckMatcher: "200",
    healthCheckStartPeriodSeconds: 10,
    containerHealthCheckPath: "",
    experiments: "rw",
    artifactsBucketAccess: false,
    wandbSecret: false,
    forceNewDeployment: false,
    httpsEntry: false,
    optionalPublic: true,
    command: (rt) => ["tensorboard", "--logdir", "/app/experiments", "--host", "0.0.0.0", "--port", rt.port],
    environment: () => unbuffered,
  },
};

/**
 * Synth-time checks of a service table: every key known, ports distinct and
 * in range. Throws with the entry, the value and what is allowed.
 */
export function checkServiceTable(table: Readonly<Record<string, ServiceSpec>>): void {
  const ports = new Map<number, string>();
  for (const [key, spec] of Object.entries(table)) {
    if (!(SERVICE_NAMES as readonly string[]).includes(key)) {
      throw new Error(`services table: unknown service "${key}"; allowed: ${SERVICE_NAMES.join(", ")}`);
    }
    if (!Number.isInteger(spec.port) || spec.port < 1 || spec.port > 65535) {
      throw new Error(`services table: ${key}.port is ${spec.port}; allowed: a whole number from 1 to 65535`);
    }
    const other = ports.get(spec.port);
    if (other !== undefined) {
      throw new Error(
        `services table: ${key}.port ${spec.port} is already used by "${other}"; every service needs its own listener port`,
      );
    }
    ports.set(spec.port, key);
    if (!spec.healthCheckPath.startsWith("/")) {
      throw new Error(`services table: ${key}.healthCheckPath "${spec.healthCheckPath}" must start with "/"`);
    }
  }
  for (const key of SERVICE_NAMES) {
    if (!(key in table)) throw new Error(`services table: service "${key}" is missing`);
  }
  for (const [key, spec] of Object.entries(table)) {
    if (spec.httpsEntry && spec.optionalPublic) {
      throw new Error(`services table: ${key} is the httpsEntry and cannot be optionalPublic: 443 must always reach it`);
    }
  }
  const entries = Object.entries(table).filter(([, spec]) => spec.httpsEntry).map(([key]) => key);
  if (entries.length !== 1) {
    throw new Error(`services table: exactly one service must be the httpsEntry (served on 443); found ${entries.length ? entries.join(", ") : "none"}`);
  }
}
