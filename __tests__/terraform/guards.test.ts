/**
 * Every way into the platform × every guard, run for real against the
 * emulator: plain `terraform -chdir`, make (scripts/terraform.sh), cdktf by
 * hand and through make, and `npm run ops -- cost`. The guards: undeclared
 * variables, data loss (the complete list in one message, ALLOW_DATA_LOSS
 * exact, that very plan applied), prod's values leaking into another
 * environment, the held region / environment / project, and the inputs that
 * used to fail deep in the provider. Guards need plans, not applies: one small
 * applied state (the resources that hold data and the identity record) is
 * made once, in `beforeAll`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../temp";
import {
  checkTools,
  copyRoot,
  init,
  make,
  PROJECT_DIR,
  type RunResult,
  runCommand,
  sharedByKey,
  type StateJson,
  startMoto,
  stateJson,
  SYNTH_DIR,
  terraform,
  terraformOk,
  timing,
  type Moto,
} from "./harness";

const TF_SCRIPT = path.join(PROJECT_DIR, "scripts", "terraform.sh");
/** The resources that hold data, the identity record that holds the region, environment and project. */
const SMALL_STATE = [
  "terraform_data.platform_identity",
  "aws_s3_bucket.mlflow_artifacts",
  "aws_ecr_repository.autovisionai",
  "aws_secretsmanager_secret.wandb_api_key",
  "aws_secretsmanager_secret_version.wandb_api_key",
];
/** What renaming the bucket, the repository and the secret at once destroys: three resources (and the secret's version). */
const THREE = [
  "aws_ecr_repository.autovisionai",
  "aws_s3_bucket.mlflow_artifacts",
  "aws_secretsmanager_secret.wandb_api_key",
  "aws_secretsmanager_secret_version.wandb_api_key",
];
const RENAME_THREE =
  'mlflow_artifacts_bucket = "autovision-mlflow-artifacts-v2"\necr_repository_name = "autovisionai2"\nwandb_secret_name = "autovisionai/wandb-api-key-v2"\n';

let moto: Moto;
let dir: string;
let envDir: string;
let scratch: string;
let before: StateJson;

/** Terraform's error text on one line, without its box drawing. */
const flat = (run: RunResult) => `${run.stdout}\n${run.stderr}`.replace(/\s*│\s*/g, " ").replace(/\s+/g, " ");

/** Runs `body` with `deploy/terraform`'s variable file set to `tfvars` (the user's terraform.tfvars), removed after. */
async function withTfvars<T>(tfvars: string, body: () => Promise<T>, name = "terraform.tfvars"): Promise<T> {
  const file = path.join(dir, name);
  fs.writeFileSync(file, tfvars);
  try {
    return await body();
  } finally {
    fs.rmSync(file, { force: true });
  }
}

/** scripts/terraform.sh with TMPDIR in a scratch folder (to prove it leaves nothing there). */
function script(args: readonly string[], env: Record<string, string> = {}): Promise<RunResult> {
  return runCommand("bash", [TF_SCRIPT, ...args], PROJECT_DIR, moto, { env: { TF_DIR: dir, ENV_DIR: envDir, TMPDIR: scratch, ...env } });
}

/** The cdktf CLI by hand, as the README shows it, on the suite's root. */
function cdktf(command: string, env: Record<string, string> = {}): Promise<RunResult> {
  return runCommand(
    "npx",
    ["cdktf", command, "autovisionai", "--output", path.join(dir, ".cdktf.out"), "--skip-provider-lock", "--auto-approve"],
    PROJECT_DIR,
    moto,
    { env: { CI: "1", CHECKPOINT_DISABLE: "1", TF_DIR: dir, ENV_DIR: envDir, ...env } },
  );
}

function plainPlan(vars: readonly string[] = []): Promise<RunResult> {
  return terraform(dir, moto, ["plan", "-input=false", "-lock=false", ...vars.flatMap((v) => ["-var", v])]);
}

/**
 * The plain-terraform plans of the input rows at the end, one per set of inputs: Terraform reports every failing
 * validation of a plan, so rows whose rules read none of the others' inputs share one. efs_throughput_mode takes two
 * values in the rows, hence two plans. Each row's message names its own input, so no row passes on another's refusal.
 */
const INPUT_PLANS = {
  validations: ['alb_ingress_cidr_blocks=["203.0.113.7/24"]', "efs_throughput_mode=elastc", "api_cpu=4096", "api_desired_count=3"],
  elastic: ["efs_provisioned_throughput_mibps=10", "efs_throughput_mode=elastic"],
} as const;
const inputPlan = sharedByKey((which: keyof typeof INPUT_PLANS) => {
  const run = plainPlan(INPUT_PLANS[which]);
  // A failure to run is reported by the rows that await the plan.
  run.then(
    (r) => timing(`guards suite: ${which} refused (plain terraform, at the end of its plan walk)`, r.seconds),
    () => undefined,
  );
  return run;
});

/** What the suite may leave in the root: Terraform's own files and the cdktf output, never an override or a plan. */
function leftovers(): string[] {
  return fs.readdirSync(dir).filter((f) => /override|^tfplan/.test(f));
}

describe("guards on every way in", () => {
  beforeAll(async () => {
    checkTools();
    moto = await startMoto();
    dir = copyRoot(SYNTH_DIR, "guards");
    envDir = tempDir("guards-env");
    scratch = tempDir("guards-tmp");
    fs.writeFileSync(path.join(envDir, "staging.tfvars"), 'efs_throughput_mode = "elastic"\n');
    await init(dir, moto);
    // One small applied state: what holds data, and the record of the held inputs.
    const applied = await terraformOk(dir, moto, ["apply", "-input=false", "-auto-approve", ...SMALL_STATE.map((a) => `-target=${a}`)]);
    timing("guards suite: small apply", applied.seconds);
    before = await stateJson(dir, moto);
  });

  afterAll(async () => {
    await moto?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  describe("undeclared variable (mlflow_publc = false would leave MLflow public)", () => {
    it("make plan: refused before terraform plans, naming it and the declared name", async () => {
      const run = await withTfvars("mlflow_publc = false\n", () => make(dir, moto, "plan"));
      expect(run.code).not.toBe(0);
      expect(flat(run)).toContain("mlflow_publc (terraform.tfvars; did you mean mlflow_public?)");
      expect(run.stdout).not.toContain("Terraform will perform");
      expect(leftovers()).toEqual([]);
    });

    it("make deploy (cdktf): refused at synth, before Terraform runs", async () => {
      const run = await withTfvars("ui_cpus = 2048\n", () => make(dir, moto, "deploy", { AUTO_APPROVE: "1" }));
      expect(run.code).not.toBe(0);
      expect(flat(run)).toContain("ui_cpus (terraform.tfvars; did you mean ui_cpu?)");
      expect(run.stdout).not.toContain("Apply complete");
    });

    it("a JSON variable file with a value over several lines is read as well", async () => {
      const run = await withTfvars(
        '{\n  "alb_ingres_cidr_blocks": [\n    "10.0.0.0/8"\n  ]\n}\n',
        () => make(dir, moto, "plan"),
        "office.auto.tfvars.json",
      );
      expect(run.code).not.toBe(0);
      expect(flat(run)).toContain("alb_ingres_cidr_blocks (office.auto.tfvars.json; did you mean alb_ingress_cidr_blocks?)");
    });

    it("plain terraform: only a warning (Terraform cannot refuse it; README says the wrappers add this)", async () => {
      const run = await withTfvars("mlflow_publc = false\n", () => plainPlan(["create_ecs_services=false"]));
      expect(flat(run)).toContain("Value for undeclared variable");
    });
  });

  describe("data loss", () => {
    it("make plan: one plan replacing three resources that hold data is refused, listing every one (the secret's long address too)", async () => {
      const run = await withTfvars(RENAME_THREE, () => make(dir, moto, "plan"));
      timing("guards suite: make plan (three protected)", run.seconds);
      expect(run.code).not.toBe(0);
      const refusal = flat(run).match(
        /refused: this plan would destroy or replace .*? If that is what you mean, run again with ALLOW_DATA_LOSS="[^"]*"\./,
      )?.[0];
      expect(refusal, flat(run).slice(-3000)).toBeDefined();
      expect(refusal).toContain(`ALLOW_DATA_LOSS="${THREE.join(" ")}"`);
      expect(leftovers()).toEqual([]);
      expect(fs.readdirSync(scratch)).toEqual([]);
      expect(run.stdout).not.toContain("\u001b["); // no colour codes in a log
    });

    it("following the refusal's own ALLOW_DATA_LOSS plans the replacements", async () => {
      const run = await withTfvars(RENAME_THREE, () => make(dir, moto, "plan", { ALLOW_DATA_LOSS: THREE.join(" ") }));
      expect(run.code, flat(run).slice(-2000)).toBe(0);
      for (const a of THREE) expect(run.stdout).toContain(`${a} must be replaced`);
      expect(fs.readdirSync(dir).filter((f) => f.includes("override"))).toEqual([]);
      fs.rmSync(path.join(dir, "tfplan"), { force: true });
    });

    it("ALLOW_DATA_LOSS naming only some of them is refused, naming all of them", async () => {
      const run = await withTfvars(RENAME_THREE, () => make(dir, moto, "plan", { ALLOW_DATA_LOSS: "aws_s3_bucket.mlflow_artifacts" }));
      expect(run.code).not.toBe(0);
      expect(flat(run)).toContain(`ALLOW_DATA_LOSS="${THREE.join(" ")}"`);
      expect(flat(run)).toContain("it must name exactly these");
      expect(leftovers()).toEqual([]);
    });

    it("plain terraform: refused by prevent_destroy itself (Terraform's message, one error per resource)", async () => {
      const run = await plainPlan(["wandb_secret_name=autovisionai/wandb-api-key-v2"]);
      expect(run.code).toBe(1);
      expect(flat(run)).toContain("has lifecycle.prevent_destroy set");
    });

    it("cdktf destroy by hand: refused before Terraform runs, saying ALLOW_DATA_LOSS=all is needed", async () => {
      const run = await cdktf("destroy");
      expect(run.code).not.toBe(0);
      expect(flat(run)).toContain("refused: cdktf destroy would destroy or replace");
      expect(flat(run)).toContain("aws_secretsmanager_secret.wandb_api_key");
      expect(flat(run)).toContain("If that is what you mean, run again with ALLOW_DATA_LOSS=all.");
    });
  });

  describe("prod's values leaking into another environment", () => {
    it("make plan ENV=staging and make diff ENV=staging (cdktf) refuse the same way, before anything runs", async () => {
      const [plan, diff] = await withTfvars("api_cpu = 2048\napi_memory = 4096\n", async () => [
        await make(dir, moto, "plan", { ENV: "staging", ENV_DIR: envDir }),
        await make(dir, moto, "diff", { ENV: "staging", ENV_DIR: envDir }),
      ]);
      for (const run of [plan, diff]) {
        expect(run.code).not.toBe(0);
        expect(flat(run)).toContain("they set api_cpu (terraform.tfvars) api_memory (terraform.tfvars), which");
        expect(flat(run)).toContain("staging would take prod's values");
      }
    });
  });

  describe("held region, environment and project", () => {
    it("make plan: a region move is refused from the state, before planning, in seconds", async () => {
      const run = await withTfvars('aws_region = "us-east-1"\n', () => make(dir, moto, "plan"));
      timing("guards suite: region move refused (make plan)", run.seconds);
      expect(run.code).not.toBe(0);
      expect(flat(run)).toContain("aws_region is held at us-west-1 since the platform was created, and this plan sets it to us-east-1.");
      expect(run.stdout).not.toContain("Terraform will perform");
      expect(run.seconds).toBeLessThan(15);
    });

    it("make plan: environment = staging in prod's files says to deploy another environment beside this one, not ALLOW_DATA_LOSS", async () => {
      const run = await withTfvars('environment = "staging"\n', () => make(dir, moto, "plan"));
      expect(run.code).not.toBe(0);
      expect(flat(run)).toContain("environment is held at prod since the platform was created, and this plan sets it to staging.");
      expect(flat(run)).toContain("Deploy another environment beside this one instead (ENV=<name>)");
      expect(flat(run)).not.toContain("run again with ALLOW_DATA_LOSS");
    });

    it("plain terraform: the root's precondition refuses the same, with the same words", async () => {
      // Both in one plan: Terraform reports each failing precondition of the identity record.
      const run = await plainPlan(["environment=staging", "project_name=autovision-dev"]);
      expect(run.code).toBe(1);
      expect(flat(run)).toContain("Deploy another environment beside this one instead (ENV=<name>)");
      expect(flat(run)).toContain("project_name is held at autovisionai since the platform was created");
    });
  });

  describe("inputs refused by the root itself and, before anything runs, by the wrapper, naming the variable and the fix", () => {
    it.each([
      [
        'alb_ingress_cidr_blocks=["203.0.113.7/24"]',
        'alb_ingress_cidr_blocks must give each block by its network address, with no host bits set: write ["203.0.113.0/24"]',
        "validations",
      ],
      [
        "efs_provisioned_throughput_mibps=10",
        'efs_provisioned_throughput_mibps applies only when efs_throughput_mode is "provisioned" (it is "elastic")',
        "elastic",
      ],
    ] as const)("plain terraform and make plan: %s", async (assignment, message, plans) => {
      const vars = assignment.startsWith("efs_provisioned") ? [assignment, "efs_throughput_mode=elastic"] : [assignment];
      expect(INPUT_PLANS[plans]).toEqual(expect.arrayContaining(vars));
      const plain = await inputPlan(plans);
      expect(plain.code).toBe(1);
      expect(flat(plain)).toContain(message);
      // The wrapper checks the same rules (their TypeScript tests) before terraform init.
      const wrapped = await script(["plan", ...vars.flatMap((v) => ["-var", v])]);
      timing(`guards suite: ${assignment} refused (scripts/terraform.sh plan)`, wrapped.seconds);
      expect(wrapped.code).not.toBe(0);
      expect(flat(wrapped)).toContain(message);
      expect(wrapped.stdout).not.toContain("Initializing");
      expect(wrapped.seconds).toBeLessThan(15);
    });
  });

  describe("ops cost --compare refuses what make plan refuses", () => {
    it.each([
      [
        "efs_throughput_mode=elastc",
        'efs_throughput_mode must be one of "provisioned", "elastic", "bursting"; got "elastc"',
        "validations",
      ],
      ["api_cpu=4096", "api_memory must be a Fargate memory size for api_cpu", "validations"],
      ["api_desired_count=3", "api_desired_count must lie between api_min_capacity (1) and api_max_capacity (1)", "validations"],
      ["efs_provisioned_throughput_mibps=10 efs_throughput_mode=elastic", "efs_provisioned_throughput_mibps applies only when", "elastic"],
    ] as const)("%s", async (assignments, message, plans) => {
      const run = await runCommand(
        "npm",
        ["run", "-s", "ops", "--", "cost", "--tf-dir", dir, "--compare", ...assignments.split(" ")],
        PROJECT_DIR,
        moto,
      );
      expect(run.code).toBe(64);
      expect(run.stderr).toContain(message);
      expect(INPUT_PLANS[plans]).toEqual(expect.arrayContaining(assignments.split(" ")));
      const plan = await inputPlan(plans);
      expect(plan.code).toBe(1);
      expect(flat(plan)).toContain(message.replace(/; got .*/, ""));
    });
  });

  it("changed nothing: the plans and refusals above left the state as the small apply made it", async () => {
    expect(await stateJson(dir, moto)).toEqual(before);
    expect(leftovers()).toEqual([]);
  });

  // Last: the one row that applies.
  describe("data loss, applied on purpose", () => {
    it("deploy with ALLOW_DATA_LOSS naming exactly what the plan replaces applies that very plan (a targeted deploy)", async () => {
      const targets = ["aws_secretsmanager_secret.wandb_api_key", "aws_secretsmanager_secret_version.wandb_api_key"];
      const args = ["deploy", "-var", "wandb_secret_name=autovisionai/wandb-api-key-v3", ...targets.map((t) => `-target=${t}`)];
      const refused = await script(args);
      expect(refused.code).not.toBe(0);
      expect(flat(refused)).toContain(`ALLOW_DATA_LOSS="${targets.join(" ")}"`);
      expect(await stateJson(dir, moto)).toEqual(before);
      const run = await script(args, { ALLOW_DATA_LOSS: targets.join(" ") });
      expect(run.code, flat(run).slice(-3000)).toBe(0);
      expect(run.stdout).toMatch(/Apply complete! Resources: 2 added, 0 changed, 2 destroyed/);
      expect(leftovers()).toEqual([]);
      expect(fs.readdirSync(scratch)).toEqual([]);
    });
  });
});
