/**
 * The team's terraform with this project's guards, in one environment
 * (platform/environment.ts). The Makefile, the workflows, the destroy script
 * and the sandbox run it through scripts/terraform.sh:
 *
 *   init    [init args]   terraform init for ENV's state
 *   plan    [plan args]   init, then plan into tfplan (tfplan-<env> outside prod)
 *   deploy  [plan args]   init, plan, apply that very plan
 *   destroy [-auto-approve]
 *                         destroy everything, data included (ALLOW_DATA_LOSS defaults to all)
 *   run <terraform command> [args]
 *                         any terraform command on ENV's state, with ENV's variables
 *                         where the command takes them
 *   describe              the environment model as JSON (state, data dir, variable files …)
 *
 * Guards, before anything changes, from facts rather than Terraform's prose:
 * - the variable files (parsed, HCL or JSON) set only declared variables; else the
 *   refusal names each and the declared name closest to it;
 * - outside prod, the root's own variable files set nothing environments/<env>.tfvars
 *   does not (prod's value would leak);
 * - plan and deploy: the held inputs (region, environment, project) are read from the
 *   state and compared with the values the files and -var give, before planning;
 * - data loss: the plan is made with prevent_destroy lifted for every resource that
 *   holds data (an override file, removed as soon as the plan is written); a plan that
 *   changes something (-detailed-exitcode, always passed) is read back with
 *   `terraform show -json` and refused, listing every protected resource it deletes or
 *   replaces, unless ALLOW_DATA_LOSS names exactly those (or "all"); then that very
 *   plan is applied.
 * Colour is off when stdout is not a terminal. Nothing is written outside the root.
 *
 * Environment: ENV, TERRAFORM, TF_DIR, ENV_DIR, STATE_BUCKET, STATE_REGION, ALLOW_DATA_LOSS.
 */
import { type SpawnOptions, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { refusedValues } from "./cost";
import { commandLineValues, typed, variableTypes } from "./terraform-inputs";
import {
  ALLOW_DATA_LOSS_OVERRIDE,
  allowDataLossOverride,
  allowedDataLoss,
  dataLossOf,
  dataLossRefusal,
  protectedResources,
  type ShownPlan,
} from "../platform/data-loss";
import { type EnvironmentModel, environmentFromProcess, EnvironmentError } from "../platform/environment";
import { heldChanges, heldValues, IDENTITY_RECORD } from "../platform/held-inputs";
import { syncRoot } from "../platform/sandbox-root";
import {
  checkVariableFiles,
  declaredVariables,
  effectiveValues,
  type ParsedFile,
  undeclaredMessage,
  undeclaredVariables,
} from "../platform/variables";

/** The project's folder: beside ops/ (or dist/, where the bundle runs). */
const PROJECT = path.join(__dirname, "..");

/** Terraform commands that take -no-color. */
const COLOURED = new Set(["init", "plan", "apply", "destroy", "refresh", "import", "validate", "show", "output"]);
/** Terraform commands that take the environment's variables. */
const WITH_VARIABLES = new Set(["plan", "destroy", "import", "console", "refresh"]);

class Refusal extends Error {}

interface Context {
  readonly model: EnvironmentModel;
  readonly terraform: string;
  readonly noColor: boolean;
  readonly env: NodeJS.ProcessEnv;
  readonly out: (line: string) => void;
}

function run(ctx: Context, args: readonly string[], capture = false): Promise<{ code: number; stdout: string }> {
  const command = args[0];
  // -no-color right after the command: Terraform reads no flag after a positional argument (a plan file).
  const full = [`-chdir=${ctx.model.tfDir}`, command, ...(ctx.noColor && COLOURED.has(command) ? ["-no-color"] : []), ...args.slice(1)];
  const options: SpawnOptions = {
    env: { ...ctx.env, ...ctx.model.terraformEnv },
    stdio: capture ? ["ignore", "pipe", "inherit"] : "inherit",
  };
  return new Promise((resolve, reject) => {
    const child = spawn(ctx.terraform, full, options);
    let stdout = "";
    child.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
    child.on("error", (error: NodeJS.ErrnoException) =>
      reject(
        error.code === "ENOENT" ? new Refusal(`${ctx.terraform} is not on PATH: install terraform >= 1.11 (or set TERRAFORM=...)`) : error,
      ),
    );
    child.on("close", (code) => resolve({ code: code ?? 1, stdout }));
  });
}

async function ok(ctx: Context, args: readonly string[]): Promise<void> {
  const { code } = await run(ctx, args);
  if (code !== 0) throw Object.assign(new Error(`terraform ${args[0]} failed`), { exitCode: code });
}

/** Writes the override that lifts prevent_destroy for `addresses`, runs `body`, and removes it whatever happens. */
async function withProtectionLifted<T>(ctx: Context, addresses: readonly string[], body: () => Promise<T>): Promise<T> {
  const file = path.join(ctx.model.tfDir, ALLOW_DATA_LOSS_OVERRIDE);
  if (addresses.length === 0) return body();
  fs.writeFileSync(file, allowDataLossOverride(addresses, "scripts/terraform.sh"));
  const remove = () => fs.rmSync(file, { force: true });
  // Ctrl-C reaches terraform too, which stops cleanly; the override goes at once, and the run ends as terraform does.
  const signals = ["exit", "SIGINT", "SIGTERM", "SIGHUP"] as const;
  for (const signal of signals) process.on(signal, remove);
  try {
    return await body();
  } finally {
    remove();
    for (const signal of signals) process.removeListener(signal, remove);
  }
}

/** Refuses a change of a held input, read from the state, before planning (Terraform's own check comes only after a full refresh). */
async function checkHeld(ctx: Context, parsed: readonly ParsedFile[], args: readonly string[]): Promise<boolean> {
  if (args.some((a) => a.includes(IDENTITY_RECORD))) return true;
  const pulled = await run(ctx, ["state", "pull"], true);
  if (pulled.code !== 0) return false;
  if (pulled.stdout.trim() === "") return true;
  const held = heldValues(JSON.parse(pulled.stdout));
  const line = await commandLineValues(args);
  const values = effectiveValues(
    declaredVariables(ctx.model.tfDir),
    [...parsed, ...line.files],
    { ...ctx.model.variables, ...line.vars },
    ctx.env,
  );
  const changes = heldChanges(held, values);
  if (changes.length > 0) throw new Refusal(`${changes.join("\n")}\nNothing was changed.`);
  return true;
}

/** init, with the held inputs checked first when the backend is set up already (a refusal in seconds), else right after. */
async function initChecked(ctx: Context, init: () => Promise<void>, parsed: readonly ParsedFile[], args: readonly string[]): Promise<void> {
  const backend = path.join(ctx.model.dataDir ?? path.join(ctx.model.tfDir, ".terraform"), "terraform.tfstate");
  const checked = fs.existsSync(backend) && (await checkHeld(ctx, parsed, args));
  await init();
  if (!checked) await checkHeld(ctx, parsed, args);
}

/**
 * The root's validations that have a TypeScript test (platform/inputs.ts), on the values Terraform
 * will see: refused before init, where Terraform reports them only once its plan walk is done.
 */
async function checkValues(ctx: Context, parsed: readonly ParsedFile[], args: readonly string[]): Promise<void> {
  const line = await commandLineValues(args);
  const declared = declaredVariables(ctx.model.tfDir);
  const values = effectiveValues(declared, [...parsed, ...line.files], { ...ctx.model.variables, ...line.vars }, ctx.env);
  const types = variableTypes(ctx.model.tfDir);
  const refused = refusedValues(Object.fromEntries(Object.entries(values).map(([k, v]) => [k, typed(v, types[k])])));
  if (refused.length > 0) throw new Refusal(`${refused.join("\n")}\nNothing was changed.`);
}

/** Terraform's flag that makes a plan exit 2 when it changes something (0: no changes, 1: an error). */
const DETAILED_EXITCODE = "-detailed-exitcode";

/** What a checked plan found: `changes` is false when Terraform's -detailed-exitcode said nothing would change. */
interface CheckedPlan {
  readonly code: number;
  readonly changes: boolean;
}

/**
 * Plans into the plan file with every protection lifted, then refuses data loss that ALLOW_DATA_LOSS does not name
 * exactly. The plan always runs with -detailed-exitcode (whoever asked for it): exit 2 is a plan that changes
 * something, read back with `terraform show -json` and checked; exit 0 changes nothing, so there is nothing to check
 * and no show (it starts the provider: seconds). The caller's own -detailed-exitcode is answered by planCommand.
 */
async function planChecked(ctx: Context, args: readonly string[], allowed: ReturnType<typeof allowedDataLoss>): Promise<CheckedPlan> {
  const known = protectedResources(ctx.model.tfDir);
  const planFile = ctx.model.planFile;
  const rest = args.filter((a) => a !== DETAILED_EXITCODE);
  const { code } = await withProtectionLifted(ctx, known, () =>
    run(ctx, ["plan", "-input=false", DETAILED_EXITCODE, `-out=${planFile}`, ...ctx.model.varArgs, ...rest]),
  );
  if (code !== 2) return { code, changes: false };
  const shown = await run(ctx, ["show", "-json", planFile], true);
  if (shown.code !== 0) throw new Refusal(`terraform show -json ${planFile} failed; nothing was changed`);
  const hits = dataLossOf(JSON.parse(shown.stdout || "{}") as ShownPlan, known);
  const refusal = dataLossRefusal(hits, allowed);
  if (refusal) {
    fs.rmSync(path.join(ctx.model.tfDir, planFile), { force: true });
    throw new Refusal(refusal);
  }
  if (hits.length > 0) announceLifted(ctx, hits);
  return { code: 0, changes: true };
}

/** The checks every command but describe runs first: the variable files, and what ALLOW_DATA_LOSS names. */
interface Checked {
  readonly parsed: readonly ParsedFile[];
  readonly known: string[];
  readonly allowed: ReturnType<typeof allowedDataLoss>;
}

/** One of the wrapper's commands: runs with the checks done; returns the exit code. */
type Command = (ctx: Context, args: readonly string[], checked: Checked) => Promise<number>;

/** Says which protected resources this run may destroy. */
function announceLifted(ctx: Context, addresses: readonly string[]): void {
  ctx.out(`>> data protection lifted for this run: ${addresses.join(" ")}`);
}

/** terraform init without the caller's arguments, as plan, deploy and destroy start. */
function init(ctx: Context): Promise<void> {
  return ok(ctx, ["init", "-input=false", ...ctx.model.backendArgs]);
}

/** init: terraform init for ENV's state. */
const initCommand: Command = async (ctx, args) => (await run(ctx, ["init", "-input=false", ...ctx.model.backendArgs, ...args])).code;

/** The values and held inputs checked, init, then the data-loss-checked plan: what plan and deploy start with. */
async function planAfterChecks(ctx: Context, args: readonly string[], { parsed, allowed }: Checked): Promise<CheckedPlan> {
  await checkValues(ctx, parsed, args);
  await initChecked(ctx, () => init(ctx), parsed, args);
  return planChecked(ctx, args, allowed);
}

/** plan: the checked plan; with -detailed-exitcode, 2 when it changes something, as Terraform answers. */
const planCommand: Command = async (ctx, args, checked) => {
  const { code, changes } = await planAfterChecks(ctx, args, checked);
  return code === 0 && changes && args.includes(DETAILED_EXITCODE) ? 2 : code;
};

/** deploy: the checked plan, then apply that very plan. */
const deployCommand: Command = async (ctx, args, checked) => {
  const { code } = await planAfterChecks(ctx, args, checked);
  if (code !== 0) return code;
  const { model } = ctx;
  const applied = (await run(ctx, ["apply", "-input=false", model.planFile])).code;
  // An applied plan is spent: Terraform refuses it a second time.
  if (applied === 0) fs.rmSync(path.join(model.tfDir, model.planFile), { force: true });
  return applied;
};

/** destroy: everything, data included (ALLOW_DATA_LOSS defaults to all). */
const destroyCommand: Command = async (ctx, args, { known, allowed }) => {
  const { model } = ctx;
  await init(ctx);
  // make destroy is for destroying everything, data included: ALLOW_DATA_LOSS defaults to all.
  const all = ctx.env.ALLOW_DATA_LOSS ? allowed : { all: true, addresses: known };
  if (all.all) announceLifted(ctx, known);
  const { code } = await planChecked(ctx, ["-destroy", ...args.filter((a) => a !== "-auto-approve")], all);
  if (code !== 0) return code;
  if (args.includes("-auto-approve")) return (await run(ctx, ["apply", "-input=false", model.planFile])).code;
  fs.rmSync(path.join(model.tfDir, model.planFile), { force: true });
  // Terraform's own confirmation prompt, on the resources the check allowed.
  return withProtectionLifted(ctx, all.addresses, async () => (await run(ctx, ["destroy", ...model.varArgs, ...args])).code);
};

/** The terraform command line of `run <command> [args]`: ENV's backend for init, ENV's variables where the command takes them. */
function runCommandLine(model: EnvironmentModel, sub: string, rest: readonly string[]): string[] {
  if (sub === "init") return ["init", ...model.backendArgs, ...rest];
  const savedPlan = sub === "apply" && rest.some((a) => !a.startsWith("-"));
  const withVars = WITH_VARIABLES.has(sub) || (sub === "apply" && !savedPlan);
  return withVars ? [sub, ...model.varArgs, ...rest] : [sub, ...rest];
}

/** run: any terraform command on ENV's state, with the protection ALLOW_DATA_LOSS names lifted. */
const runCommand: Command = async (ctx, args, { allowed }) => {
  if (args.length === 0) throw new Refusal("usage: scripts/terraform.sh run <terraform command> [args], e.g. run output");
  const [sub, ...rest] = args;
  const full = runCommandLine(ctx.model, sub, rest);
  if (allowed.addresses.length > 0) announceLifted(ctx, allowed.addresses);
  return withProtectionLifted(ctx, allowed.addresses, async () => (await run(ctx, full)).code);
};

/** The commands that run terraform, by name. */
const COMMANDS = new Map<string, Command>([
  ["init", initCommand],
  ["plan", planCommand],
  ["deploy", deployCommand],
  ["destroy", destroyCommand],
  ["run", runCommand],
]);

/** The checks before any terraform command: the variable files (the environment's and the command line's) and ALLOW_DATA_LOSS. */
async function preflight(ctx: Context, args: readonly string[]): Promise<Checked> {
  const { model } = ctx;
  const declared = Object.keys(declaredVariables(model.tfDir));
  const parsed = await checkVariableFiles(model, declared);
  // A -var-file on the command line too: Terraform only warns about its undeclared names.
  const undeclared = undeclaredVariables((await commandLineValues(args)).files, declared);
  if (undeclared.length > 0) throw new Refusal(undeclaredMessage(undeclared));
  if (!model.live) ctx.out(`>> ENV=${model.name}: state ${model.stateKey}, variables from ${model.envFile}`);
  const known = protectedResources(model.tfDir);
  return { parsed, known, allowed: allowedDataLoss(ctx.env.ALLOW_DATA_LOSS, known) };
}

async function dispatch(ctx: Context, command: string, args: readonly string[]): Promise<number> {
  if (command === "describe") {
    ctx.out(JSON.stringify(ctx.model, null, 2));
    return 0;
  }
  const handler = COMMANDS.get(command);
  if (!handler) throw new Refusal("usage: scripts/terraform.sh init|plan|deploy|destroy|run|describe [terraform arguments]");
  return handler(ctx, args, await preflight(ctx, args));
}

/** `scripts/terraform.sh <command> [args]`: runs it in ENV's environment; returns the exit code. */
export async function terraformMain(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [command = "", ...args] = argv;
  try {
    const defaults = { tfDir: path.join(PROJECT, "deploy", "terraform"), envDir: path.join(PROJECT, "environments") };
    // In the sandbox (SANDBOX_SOURCE), its root is made again from the synthesized one, variable files included, every time.
    if (env.SANDBOX_SOURCE && command !== "describe") {
      const files = syncRoot(env.SANDBOX_SOURCE, env.TF_DIR || defaults.tfDir);
      const names = files.map((f) => path.basename(f)).join(", ") || "none (the defaults)";
      process.stdout.write(`>> sandbox: ${env.TF_DIR} made again from ${env.SANDBOX_SOURCE}; variable files: ${names}\n`);
    }
    const model = environmentFromProcess(env, defaults);
    const ctx: Context = {
      model,
      terraform: env.TERRAFORM || "terraform",
      noColor: !process.stdout.isTTY,
      env,
      out: (line) => process.stdout.write(`${line}\n`),
    };
    return await dispatch(ctx, command, args);
  } catch (error) {
    if (error instanceof Refusal || error instanceof EnvironmentError) {
      process.stderr.write(`terraform.sh: ${error.message}\n`);
      return 1;
    }
    const code = (error as { exitCode?: number }).exitCode;
    if (typeof code === "number") return code;
    throw error;
  }
}
