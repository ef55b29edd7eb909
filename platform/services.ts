/**
 * The AutoVisionAI services, as data. Everything that differs between them
 * (port, image, command, environment, access to the experiments and to the
 * artifacts bucket, health checks, sizing, scaling) is here; the code that
 * builds a service is written once (`stacks/services/`, from
 * `constructs/fargate-web-service.ts`). Adding a service is one entry: its
 * root variables, task role, log group, listener, autoscaling, URLs,
 * outputs and docs follow from it.
 */

/** How a service sees the shared experiments file system (the design's access matrix, docs/EFS.md). */
export type ExperimentsAccess = "rw" | "ro" | "none";

/** Values known only to Terraform, handed to a service's command and environment. */
export interface ServiceRuntime {
  /** The service's container port (`var.<key>_port`, as a string). */
  readonly port: string;
  /** The MLflow artifacts bucket name. */
  readonly artifactsBucket: string;
  /** `http://<alb dns>:<port>` of every service by key ("" for a service kept off the ALB), for links a browser follows. */
  readonly externalUrls: Readonly<Record<string, string>>;
  /** `var.env_mode`. */
  readonly envMode: string;
  /** `var.wandb_entity`. */
  readonly wandbEntity: string;
  /** `var.aws_region`. */
  readonly region: string;
  /** `http://<key>:<port>` of every service by key: its Service Connect name inside the VPC, which no sign-in stands in front of. */
  readonly privateUrls: Readonly<Record<string, string>>;
}

/**
 * The defaults of a service's root variables (`<key>_service_name`,
 * `<key>_cpu` …). Only the inputs table reads them: the code that builds a
 * service sees the variables, never these values (see `PlatformService`).
 */
export interface ServiceDefaults {
  /** The ECS service name; also the task family, the `/ecs/<name>` log group and the `<name>-tg` target group. */
  readonly serviceName: string;
  /** Container and listener port. */
  readonly port: number;
  /** Fargate task CPU units. */
  readonly cpu: number;
  /** Fargate task memory in MiB. */
  readonly memoryMiB: number;
  readonly desiredCount: number;
  readonly minCapacity: number;
  readonly maxCapacity: number;
  /** The path the load balancer and the container health check probe. */
  readonly healthCheckPath: string;
}

/**
 * A directory of the service's own on the experiments file system (through an access point of its own),
 * mounted read-write by it alone: state that must outlive its tasks. A service with a store has one writer:
 * it runs at most one task, and a deploy stops the old task before it starts the new one.
 */
export interface ServiceStore {
  /** Where the container sees it. */
  readonly containerPath: string;
  /** Its directory on the file system, created on first use for the POSIX user with `permissions`. */
  readonly rootDirectory: string;
  /** The identity of every file operation through the access point (the image's user). */
  readonly posixUser: { readonly uid: number; readonly gid: number };
  /** Octal mode of the directory when it is created. */
  readonly permissions: string;
  /** What it holds, in a few words (docs, the data-protection message). */
  readonly holds: string;
}

/** A task role that exists on the live platform under a fixed name (a role's name forces its replacement). */
export interface LegacyTaskRole {
  readonly roleName: string;
  readonly policyName: string;
  /** Its `Name` tag. */
  readonly nameTag: string;
  /** Its logical id in the live state (`aws_iam_role.<id>`; its policy is `aws_iam_role_policy.<id>_policy`). */
  readonly logicalId: string;
}

export interface ServiceSpec {
  /** How people write the service's name (the `Service` tag of its log group, docs). */
  readonly displayName: string;
  /** What the service is for, in a few words (docs). */
  readonly purpose: string;
  readonly defaults: ServiceDefaults;
  /** The tag of the one ECR repository the image comes from. */
  readonly imageTag: string;
  /**
   * The Dockerfile, in the application's repository, that builds the image (the deploy workflow builds and pushes
   * one image per tag: services that share a tag share the Dockerfile).
   */
  readonly dockerfile: string;
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
  /** A store of the service's own on the experiments file system. @default - none (the task's disk only) */
  readonly store?: ServiceStore;
  /** Receives WANDB_API_KEY from Secrets Manager. */
  readonly wandbSecret: boolean;
  /** May be kept off the public ALB with `var.<key>_public = false` (for services without a login). */
  readonly optionalPublic: boolean;
  /** With HTTPS on: this service is served on 443, and HTTP on its own port redirects there (else its port serves HTTPS). */
  readonly httpsEntry: boolean;
  /**
   * A tool people open in a browser: with `sign_in` on, the ALB signs the user in before it forwards a request
   * (docs/SIGN-IN.md). Programs that call the service keep its exposure.
   * @default false
   */
  readonly signIn?: boolean;
  /**
   * The service's task role when it keeps a role of the live platform.
   * @default - its own role `<project>-<key>-task-role` with the policy `<role name>Policy`
   */
  readonly taskRole?: LegacyTaskRole;
  /** Redeploy on every apply (the team's release flow pushes over the same image tag). */
  readonly forceNewDeployment: boolean;
  /**
   * May run a share of its tasks on Fargate Spot (`<key>_spot_percent`): for services that lose nothing when a
   * task is stopped with two minutes' notice.
   * @default false
   */
  readonly fargateSpot?: boolean;
  /**
   * Keeps each browser session on one task (load-balancer cookie stickiness) whenever the service can run more
   * than one task (`<key>_max_capacity` > 1): for servers that hold a session in one process.
   * @default false (other services only with `alb_sticky_services`)
   */
  readonly sessionAffinity?: boolean;
  /**
   * The command while the service keeps its store in the platform's PostgreSQL (`mlflow_backend = "postgres"`).
   * The container then gets MLFLOW_DB_HOST, MLFLOW_DB_PORT and MLFLOW_DB_NAME, and MLFLOW_DB_USERNAME and
   * MLFLOW_DB_PASSWORD from the database's secret (ECS `secrets`), and joins the database's client security group.
   * @default - the service never uses the database
   */
  readonly databaseCommand?: (rt: ServiceRuntime) => readonly string[];
  readonly command: (rt: ServiceRuntime) => readonly string[];
  readonly environment: (rt: ServiceRuntime) => Readonly<Record<string, string>>;
  /**
   * Environment variables added while `sign_in` is on: addresses a program must reach without signing in.
   * @default - none
   */
  readonly signedInEnvironment?: (rt: ServiceRuntime) => Readonly<Record<string, string>>;
}

/** A services table: key (container name, Service Connect name, construct id, variable prefix) → service. */
export type ServiceTable = Readonly<Record<string, ServiceSpec>>;

/**
 * Starts `mlflow server` with `--backend-store-uri postgresql://…` built from the container's MLFLOW_DB_*
 * variables, user and password URL-encoded (the secret's password may hold any character); the rest of
 * the arguments go to `mlflow server` as given. The password reaches the process from ECS `secrets`, never
 * the task definition. Needs the PostgreSQL driver psycopg2 in the image (docs/ARCHITECTURE.md).
 */
export const MLFLOW_POSTGRES_LAUNCHER = [
  "import os, sys, urllib.parse as u",
  "e = os.environ",
  "q = lambda v: u.quote(v, safe='')",
  "uri = 'postgresql://%s:%s@%s:%s/%s?sslmode=require' % (q(e['MLFLOW_DB_USERNAME']), q(e['MLFLOW_DB_PASSWORD']), e['MLFLOW_DB_HOST'], e['MLFLOW_DB_PORT'], e['MLFLOW_DB_NAME'])",
  "os.execvp('mlflow', ['mlflow', 'server', '--backend-store-uri', uri] + sys.argv[1:])",
].join("; ");

/** Python prints each line as it comes: the services' logs reach CloudWatch line by line. */
const unbuffered = { PYTHONUNBUFFERED: "1" };
const appEnvironment = (rt: ServiceRuntime) => ({ ENV_MODE: rt.envMode, WANDB_ENTITY: rt.wandbEntity, ...unbuffered });

export const SERVICES = {
  api: {
    displayName: "API",
    purpose: "FastAPI: training and inference endpoints",
    defaults: {
      serviceName: "autovision-api",
      port: 8000,
      cpu: 2048,
      memoryMiB: 4096,
      desiredCount: 1,
      minCapacity: 1,
      maxCapacity: 1,
      healthCheckPath: "/health",
    },
    imageTag: "app",
    dockerfile: "docker/Dockerfile",
    healthCheckMatcher: "200-299",
    healthCheckStartPeriodSeconds: 15,
    experiments: "rw",
    artifactsBucketAccess: true,
    wandbSecret: true,
    forceNewDeployment: true,
    httpsEntry: false,
    optionalPublic: false,
    // The live platform's one task role, shared by all four services there; now the API's alone.
    taskRole: { roleName: "ecsTaskRole", policyName: "ecsTaskRolePolicy", nameTag: "ECS Task Role", logicalId: "ecs_task_role" },
    command: (rt) => ["uv", "run", "uvicorn", "autovisionai.api.main:app", "--host", "0.0.0.0", "--port", rt.port],
    environment: appEnvironment,
    // The API logs to MLflow over Service Connect, never through the ALB's sign-in.
    signedInEnvironment: (rt) => ({ MLFLOW_TRACKING_URI: rt.privateUrls.mlflow }),
  },
  ui: {
    displayName: "UI",
    purpose: "Streamlit: the team's web interface",
    defaults: {
      serviceName: "autovision-ui",
      port: 8501,
      cpu: 1024,
      memoryMiB: 2048,
      desiredCount: 1,
      minCapacity: 1,
      maxCapacity: 1,
      healthCheckPath: "/_stcore/health",
    },
    imageTag: "app",
    dockerfile: "docker/Dockerfile",
    healthCheckMatcher: "200-299",
    healthCheckStartPeriodSeconds: 30,
    experiments: "ro",
    artifactsBucketAccess: false,
    wandbSecret: true,
    forceNewDeployment: true,
    httpsEntry: true,
    signIn: true,
    optionalPublic: false,
    // A viewer: a stopped task costs a page reload.
    fargateSpot: true,
    // Streamlit keeps each session in one server process, over a websocket.
    sessionAffinity: true,
    command: (rt) => [
      "uv",
      "run",
      "streamlit",
      "run",
      "src/autovisionai/ui/app.py",
      "--server.port",
      rt.port,
      "--server.address",
      "0.0.0.0",
    ],
    environment: (rt) => ({
      ...appEnvironment(rt),
      MLFLOW_EXTERNAL_URL: rt.externalUrls.mlflow,
      TENSORBOARD_EXTERNAL_URL: rt.externalUrls.tensorboard,
    }),
  },
  mlflow: {
    displayName: "MLflow",
    purpose: "experiment tracking; artifacts in S3",
    defaults: {
      serviceName: "autovision-mlflow",
      port: 8080,
      cpu: 512,
      memoryMiB: 1024,
      desiredCount: 1,
      minCapacity: 1,
      maxCapacity: 1,
      healthCheckPath: "/health",
    },
    imageTag: "mlflow",
    dockerfile: "docker/Dockerfile.mlflow",
    healthCheckMatcher: "200-299",
    healthCheckStartPeriodSeconds: 15,
    experiments: "none",
    artifactsBucketAccess: true,
    // The tracking store (experiments, runs, params, metrics, tags) outlives the task, as ./mlruns does on a laptop.
    // The image runs as 1000:1000 and owns /app/mlruns; MLflow's file store wants one writer (docs/ARCHITECTURE.md).
    store: {
      containerPath: "/app/mlruns",
      rootDirectory: "/app/mlruns",
      posixUser: { uid: 1000, gid: 1000 },
      permissions: "750",
      holds: "MLflow's tracking store: experiments, runs, parameters, metrics and tags",
    },
    wandbSecret: false,
    forceNewDeployment: false,
    httpsEntry: false,
    signIn: true,
    optionalPublic: true,
    command: (rt) => [
      "mlflow",
      "server",
      "--host",
      "0.0.0.0",
      "--port",
      rt.port,
      "--backend-store-uri",
      "/app/mlruns",
      "--default-artifact-root",
      `s3://${rt.artifactsBucket}/`,
    ],
    databaseCommand: (rt) => [
      "python",
      "-c",
      MLFLOW_POSTGRES_LAUNCHER,
      "--host",
      "0.0.0.0",
      "--port",
      rt.port,
      "--default-artifact-root",
      `s3://${rt.artifactsBucket}/`,
    ],
    // boto3 inside MLflow finds the artifacts bucket's region without a lookup.
    environment: (rt) => ({ AWS_DEFAULT_REGION: rt.region, ...unbuffered }),
  },
  tensorboard: {
    displayName: "TensorBoard",
    purpose: "training curves from the experiments",
    defaults: {
      serviceName: "autovision-tensorboard",
      port: 6006,
      cpu: 512,
      memoryMiB: 1024,
      desiredCount: 1,
      minCapacity: 1,
      maxCapacity: 1,
      healthCheckPath: "/",
    },
    imageTag: "tensorboard",
    dockerfile: "docker/Dockerfile.tensorboard",
    healthCheckMatcher: "200",
    healthCheckStartPeriodSeconds: 10,
    containerHealthCheckPath: "",
    // Reads event files the training wrote: a stopped task loses nothing.
    fargateSpot: true,
    experiments: "rw",
    artifactsBucketAccess: false,
    wandbSecret: false,
    forceNewDeployment: false,
    httpsEntry: false,
    signIn: true,
    optionalPublic: true,
    command: (rt) => ["tensorboard", "--logdir", "/app/experiments", "--host", "0.0.0.0", "--port", rt.port],
    environment: () => unbuffered,
  },
} as const satisfies ServiceTable;

/** The root output that holds a service's URL. */
export const urlOutputName = (key: string): string => `${key}_url`;

/** The keys of the platform's services, in the table's order. */
export const SERVICE_KEYS = Object.keys(SERVICES);

/** The first entry to claim each value: a second claim names the first. */
type Owners = { readonly ports: Map<number, string>; readonly names: Map<string, string>; readonly dockerfiles: Map<string, string> };

/** One entry's own checks, and its claims on values that must differ between entries. */
function checkEntry(key: string, spec: ServiceSpec, owners: Owners): void {
  if (!/^[a-z][a-z0-9]{0,19}$/.test(key)) {
    throw new Error(
      `services table: key "${key}" must be 1-20 lower-case letters or digits, starting with a letter (it prefixes the service's variables, e.g. ${key}_cpu)`,
    );
  }
  const { port, serviceName, healthCheckPath } = spec.defaults;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`services table: ${key}.defaults.port is ${port}; allowed: a whole number from 1 to 65535`);
  }
  const portOwner = owners.ports.get(port);
  if (portOwner !== undefined) {
    throw new Error(
      `services table: ${key}.defaults.port ${port} is already used by "${portOwner}"; every service needs its own listener port`,
    );
  }
  owners.ports.set(port, key);
  const nameOwner = owners.names.get(serviceName);
  if (nameOwner !== undefined) {
    throw new Error(
      `services table: ${key}.defaults.serviceName "${serviceName}" is already used by "${nameOwner}"; ECS service names must differ`,
    );
  }
  owners.names.set(serviceName, key);
  if (!healthCheckPath.startsWith("/")) {
    throw new Error(`services table: ${key}.defaults.healthCheckPath "${healthCheckPath}" must start with "/"`);
  }
  checkImage(key, spec, owners);
  if (spec.httpsEntry && spec.optionalPublic) {
    throw new Error(`services table: ${key} is the httpsEntry and cannot be optionalPublic: 443 must always reach it`);
  }
}

/** Services that share an image tag share its Dockerfile: the workflow builds one image per tag. */
function checkImage(key: string, spec: ServiceSpec, owners: Owners): void {
  const dockerfile = owners.dockerfiles.get(spec.imageTag);
  if (dockerfile !== undefined && dockerfile !== spec.dockerfile) {
    throw new Error(
      `services table: ${key}.dockerfile "${spec.dockerfile}" differs from "${dockerfile}", which builds the same image tag "${spec.imageTag}"; give the image its own imageTag or use the same Dockerfile`,
    );
  }
  owners.dockerfiles.set(spec.imageTag, spec.dockerfile);
}

/**
 * Synth-time checks of a services table, before anything is built: keys
 * usable as variable prefixes, names and ports distinct, exactly one HTTPS
 * entry. Throws with the entry, the value and what is allowed.
 */
export function checkServiceTable(table: ServiceTable): void {
  const keys = Object.keys(table);
  if (keys.length === 0) throw new Error("services table: it is empty; at least one service is needed");
  const owners: Owners = { ports: new Map(), names: new Map(), dockerfiles: new Map() };
  for (const [key, spec] of Object.entries(table)) checkEntry(key, spec, owners);
  const entries = keys.filter((key) => table[key].httpsEntry);
  if (entries.length !== 1) {
    throw new Error(
      `services table: exactly one service must be the httpsEntry (served on 443); found ${entries.length ? entries.join(", ") : "none"}`,
    );
  }
}
