/**
 * Real Terraform against a local AWS emulator, for the Terraform suites.
 *
 * - providers come only from the offline filesystem mirror (a CLI config
 *   written to a temp dir, given through TF_CLI_CONFIG_FILE);
 * - the synthesized root is copied, unchanged, into a temp work dir: the
 *   real deploy/terraform is never written;
 * - moto (through moto_launcher.py) listens on 127.0.0.1 on a free port and
 *   is stopped by its PID;
 * - the real S3 backend and the real provider reach moto through
 *   AWS_ENDPOINT_URL, exactly as users run the root, with no override file.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { MessageChannel, receiveMessageOnPort, Worker } from "node:worker_threads";
import { tempDir, testTmp } from "../temp";

export const PROJECT_DIR = path.resolve(__dirname, "..", "..");
export const SYNTH_DIR = path.join(PROJECT_DIR, "deploy", "terraform");
export const LEGACY_DIR = path.join(PROJECT_DIR, "__tests__", "fixtures", "legacy-root");
const DEFAULT_MIRROR = "/opt/tf-plugins";
const DEFAULT_PYTHON = "python3";
export const MIRROR_DIR = process.env.TF_PLUGIN_MIRROR ?? DEFAULT_MIRROR;
export const AWS_PROVIDER_VERSION = "5.100.0";
/** The provider's package in a mirror or a plugin cache (the same unpacked layout). */
const PROVIDER_PACKAGE = path.join("registry.terraform.io", "hashicorp", "aws", AWS_PROVIDER_VERSION);
export const STATE_BUCKET = "autovisionai-terraform-state";
export const REGION = "us-west-1";
const LAUNCHER = path.join(__dirname, "..", "..", "emulator", "moto_launcher.py");
const PYTHON = process.env.PYTHON ?? DEFAULT_PYTHON;

/**
 * Throws a message that says what is missing and how to get it. Every suite calls it first; with the run's own
 * environment it checks once per run (a mark in the run's temp folder), as the answer does not change within a run.
 */
export function checkTools(env: NodeJS.ProcessEnv = process.env): void {
  const checked = env === process.env ? path.join(testTmp(), "tools-checked") : undefined;
  if (checked && fs.existsSync(checked)) return;
  const mirror = env.TF_PLUGIN_MIRROR ?? DEFAULT_MIRROR;
  const python = env.PYTHON ?? DEFAULT_PYTHON;
  const tf = spawnSync("terraform", ["version", "-json"], { encoding: "utf8", env });
  if (tf.error || tf.status !== 0) {
    throw new Error(
      "terraform is not on PATH: the Terraform suites need terraform >= 1.11 (https://developer.hashicorp.com/terraform/install)",
    );
  }
  const version = (JSON.parse(tf.stdout) as { terraform_version: string }).terraform_version;
  const [major, minor] = version.split(".").map(Number);
  if (major < 1 || (major === 1 && minor < 11)) {
    throw new Error(`terraform ${version} is too old: the root needs >= 1.11 (S3-native state locking)`);
  }
  const providerDir = path.join(mirror, PROVIDER_PACKAGE);
  if (!fs.existsSync(providerDir)) {
    throw new Error(
      `hashicorp/aws ${AWS_PROVIDER_VERSION} is not in the provider mirror ${mirror} (expected ${providerDir}); set TF_PLUGIN_MIRROR to the mirror's path`,
    );
  }
  const moto = spawnSync(python, ["-c", "import moto, boto3; print(moto.__version__)"], { encoding: "utf8", env });
  if (moto.error || moto.status !== 0) {
    throw new Error(
      `moto is not importable by ${python}: the Terraform suites need moto 5.2 with its server extras (pip install 'moto[server]==5.2.*')`,
    );
  }
  if (checked) fs.writeFileSync(checked, "");
}

/**
 * Puts the provider in the run's plugin cache before any init, by a copy and a rename (atomic: of workers that race,
 * one wins). Terraform's plugin cache is not safe for concurrent inits (its documentation says so;
 * hashicorp/terraform#31964): without a lock file's checksum every init reinstalls the 700 MB package into the cache,
 * and an init that ran beside another failed with "still not detected in the cache". With the package there and
 * TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE (terraformEnv), every init only reads the cache.
 */
function fillPluginCache(cache: string): void {
  const target = path.join(cache, PROVIDER_PACKAGE);
  if (fs.existsSync(target)) return;
  const staging = fs.mkdtempSync(path.join(testTmp(), "plugin-fill-"));
  fs.cpSync(path.join(MIRROR_DIR, PROVIDER_PACKAGE), staging, { recursive: true });
  fs.mkdirSync(path.dirname(target), { recursive: true });
  try {
    fs.renameSync(staging, target);
  } catch (error) {
    fs.rmSync(staging, { recursive: true, force: true });
    if (!fs.existsSync(target)) throw error;
  }
}

let cliConfig: string | undefined;
/** A Terraform CLI config that installs providers from the mirror only, with a shared plugin cache, filled. */
function cliConfigFile(): string {
  if (cliConfig) return cliConfig;
  const dir = tempDir("tfcli");
  cliConfig = path.join(dir, "terraform.rc");
  const cache = path.join(testTmp(), "tf-plugin-cache");
  fs.mkdirSync(cache, { recursive: true });
  fillPluginCache(cache);
  fs.writeFileSync(
    cliConfig,
    [
      `plugin_cache_dir = ${JSON.stringify(cache)}`,
      "provider_installation {",
      `  filesystem_mirror {\n    path    = ${JSON.stringify(MIRROR_DIR)}\n    include = ["registry.terraform.io/*/*"]\n  }`,
      '  direct {\n    exclude = ["registry.terraform.io/*/*"]\n  }',
      "}",
      "",
    ].join("\n"),
  );
  return cliConfig;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface Moto {
  readonly port: number;
  readonly endpoint: string;
  readonly pid: number;
  stop(): Promise<void>;
}

export interface StartMotoOptions {
  /** Create the state bucket (default true; false: make setup-backend's suite, or a restored emulator that has it). */
  readonly stateBucket?: boolean;
  /** Start from a state file saved by `saveMotoSnapshot` (the launcher's test-only restore) instead of an empty emulator. */
  readonly restoreFrom?: string;
}

/** Starts moto on 127.0.0.1 on a free port and creates the state bucket in it (unless `stateBucket` is false). */
export async function startMoto(options: StartMotoOptions = {}): Promise<Moto> {
  const port = await freePort();
  const logFile = path.join(testTmp(), `moto-${port}.log`);
  const log = fs.openSync(logFile, "w");
  const env = options.restoreFrom ? { ...process.env, AVAI_MOTO_RESTORE: options.restoreFrom } : process.env;
  const child: ChildProcess = spawn(PYTHON, [LAUNCHER, String(port)], { stdio: ["ignore", log, log], env });
  fs.closeSync(log);
  const endpoint = `http://127.0.0.1:${port}`;
  // Importing moto takes seconds, many more on a busy machine; loading a snapshot adds a few.
  const waitSeconds = 120;
  const deadline = Date.now() + waitSeconds * 1000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`moto exited with ${child.exitCode} before it listened; see ${logFile}`);
    }
    try {
      const res = await fetch(`${endpoint}/moto-api/`);
      if (res.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`moto did not listen on ${endpoint} within ${waitSeconds} s; see ${logFile}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  if (options.stateBucket !== false && !options.restoreFrom) {
    const bucket = await fetch(`${endpoint}/${STATE_BUCKET}`, {
      method: "PUT",
      body: `<CreateBucketConfiguration><LocationConstraint>${REGION}</LocationConstraint></CreateBucketConfiguration>`,
    });
    if (!bucket.ok) throw new Error(`creating the state bucket in moto failed: HTTP ${bucket.status}`);
  }
  const pid = child.pid as number;
  return {
    port,
    endpoint,
    pid,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      process.kill(pid, "SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) process.kill(pid, "SIGKILL");
    },
  };
}

/** A fresh temp dir holding a copy of the root's `*.tf` / `*.tf.json` files. */
export function copyRoot(sourceDir: string, label: string): string {
  const dir = tempDir(label);
  for (const name of fs.readdirSync(sourceDir)) {
    if (name.endsWith(".tf") || name.endsWith(".tf.json")) fs.copyFileSync(path.join(sourceDir, name), path.join(dir, name));
  }
  return dir;
}

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
}

export interface RunOptions {
  /** Text written to terraform's stdin. */
  readonly input?: string;
  /** Resolves with the child process as soon as it starts (for the lock test). */
  readonly onStart?: (child: ChildProcess) => void;
  /** Extra environment variables. */
  readonly env?: Readonly<Record<string, string>>;
}

/** The environment that points terraform, its S3 backend and the provider at moto (none: offline commands such as validate). */
export function terraformEnv(moto: Moto | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TMPDIR: process.env.TMPDIR,
    TF_CLI_CONFIG_FILE: cliConfigFile(),
    // The provider from the filled plugin cache (fillPluginCache), not installed into it again by every init.
    TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE: "true",
    TF_IN_AUTOMATION: "1",
    AWS_ENDPOINT_URL: moto?.endpoint ?? "http://127.0.0.1:9",
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: REGION,
    // The provider's own retries (max_retries) follow this: a missing API fails fast.
    AWS_MAX_ATTEMPTS: "2",
  };
  return env;
}

/** Runs a command with the emulator's environment; resolves with its exit code and output. */
export function runCommand(
  command: string,
  args: readonly string[],
  cwd: string,
  moto: Moto | undefined,
  options: RunOptions = {},
): Promise<RunResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...terraformEnv(moto), ...options.env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr, seconds: (Date.now() - started) / 1000 }));
    if (options.input !== undefined) child.stdin.end(options.input);
    options.onStart?.(child);
  });
}

/** Runs terraform in `dir` with `-no-color`; resolves with its exit code and output. */
export function terraform(dir: string, moto: Moto | undefined, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return runCommand("terraform", [...args, "-no-color"], dir, moto, options);
}

/** Runs a target of the project's Makefile against the work dir `dir` (cdktf works in `dir`/.cdktf.out, apart from other suites). */
export function make(
  dir: string,
  moto: Moto,
  target: string,
  vars: Record<string, string> = {},
  options: RunOptions = {},
): Promise<RunResult> {
  const assignments = Object.entries({ TF_DIR: dir, CDKTF_OUT: path.join(dir, ".cdktf.out"), ...vars }).map(([k, v]) => `${k}=${v}`);
  return runCommand("make", ["--no-print-directory", "-C", PROJECT_DIR, target, ...assignments], PROJECT_DIR, moto, options);
}

/** Like `terraform`, but throws with the output when the exit code is not 0 (or not in `okCodes`). */
export async function terraformOk(
  dir: string,
  moto: Moto | undefined,
  args: readonly string[],
  okCodes: readonly number[] = [0],
): Promise<RunResult> {
  const result = await terraform(dir, moto, args);
  if (!okCodes.includes(result.code)) {
    throw new Error(`terraform ${args.join(" ")} exited ${result.code}\n${result.stdout.slice(-4000)}\n${result.stderr.slice(-4000)}`);
  }
  return result;
}

export async function init(dir: string, moto: Moto): Promise<RunResult> {
  return terraformOk(dir, moto, ["init", "-input=false"]);
}

/** Terraform's JSON plan representation: the parts the suites read. */
export interface PlanJson {
  readonly resource_changes?: readonly {
    readonly address: string;
    readonly type: string;
    readonly name: string;
    readonly index?: string | number;
    readonly previous_address?: string;
    readonly change: {
      readonly actions: readonly string[];
      readonly before: unknown;
      readonly after: unknown;
      /** Where `after` is not known until apply: `true`, or the same shape as `after` with `true` at the unknown parts. */
      readonly after_unknown?: unknown;
      /** Attribute paths that force the replacement. */
      readonly replace_paths?: readonly (readonly (string | number)[])[];
    };
  }[];
  readonly planned_values?: { readonly root_module: StateModule };
  readonly output_changes?: Record<string, { readonly after: unknown }>;
}

export interface StateResource {
  readonly address: string;
  readonly type: string;
  readonly name: string;
  readonly index?: string | number;
  readonly values: Record<string, unknown>;
}
export interface StateModule {
  readonly resources?: readonly StateResource[];
}
export interface StateJson {
  readonly values?: { readonly root_module: StateModule; readonly outputs?: Record<string, { value: unknown }> };
}

/**
 * For a plan that checks what the configuration makes of some inputs, on a platform the suite has just applied and
 * re-planned empty: its resources are as the state says, and reading every one of them again (the refresh) would
 * only cost time. Plans that check the platform itself ("no changes after apply", drift) keep the refresh.
 */
export const NO_REFRESH = "-refresh=false";

/** `terraform plan -out` then `terraform show -json` of that plan. */
export async function planJson(dir: string, moto: Moto, extra: readonly string[] = []): Promise<{ plan: PlanJson; run: RunResult }> {
  const run = await terraformOk(dir, moto, ["plan", "-input=false", "-out=tfplan", ...extra]);
  const shown = await terraformOk(dir, moto, ["show", "-json", "tfplan"]);
  return { plan: JSON.parse(shown.stdout) as PlanJson, run };
}

/** The state file as Terraform stores it (format version 4): the parts `stateFromRaw` reads. */
export interface RawState {
  readonly outputs?: Record<string, { readonly value: unknown }>;
  readonly resources?: readonly {
    readonly module?: string;
    readonly mode: "managed" | "data";
    readonly type: string;
    readonly name: string;
    readonly instances: readonly { readonly index_key?: string | number; readonly attributes: Record<string, unknown> }[];
  }[];
}

/**
 * Attributes of a dynamic type, which the stored state keeps as `{ value, type }` and `show -json` shows as the
 * value alone, by resource type (the root's only ones: terraform_data's; deploy.test.ts compares the two readings).
 */
const DYNAMIC_ATTRIBUTES: Record<string, readonly string[]> = { terraform_data: ["input", "output", "triggers_replace"] };

function shownValues(type: string, attributes: Record<string, unknown>): Record<string, unknown> {
  const dynamic = DYNAMIC_ATTRIBUTES[type] ?? [];
  return Object.fromEntries(
    Object.entries(attributes).map(([name, v]) => [name, dynamic.includes(name) && v !== null ? (v as { value: unknown }).value : v]),
  );
}

/** The root module's resources and outputs of a stored state, shaped as `terraform show -json` gives them. */
export function stateFromRaw(raw: RawState): StateJson {
  const resources = (raw.resources ?? []).flatMap((r) => {
    if (r.module) throw new Error(`the state holds a module (${r.module}): the root has none, stateFromRaw reads the root module only`);
    const base = `${r.mode === "data" ? "data." : ""}${r.type}.${r.name}`;
    return r.instances.map((i) => ({
      address: i.index_key === undefined ? base : `${base}[${JSON.stringify(i.index_key)}]`,
      type: r.type,
      name: r.name,
      ...(i.index_key === undefined ? {} : { index: i.index_key }),
      values: shownValues(r.type, i.attributes),
    }));
  });
  const outputs = Object.fromEntries(Object.entries(raw.outputs ?? {}).map(([name, o]) => [name, { value: o.value }]));
  return { values: { root_module: { resources }, outputs } };
}

/**
 * The state's resources and outputs, read with `terraform state pull`: it starts no provider (a fraction of a
 * second where `terraform show -json` takes seconds), and deploy.test.ts checks it reads what `show -json` shows.
 */
export async function stateJson(dir: string, moto: Moto): Promise<StateJson> {
  const pulled = await terraformOk(dir, moto, ["state", "pull"]);
  // No state yet (nothing applied, or all destroyed and the object removed): state pull prints nothing.
  return stateFromRaw(pulled.stdout.trim() === "" ? {} : (JSON.parse(pulled.stdout) as RawState));
}

/** The values of the resource at `address` in state; throws, naming it, when the state has none there. */
export function valuesAt(state: StateJson, address: string): Record<string, unknown> {
  const found = (state.values?.root_module.resources ?? []).find((r) => r.address === address);
  if (!found) throw new Error(`${address} is not in state`);
  return found.values;
}

/** Resources in state of the given type. */
export function resourcesOf(state: StateJson, type: string): StateResource[] {
  return (state.values?.root_module.resources ?? []).filter((r) => r.type === type && !r.address.startsWith("data."));
}

/** The worker that makes the HTTP requests `postSync` waits for: it answers on the port, then wakes the caller. */
const POST_WORKER = `
const { parentPort } = require("node:worker_threads");
parentPort.on("message", async ({ url, body, port, signal }) => {
  let answer;
  try {
    const res = await fetch(url, { method: "POST", body });
    answer = { ok: res.ok, text: await res.text() };
  } catch (error) {
    answer = { ok: false, text: String(error) };
  }
  port.postMessage(answer);
  port.close();
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
});`;

/** How long a request to the emulator may take before postSync gives up. */
const POST_TIMEOUT_MS = 120_000;

let postWorker: Worker | undefined;

/**
 * POSTs `body` to `url` and returns the answer, synchronously: a worker thread makes the request while this thread
 * waits on a shared flag (Atomics.wait). A node process per request cost about 0.13 CPU-s each, and the suites make
 * hundreds.
 */
function postSync(url: string, body: string): { ok: boolean; text: string } {
  if (!postWorker) {
    postWorker = new Worker(POST_WORKER, { eval: true });
    postWorker.unref();
  }
  const signal = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  postWorker.postMessage({ url, body, port: port2, signal }, [port2]);
  const waited = Atomics.wait(signal, 0, 0, POST_TIMEOUT_MS);
  const message = receiveMessageOnPort(port1);
  port1.close();
  if (waited === "timed-out" || !message) throw new Error(`${url} did not answer within ${POST_TIMEOUT_MS / 1000} s`);
  return message.message as { ok: boolean; text: string };
}

/**
 * Calls one AWS API on moto through boto3 and returns its JSON answer: reads the emulator, not the state. The call
 * is made by the launcher's boto3, inside moto (`/moto-api/aws-call`, test infrastructure), so that a call costs a
 * request instead of a Python process importing boto3; it stays synchronous, as the suites read it.
 */
export function awsCall(moto: Moto, service: string, method: string, params: Record<string, unknown> = {}): Record<string, unknown> {
  const call = JSON.stringify({ service, region: REGION, method, params });
  const answer = postSync(`${moto.endpoint}/moto-api/aws-call`, call);
  if (!answer.ok) throw new Error(`aws ${service} ${method} failed: ${answer.text}`);
  return JSON.parse(answer.text) as Record<string, unknown>;
}

/**
 * `make` of a key, made once per key and shared: the rows that check their refusals in one plan all await that
 * plan. A failure is each awaiting row's to report.
 */
export function sharedByKey<K, T>(make: (key: K) => Promise<T>): (key: K) => Promise<T> {
  const made = new Map<K, Promise<T>>();
  return (key) => {
    let result = made.get(key);
    if (!result) {
      result = make(key);
      made.set(key, result);
    }
    return result;
  };
}

/** Prints one timing line that the suites' output collects. */
export function timing(label: string, seconds: number): void {
  console.log(`[timing] ${label}: ${seconds.toFixed(1)} s`);
}

/** Throws with the output when a command failed. */
export function expectOk(result: RunResult, what: string): RunResult {
  if (result.code !== 0) throw new Error(`${what} exited ${result.code}\n${result.stdout.slice(-4000)}\n${result.stderr.slice(-4000)}`);
  return result;
}

/** Imports a self-signed certificate for a test domain into the emulator's ACM; returns its ARN. */
export function importTestCertificate(moto: Moto, domain = "autovisionai.example.com"): string {
  const script = [
    "import boto3, datetime, sys",
    "from cryptography import x509",
    "from cryptography.hazmat.primitives import hashes, serialization",
    "from cryptography.hazmat.primitives.asymmetric import rsa",
    "from cryptography.x509.oid import NameOID",
    "key = rsa.generate_private_key(public_exponent=65537, key_size=2048)",
    "name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, sys.argv[1])])",
    "now = datetime.datetime.now(datetime.timezone.utc)",
    "cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())",
    "        .serial_number(x509.random_serial_number()).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=30))",
    "        .add_extension(x509.SubjectAlternativeName([x509.DNSName(sys.argv[1])]), critical=False).sign(key, hashes.SHA256()))",
    `acm = boto3.client("acm", endpoint_url=${JSON.stringify(moto.endpoint)}, region_name=${JSON.stringify(REGION)}, aws_access_key_id="test", aws_secret_access_key="test")`,
    "arn = acm.import_certificate(Certificate=cert.public_bytes(serialization.Encoding.PEM),",
    "    PrivateKey=key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()))['CertificateArn']",
    "print(arn)",
  ].join("\n");
  const out = spawnSync(PYTHON, ["-c", script, domain], { encoding: "utf8" });
  if (out.status !== 0) throw new Error(`importing a test certificate into moto failed: ${out.stderr}`);
  return out.stdout.trim();
}

/** Saves the emulator's whole state to `file` (the launcher's test-only snapshot; not an AWS API). */
export async function saveMotoSnapshot(moto: Moto, file: string): Promise<void> {
  const res = await fetch(`${moto.endpoint}/moto-api/snapshot/save?path=${encodeURIComponent(file)}`, { method: "POST" });
  if (!res.ok) throw new Error(`saving moto's state to ${file} failed: HTTP ${res.status} ${await res.text()}`);
}

/** A copy of a work dir: the root's files, .terraform (provider links into the run's plugin cache), the lock file, tfvars. */
function copyWorkDir(from: string, label: string): string {
  const dir = tempDir(label);
  fs.cpSync(from, dir, { recursive: true, verbatimSymlinks: true, filter: (src) => !src.endsWith(`${path.sep}tfplan`) });
  return dir;
}

export interface AppliedPlatform {
  /** This suite's own emulator, started from the snapshot of the applied platform: nothing it changes reaches another suite. */
  readonly moto: Moto;
  /** This suite's own work dir: the synthesized root, initialized against the S3 state in `moto`. */
  readonly dir: string;
  /** Seconds this call took (restoring moto and copying the work dir; building the snapshot too when this call built it). */
  readonly seconds: number;
}

/** What the shared platform is built from: a change to any of these builds a new one. */
function platformKey(): string {
  const hash = createHash("sha256");
  const emulatorDir = path.dirname(LAUNCHER);
  for (const [dir, suffix] of [
    [SYNTH_DIR, ".tf.json"],
    [emulatorDir, ".py"],
  ] as const) {
    for (const name of fs
      .readdirSync(dir)
      .filter((n) => n.endsWith(suffix))
      .sort()) {
      hash.update(name).update(fs.readFileSync(path.join(dir, name)));
    }
  }
  return hash.digest("hex").slice(0, 16);
}

const PLATFORM_BUILD_TIMEOUT_MS = 15 * 60_000;

/** What the build of the shared platform ran, kept for the deploy suite's checks of the team's two-phase deploy. */
export interface PlatformBuild {
  /** `make deploy-infra` from nothing: the base infrastructure (create_ecs_services=false). */
  readonly deployInfra: RunResult;
  /** The state right after `make deploy-infra`. */
  readonly infraState: StateJson;
  /** `make deploy-services` after it: the full platform. */
  readonly deployServices: RunResult;
}

const BUILD_RECORD = "build.json";
const BUILD_SNAPSHOT = "moto.pickle";

/**
 * Applies the default platform as the team deploys it from nothing (make deploy-infra, then make deploy-services,
 * each through the project's wrapper: init, guarded plan, apply of that plan), keeps what both printed and the
 * state between them, and saves moto's state.
 */
async function buildPlatform(cacheDir: string): Promise<void> {
  const started = Date.now();
  const moto = await startMoto();
  try {
    const work = path.join(cacheDir, "work");
    fs.mkdirSync(work);
    for (const name of fs.readdirSync(SYNTH_DIR).filter((n) => n.endsWith(".tf") || n.endsWith(".tf.json"))) {
      fs.copyFileSync(path.join(SYNTH_DIR, name), path.join(work, name));
    }
    const deployInfra = expectOk(await make(work, moto, "deploy-infra"), "make deploy-infra (the shared applied platform)");
    timing("applied platform: make deploy-infra (apply create_ecs_services=false)", deployInfra.seconds);
    const infraState = await stateJson(work, moto);
    const deployServices = expectOk(await make(work, moto, "deploy-services"), "make deploy-services (the shared applied platform)");
    timing("applied platform: make deploy-services (apply create_ecs_services=true)", deployServices.seconds);
    const record: PlatformBuild = { deployInfra, infraState, deployServices };
    fs.writeFileSync(path.join(cacheDir, BUILD_RECORD), JSON.stringify(record));
    await saveMotoSnapshot(moto, path.join(cacheDir, BUILD_SNAPSHOT));
  } finally {
    await moto.stop();
  }
  fs.writeFileSync(path.join(cacheDir, "ready"), JSON.stringify({ seconds: (Date.now() - started) / 1000 }));
  timing("applied platform: built", (Date.now() - started) / 1000);
}

/** True for exactly one suite (worker process): the one whose mkdir created the cache dir builds the platform. */
function claimBuild(cacheDir: string): boolean {
  try {
    fs.mkdirSync(cacheDir);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    return false;
  }
}

async function buildOrRecordFailure(cacheDir: string): Promise<void> {
  try {
    await buildPlatform(cacheDir);
  } catch (error) {
    fs.writeFileSync(path.join(cacheDir, "failed"), String((error as Error).stack ?? error));
    throw error;
  }
}

/** Waits for the building suite's "ready" mark; its "failed" mark, or the build timeout, ends the wait with its reason. */
async function waitForBuild(cacheDir: string): Promise<void> {
  const ready = path.join(cacheDir, "ready");
  const failed = path.join(cacheDir, "failed");
  const deadline = Date.now() + PLATFORM_BUILD_TIMEOUT_MS;
  while (!fs.existsSync(ready)) {
    if (fs.existsSync(failed)) throw new Error(`the shared applied platform failed to build:\n${fs.readFileSync(failed, "utf8")}`);
    if (Date.now() > deadline)
      throw new Error(`the shared applied platform was not built within ${PLATFORM_BUILD_TIMEOUT_MS / 60_000} min (${cacheDir})`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/**
 * The default platform, applied: both phases with the default variables
 * (make deploy-infra, then make deploy-services, as the team deploys),
 * applied ONCE per test run (by whichever suite asks first; the others wait
 * for it) and kept as a snapshot of the emulator (its S3 holds the Terraform
 * state too); `platformBuild()` gives what that deploy printed. Each call
 * starts a NEW moto from that snapshot and gives a new work dir, so a suite
 * may change anything: no other suite sees it.
 *
 *     const { moto, dir } = await appliedPlatform("my-suite");
 *     // ... terraform(dir, moto, ["plan", ...]), awsCall(moto, ...)
 *     await moto.stop();
 *
 * A suite that tests another apply from nothing (the migration's live
 * fixture, the sandbox, upgrades' emulator) applies for itself instead.
 */
export async function appliedPlatform(label: string): Promise<AppliedPlatform> {
  const started = Date.now();
  const { cacheDir, builder } = await sharedPlatform();
  const moto = await startMoto({ restoreFrom: path.join(cacheDir, BUILD_SNAPSHOT) });
  const dir = copyWorkDir(path.join(cacheDir, "work"), label);
  const seconds = (Date.now() - started) / 1000;
  timing(`${label}: applied platform ${builder ? "built and restored" : "restored"}`, seconds);
  return { moto, dir, seconds };
}

/** The record of the shared platform's build (building it first when no suite has): what the team's make targets printed. */
export async function platformBuild(): Promise<PlatformBuild> {
  const { cacheDir } = await sharedPlatform();
  return JSON.parse(fs.readFileSync(path.join(cacheDir, BUILD_RECORD), "utf8")) as PlatformBuild;
}

/** The run's shared platform, built by this call (`builder`) or by another suite's, which it waits for. */
async function sharedPlatform(): Promise<{ cacheDir: string; builder: boolean }> {
  const cacheDir = path.join(testTmp(), `applied-platform-${platformKey()}`);
  const builder = claimBuild(cacheDir);
  if (builder) await buildOrRecordFailure(cacheDir);
  else await waitForBuild(cacheDir);
  return { cacheDir, builder };
}
