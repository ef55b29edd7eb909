/**
 * Safe changes, tried as a user would after a real apply: inputs that would
 * break the platform or lose data are refused at plan time, naming the input,
 * the value and what is allowed, and the state does not change; the cdktf
 * path reads the same terraform.tfvars as plain terraform.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { protectedResources } from "../../platform/data-loss";
import {
  appliedPlatform,
  checkTools,
  expectOk,
  make,
  PROJECT_DIR,
  runCommand,
  sharedByKey,
  stateJson,
  terraform,
  timing,
  type Moto,
  type RunResult,
  type StateJson,
} from "./harness";

let moto: Moto;
let dir: string;
let before: StateJson;

const TF_SCRIPT = path.join(PROJECT_DIR, "scripts", "terraform.sh");
/** What holds data on the live platform (legacy-contract.md): the root protects at least these. */
const LIVE_DATA = [
  "aws_ecr_repository.autovisionai",
  "aws_efs_access_point.mlflow_store",
  "aws_efs_file_system.experiments",
  "aws_s3_bucket.mlflow_artifacts",
  "aws_secretsmanager_secret.wandb_api_key",
];
/** Terraform's error text on one line, without its box drawing. */
const flat = (run: RunResult) => `${run.stdout}\n${run.stderr}`.replace(/\s*│\s*/g, " ").replace(/\s+/g, " ");

function plan(...vars: string[]): Promise<RunResult> {
  return terraform(dir, moto, ["plan", "-input=false", "-lock=false", ...vars.flatMap((v) => ["-var", v])]);
}

/** The refusal table: an input, what the refusal says, and the plan it is checked in (`refusalPlan`). */
const REFUSALS: readonly (readonly [assignment: string, message: string, plan: RefusalPlan])[] = [
  [
    "az_count=3",
    "az_count must be at most the number of availability zones region us-west-1 offers: 2 (us-west-1a, us-west-1b); got 3",
    "preconditions",
  ],
  [
    "ui_service_name=autovision-api",
    'ui_service_name must differ from api_service_name: services, task families, log groups and target groups are named after it; got "autovision-api"',
    "preconditions",
  ],
  [
    "api_desired_count=5",
    "api_desired_count must lie between api_min_capacity (1) and api_max_capacity (1): autoscaling would move it there at once; got 5",
    "validations",
  ],
  [
    "deployment_maximum_percent=150",
    "deployment_maximum_percent must leave room to start a new task during a deploy: a service of 1 task(s) may then run at most 1 task(s) but must keep 1 running",
    "preconditions",
  ],
  [
    "mlflow_artifacts_bucket=my..artifacts",
    "mlflow_artifacts_bucket must be a valid S3 bucket name: 3-63 lower-case letters, digits, dots or hyphens, a letter or digit at both ends, no two dots in a row",
    "validations",
  ],
  ["ecr_repository_name=AutoVision", "ecr_repository_name must be 2-256 lower-case letters and digits", "validations"],
  [
    "alb_certificate_arn=arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d",
    'alb_certificate_arn must be a certificate in aws_region (us-west-1): an ALB uses certificates from its own region; request or import it there in ACM; got "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d"',
    "validations",
  ],
  [
    "alb_ssl_policy=ELBSecurityPolicy-TLS13-1-2-2021",
    "alb_ssl_policy must be one of the ALB's predefined TLS policies: ELBSecurityPolicy-TLS13-1-2-2021-06",
    "validations",
  ],
  [
    "aws_region=us-east-1",
    "aws_region is held at us-west-1 since the platform was created, and this plan sets it to us-east-1. Terraform would look for the platform in the new region",
    "region",
  ],
  [
    "environment=staging",
    "environment is held at prod since the platform was created, and this plan sets it to staging. Outside prod it is part of every name",
    "preconditions",
  ],
  [
    "project_name=autovision-dev",
    "project_name is held at autovisionai since the platform was created, and this plan sets it to autovision-dev. It names the ALB",
    "preconditions",
  ],
];

/**
 * The plan each row of the refusal table is checked in. The refusals are the root's own checks on its inputs
 * (validations, preconditions, postconditions on data sources), which Terraform makes with or without a refresh of
 * the resources; without it a plan takes seconds instead of ten (the region move's refresh looks for every resource
 * in the new region: 130 s). Terraform reports every check of a plan that fails, so rows share a plan where their
 * checks run at the same step and none reads another row's input: the variables' own validations (a failed one
 * ends the plan before any resource's precondition runs), then the preconditions. The region move has a plan of its
 * own: in another region az_count=3 would hold. Each row's message names its own input and value, so no row passes
 * on another's refusal.
 */
type RefusalPlan = "validations" | "preconditions" | "region";
const refusalPlan = sharedByKey((which: RefusalPlan) => {
  const assignments = REFUSALS.filter((row) => row[2] === which).flatMap(([assignment]) => ["-var", assignment]);
  return terraform(dir, moto, ["plan", "-input=false", "-lock=false", "-refresh=false", ...assignments]);
});
function scriptPlan(vars: readonly string[], env: Record<string, string> = {}): Promise<RunResult> {
  return runCommand("bash", [TF_SCRIPT, "plan", "-no-color", "-lock=false", ...vars.flatMap((v) => ["-var", v])], PROJECT_DIR, moto, {
    env: { TF_DIR: dir, ...env },
  });
}

describe("safe changes on a deployed platform", () => {
  beforeAll(async () => {
    checkTools();
    ({ moto, dir } = await appliedPlatform("safe"));
    // A user's terraform.tfvars, as the team keeps it, applied with make deploy-services on the shared applied platform.
    fs.writeFileSync(
      path.join(dir, "terraform.tfvars"),
      'alb_ingress_cidr_blocks = ["10.0.0.0/8"]\nefs_provisioned_throughput_mibps = 50\n',
    );
    const run = expectOk(await make(dir, moto, "deploy-services"), "make deploy-services");
    timing("safe-changes suite: make deploy-services with the suite's terraform.tfvars", run.seconds);
    before = await stateJson(dir, moto);
  });

  afterAll(async () => {
    await moto?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it.each(REFUSALS)("refuses %s at plan time, naming the input, the value and what is allowed", async (_assignment, message, which) => {
    const run = await refusalPlan(which);
    expect(run.code, run.stdout.slice(-2000)).toBe(1);
    expect(flat(run)).toContain(message);
    expect(run.stdout).not.toContain("Apply complete");
  });

  it("refuses a plan that would replace a resource holding data, and says how to allow it on purpose", async () => {
    const plain = await plan("mlflow_artifacts_bucket=autovision-mlflow-artifacts-v2");
    expect(plain.code).toBe(1);
    expect(flat(plain)).toContain("Resource aws_s3_bucket.mlflow_artifacts has lifecycle.prevent_destroy set");
    const script = await scriptPlan(["mlflow_artifacts_bucket=autovision-mlflow-artifacts-v2"]);
    expect(script.code).toBe(1);
    expect(flat(script)).toContain(
      'refused: this plan would destroy or replace aws_s3_bucket.mlflow_artifacts which hold data (docs/SAFE-CHANGES.md says which inputs do this). Nothing was changed. If that is what you mean, run again with ALLOW_DATA_LOSS="aws_s3_bucket.mlflow_artifacts".',
    );
  });

  it("plans the replacement when ALLOW_DATA_LOSS names it, and leaves no override behind", async () => {
    const run = await scriptPlan(["mlflow_artifacts_bucket=autovision-mlflow-artifacts-v2"], {
      ALLOW_DATA_LOSS: "aws_s3_bucket.mlflow_artifacts",
    });
    expect(run.code, flat(run).slice(-2000)).toBe(0);
    expect(run.stdout).toContain("data protection lifted for this run: aws_s3_bucket.mlflow_artifacts");
    expect(run.stdout).toMatch(/aws_s3_bucket\.mlflow_artifacts must be replaced/);
    expect(fs.readdirSync(dir).filter((f) => f.includes("override"))).toEqual([]);
    fs.rmSync(path.join(dir, "tfplan"), { force: true });
  });

  it("refuses ALLOW_DATA_LOSS for a resource that holds no data", async () => {
    const run = await scriptPlan([], { ALLOW_DATA_LOSS: "aws_vpc.main" });
    expect(run.code).toBe(1);
    // The resources that hold data, as the root marks them (prevent_destroy): the ones the live platform had, and more.
    const holding = protectedResources(dir);
    expect(holding).toEqual(expect.arrayContaining(LIVE_DATA));
    expect(flat(run)).toContain(
      `ALLOW_DATA_LOSS names aws_vpc.main, which holds no data here; the resources that do: ${holding.join(" ")}`,
    );
  });

  it("renames the project on purpose (-replace the record) without touching a resource that holds data", async () => {
    const run = await terraform(dir, moto, [
      "plan",
      "-input=false",
      "-lock=false",
      "-var",
      "project_name=autovision-dev",
      "-replace=terraform_data.platform_identity",
    ]);
    expect(run.code, flat(run).slice(-2000)).toBe(0);
    for (const address of [
      "aws_efs_file_system.experiments",
      "aws_s3_bucket.mlflow_artifacts",
      "aws_ecr_repository.autovisionai",
      "aws_secretsmanager_secret.wandb_api_key",
    ]) {
      expect(run.stdout).not.toMatch(new RegExp(`${address.replace(".", "\\.")} (must be replaced|will be destroyed)`));
    }
  });

  it("refuses make plan on a misspelled variable in terraform.tfvars before planning (Terraform itself only warns)", async () => {
    const tfvars = path.join(dir, "terraform.tfvars");
    const kept = fs.readFileSync(tfvars, "utf8");
    fs.writeFileSync(tfvars, `${kept}api_cpus = 4096\n`);
    try {
      const run = await make(dir, moto, "plan");
      expect(run.code).not.toBe(0);
      expect(flat(run)).toContain(
        "the variable files set variables this root does not declare: api_cpus (terraform.tfvars; did you mean api_cpu?). Terraform would only warn and plan without them; fix each name. Nothing was changed.",
      );
      expect(fs.existsSync(path.join(dir, "tfplan"))).toBe(false);
    } finally {
      fs.writeFileSync(tfvars, kept);
    }
  });

  it("make diff (cdktf) reads the same terraform.tfvars: no changes, and output readable in a log", async () => {
    const run = expectOk(await make(dir, moto, "diff"), "make diff");
    timing("safe-changes suite: make diff", run.seconds);
    expect(run.stdout).toContain("variables from");
    expect(run.stdout).toContain("No changes.");
    expect(run.stdout).not.toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/); // no spinner frames
    expect(`${run.stdout}${run.stderr}`).not.toContain("checkpoint-api.hashicorp.com");
  });

  it("changed nothing: the state is as the apply left it", async () => {
    expect(await stateJson(dir, moto)).toEqual(before);
  });
});

describe("the cdktf CLI as the README documents it", () => {
  it("npm run cdktf -- list: no checkpoint call, no error", async () => {
    const run = await runCommand("npm", ["run", "--silent", "cdktf", "--", "list"], PROJECT_DIR, undefined, { env: { CI: "1" } });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("autovisionai");
    expect(`${run.stdout}${run.stderr}`).not.toMatch(/\[ERROR\]|checkpoint-api/);
  });
});
