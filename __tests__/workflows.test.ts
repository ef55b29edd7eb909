/**
 * The GitHub workflows' job graph is the one docs/REVIEW.md states: plan before apply, apply only on main and only
 * a reviewed plan, drift on a schedule, and the plan and drift workflows
 * never holding credentials that can change the platform.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { files, WORKFLOWS } from "./workflow-files";

const PROJECT = path.resolve(__dirname, "..");

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  if?: string;
}
interface Job {
  needs?: string | string[];
  if?: string;
  environment?: string;
  permissions?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}
/** A step that changes the platform: terraform apply (plain or through scripts/terraform.sh) or the deploy targets. */
const APPLIES = /terraform(\.sh run)? apply\b|make (deploy|deploy-infra|deploy-services)(?![\w-])|cdktf deploy/;
const load = (name: string) => parse(fs.readFileSync(path.join(WORKFLOWS, name), "utf8")) as Workflow;
const needs = (job: Job) => (job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs]);
/** The AWS role a job assumes (the secret's name), or "—". */
const role = (job: Job) =>
  job.steps
    .filter((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials"))
    .map((s) => String(s.with?.["role-to-assume"]).match(/secrets\.([A-Z_]+)/)?.[1])
    .join(", ") || "—";
const writes = (w: Workflow, job: Job) =>
  Object.entries(job.permissions ?? w.permissions ?? {})
    .filter(([, v]) => v === "write")
    .map(([k]) => k)
    .sort()
    .join(", ") || "—";

/** One row per job, as docs/REVIEW.md's job table writes it. */
function jobRows(): string[] {
  return files
    .filter((f) => ["plan.yml", "deploy.yml", "drift.yml"].includes(f))
    .flatMap((file) => {
      const w = load(file);
      return Object.entries(w.jobs).map(
        ([id, job]) =>
          `| ${file} | ${id} | ${needs(job).join(", ") || "—"} | ${job.if?.includes("refs/heads/main") ? "main only" : "—"} | ${job.environment ? "yes" : "—"} | ${role(job)} | ${writes(w, job)} |`,
      );
    });
}

describe("the job graph docs/REVIEW.md states", () => {
  const plan = load("plan.yml");
  const deploy = load("deploy.yml");
  const drift = load("drift.yml");

  it("docs/REVIEW.md's job table is the workflows' jobs", () => {
    const doc = fs.readFileSync(path.join(PROJECT, "docs", "REVIEW.md"), "utf8");
    const documented = doc.split("\n").filter((l) => /^\| (plan|deploy|drift)\.yml \|/.test(l));
    expect(documented).toEqual(jobRows());
  });

  it("plan runs on pull requests, checks before planning, and never holds write credentials", () => {
    expect(Object.keys(plan.on)).toEqual(["pull_request"]);
    expect(needs(plan.jobs.plan)).toContain("checks");
    expect(plan.permissions).toEqual({ contents: "read" });
    for (const [id, job] of Object.entries(plan.jobs)) {
      expect(role(job), id).toMatch(/^(—|AWS_PLAN_ROLE_ARN)$/);
      const w = writes(plan, job);
      expect(w, id).toBe(id === "plan" ? "id-token" : id === "comment" ? "pull-requests" : "—");
      expect(job.environment, id).toBeUndefined();
      for (const s of job.steps) expect(s.run ?? "", id).not.toMatch(APPLIES);
    }
    // The comment job holds no AWS credentials; the plan job cannot comment.
    expect(role(plan.jobs.comment)).toBe("—");
    expect(plan.jobs.plan.permissions?.["pull-requests"]).toBeUndefined();
    const upload = plan.jobs.plan.steps.find(
      (s) => s.uses?.startsWith("actions/upload-artifact") && String(s.with?.name).startsWith("plan-"),
    );
    expect(upload?.with?.name).toBe("plan-${{ matrix.env }}-${{ github.event.pull_request.head.sha }}");
  });

  it("deploy applies only on main, only after finding the reviewed plan, in a protected environment, and nothing else applies", () => {
    const apply = deploy.jobs.apply;
    expect(needs(apply)).toEqual(["reviewed-plan"]);
    expect(needs(deploy.jobs["reviewed-plan"])).toEqual(["synth-check"]);
    expect(apply.if).toMatch(/^github\.ref == 'refs\/heads\/main'( && |$)/);
    expect(deploy.jobs["reviewed-plan"].if).toBe("github.ref == 'refs/heads/main'");
    expect(apply.environment).toMatch(/inputs\.environment \|\| 'prod'/);
    expect(role(apply)).toBe("AWS_DEPLOY_ROLE_ARN");
    const applying = Object.entries(deploy.jobs).filter(([, job]) => job.steps.some((s) => APPLIES.test(s.run ?? "")));
    expect(applying.map(([id]) => id)).toEqual(["apply"]);
    const script = apply.steps.map((s) => s.run ?? "").join("\n");
    expect(script).toContain('run apply -input=false "$PWD/reviewed/tfplan"');
    expect(script).toContain("--against reviewed/plan.json");
    // After the apply; synth-check gives the images to build (deploy/services.json).
    expect(needs(deploy.jobs.images)).toEqual(["synth-check", "apply"]);
  });

  it("drift runs on a daily schedule and by hand, with the read-only role, and never applies", () => {
    expect(Object.keys(drift.on).sort()).toEqual(["schedule", "workflow_dispatch"]);
    const cron = (drift.on.schedule as { cron: string }[])[0].cron.split(" ");
    expect(cron.slice(2)).toEqual(["*", "*", "*"]);
    for (const [id, job] of Object.entries(drift.jobs)) {
      expect(role(job), id).toMatch(/^(—|AWS_PLAN_ROLE_ARN)$/);
      for (const s of job.steps) expect(s.run ?? "", id).not.toMatch(APPLIES);
    }
    expect(drift.jobs.drift.steps.map((s) => s.run ?? "").join("\n")).toContain("review --drift");
  });
});
