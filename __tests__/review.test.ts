/**
 * The review's parts on plan fragments shaped as `terraform show -json`
 * writes them (the emulator suite __tests__/terraform/review.test.ts
 * reviews real plans): actions, attribute changes with masking, units and
 * protected resources from the committed root, the guards' verdicts, the
 * cost's before side, the Markdown table. The command's exit codes:
 * review-cli.test.ts.
 */
import { describe, expect, it } from "vitest";
import { costLines, total } from "../ops/cost-model";
import { DEFAULT_USAGE } from "../ops/cost-usage";
import { fingerprintDifference, REVIEW_EXIT, review } from "../ops/review";
import { costInputsFromResources } from "../ops/review-cost";
import { attributeChanges, MASK, UNKNOWN } from "../ops/review-diff";
import { actionOf, indexRoot, parseAllowDataLoss, parsePlan, protectedTouched, terraformSummary, unitOf } from "../ops/review-plan";
import { markdownTable, renderReview } from "../ops/review-render";
import { SERVICE_KEYS } from "../platform/services";
import { change, defaults, plan, ROOT } from "./plan-fixture";

const root = indexRoot(ROOT);

describe("reading a plan", () => {
  it("turns Terraform's action lists into one action, and counts them as terraform plan does", () => {
    const p = plan([
      change("aws_s3_bucket.a", ["create"], null, {}),
      change("aws_s3_bucket.b", ["update"], {}, {}),
      change("aws_s3_bucket.c", ["delete", "create"], {}, {}),
      change("aws_s3_bucket.d", ["create", "delete"], {}, {}),
      change("aws_s3_bucket.e", ["delete"], {}, null),
      change("aws_s3_bucket.f", ["no-op"], {}, {}),
    ]);
    expect((p.resource_changes ?? []).map(actionOf)).toEqual(["create", "update", "replace", "replace", "delete", "no-op"]);
    expect(terraformSummary(p)).toBe("Plan: 3 to add, 1 to change, 3 to destroy.");
  });

  it("refuses a file that is not a JSON plan, or the plan of a failed run, saying what to pass", () => {
    expect(() => parsePlan("tfplan binary", "x")).toThrow("x is not JSON: pass a saved plan");
    expect(() => parsePlan("{}", "x")).toThrow("x is not a Terraform JSON plan (no format_version)");
    expect(() => parsePlan('{"format_version":"1.2","errored":true}', "x")).toThrow("errored: true");
  });

  it("maps addresses to the unit file that declares them, and reads the protected resources from the root", () => {
    expect(unitOf("aws_security_group.alb", root)).toBe("network");
    expect(unitOf("aws_s3_bucket.mlflow_artifacts", root)).toBe("storage");
    expect(unitOf("aws_ecs_task_definition.api[0]", root)).toBe("services");
    expect(unitOf("aws_cloudwatch_metric_alarm.api_cpu_high[0]", root)).toBe("observability");
    expect(unitOf("aws_instance.gone", root)).toBe("other");
    for (const r of [
      "aws_efs_file_system.experiments",
      "aws_s3_bucket.mlflow_artifacts",
      "aws_ecr_repository.autovisionai",
      "aws_secretsmanager_secret.wandb_api_key",
    ]) {
      expect(root.protectedResources).toContain(r);
    }
    expect(root.protectedResources).not.toContain("aws_security_group.alb");
  });

  it("names the data-holding resources touched, whether they lose data, and whether ALLOW_DATA_LOSS allows it", () => {
    const p = plan([
      change("aws_s3_bucket.mlflow_artifacts", ["delete", "create"], { bucket: "a" }, { bucket: "b" }),
      change("aws_efs_file_system.experiments", ["update"], { throughput_mode: "provisioned" }, { throughput_mode: "elastic" }),
      change("aws_security_group.alb", ["update"], {}, {}),
    ]);
    expect(protectedTouched(p, root)).toEqual([
      { address: "aws_s3_bucket.mlflow_artifacts", action: "replace", dataLoss: true, allowed: false },
      { address: "aws_efs_file_system.experiments", action: "update", dataLoss: false, allowed: false },
    ]);
    expect(protectedTouched(p, root, parseAllowDataLoss("aws_s3_bucket.mlflow_artifacts"))[0].allowed).toBe(true);
    expect(protectedTouched(p, root, parseAllowDataLoss("all"))[0].allowed).toBe(true);
    expect(parseAllowDataLoss(" a.b, c.d ")).toEqual(["a.b", "c.d"]);
  });
});

describe("attribute changes", () => {
  it("lists what differs, before → after, with lists of values whole and unknowns named", () => {
    const c = change(
      "aws_security_group.alb",
      ["update"],
      { description: "x", ingress: [{ cidr_blocks: ["10.0.0.0/8"], from_port: 80 }], id: "sg-1" },
      { description: "x", ingress: [{ cidr_blocks: ["0.0.0.0/0"], from_port: 80 }], id: null },
      { after_unknown: { id: true } },
    );
    expect(attributeChanges(c)).toEqual([
      { path: "id", before: "sg-1", after: UNKNOWN, forcesReplacement: false },
      { path: "ingress[0].cidr_blocks", before: '["10.0.0.0/8"]', after: '["0.0.0.0/0"]', forcesReplacement: false },
    ]);
  });

  it("masks what the plan marks sensitive, and secrets by name, on both sides", () => {
    const c = change(
      "aws_secretsmanager_secret_version.wandb_api_key",
      ["update"],
      { secret_string: "old-key", tags: { a: "1" }, password_hint: "p" },
      { secret_string: "new-key", tags: { a: "2" }, password_hint: "q" },
      { before_sensitive: { password_hint: true }, after_sensitive: { password_hint: true } },
    );
    const changes = attributeChanges(c);
    expect(changes.map((a) => [a.path, a.before, a.after])).toEqual([
      ["password_hint", MASK, MASK],
      ["secret_string", MASK, MASK],
      ["tags.a", "1", "2"],
    ]);
    const text = renderReview(review(plan([c]), { root }), "text");
    const md = renderReview(review(plan([c]), { root }), "markdown", "prod");
    for (const secret of ["old-key", "new-key", '"p"', '"q"']) {
      expect(text).not.toContain(secret);
      expect(md).not.toContain(secret);
    }
  });

  it("compares JSON held in a string (IAM policies) inside, and marks what forces replacement", () => {
    const policy = (action: string) => JSON.stringify({ Statement: [{ Action: action, Effect: "Allow", Resource: "*" }] });
    const c = change(
      "aws_iam_role_policy.x",
      ["delete", "create"],
      { name: "a", policy: policy("s3:GetObject") },
      { name: "b", policy: policy("s3:*") },
      {
        replace_paths: [["name"]],
      },
    );
    expect(attributeChanges(c)).toEqual([
      { path: "name", before: "a", after: "b", forcesReplacement: true },
      { path: "policy:Statement[0].Action", before: "s3:GetObject", after: "s3:*", forcesReplacement: false },
    ]);
  });
});

describe("the guards' verdict", () => {
  it("an empty plan is safe (exit 0)", () => {
    const r = review(plan([change("aws_s3_bucket.mlflow_artifacts", ["no-op"], {}, {})]), { root });
    expect([r.verdict, r.exitCode, r.findings]).toEqual(["safe", REVIEW_EXIT.safe, []]);
  });

  it("replacing the artifacts bucket is refused (exit 5) unless ALLOW_DATA_LOSS names it (exit 4)", () => {
    const p = plan([
      change("aws_s3_bucket.mlflow_artifacts", ["delete", "create"], { bucket: "a" }, { bucket: "b" }, { replace_paths: [["bucket"]] }),
    ]);
    const refused = review(p, { root });
    expect([refused.verdict, refused.exitCode]).toEqual(["refused", 5]);
    expect(refused.findings[0].text).toContain('ALLOW_DATA_LOSS="aws_s3_bucket.mlflow_artifacts"');
    const allowed = review(p, { root, allowDataLoss: ["aws_s3_bucket.mlflow_artifacts"] });
    expect([allowed.verdict, allowed.exitCode]).toEqual(["attention", 4]);
  });

  it("flags exposure: ingress opened to the internet, MLflow's listener added, HTTPS off", () => {
    const r = review(
      plan([
        change(
          "aws_security_group.alb",
          ["update"],
          { ingress: [{ cidr_blocks: ["10.0.0.0/8"], from_port: 80 }] },
          { ingress: [{ cidr_blocks: ["0.0.0.0/0"], from_port: 80 }] },
        ),
        change("aws_lb_listener.mlflow[0]", ["create"], null, { port: 8080, protocol: "HTTP" }),
        change("aws_lb_listener.api[0]", ["update"], { port: 8000, protocol: "HTTPS" }, { port: 8000, protocol: "HTTP" }),
      ]),
      { root },
    );
    expect(r.findings.map((f) => `${f.kind} ${f.address}: ${f.text}`)).toEqual([
      "exposure aws_security_group.alb: ingress opened to the whole internet: + 0.0.0.0/0 (ports 80); - 10.0.0.0/8 (ports 80)",
      "exposure aws_lb_listener.mlflow[0]: new public listener on port 8080 (HTTP): mlflow has no login of its own",
      "exposure aws_lb_listener.api[0]: HTTPS off on port 8000",
    ]);
    expect(r.verdict).toBe("attention");
  });

  it("flags IAM changes and task size and count", () => {
    const r = review(
      plan([
        change(
          "aws_iam_role_policy.ecs_task_role_policy",
          ["update"],
          { policy: '{"Statement":[]}' },
          { policy: '{"Statement":[{"Action":"s3:*"}]}' },
        ),
        change(
          "aws_ecs_task_definition.api[0]",
          ["delete", "create"],
          { cpu: "2048", family: "autovision-api" },
          { cpu: "4096", family: "autovision-api" },
        ),
        change("aws_ecs_service.ui[0]", ["update"], { desired_count: 1 }, { desired_count: 2 }),
      ]),
      { root },
    );
    const kinds = r.findings.map((f) => `${f.kind} ${f.address}`);
    expect(kinds).toContain("iam aws_iam_role_policy.ecs_task_role_policy");
    expect(r.findings.find((f) => f.address === "aws_ecs_task_definition.api[0]")?.text).toBe("cpu 2048 → 4096");
    expect(r.findings.find((f) => f.address === "aws_ecs_service.ui[0]")?.text).toBe("desired_count 1 → 2");
  });
});

describe("drift", () => {
  it("names what changed outside Terraform where it matters to the plan, not the refresh's normalisations", () => {
    const rule = { cidr_blocks: ["198.51.100.0/24"], from_port: 22 };
    const p = plan([change("aws_security_group.alb", ["update"], { ingress: [rule] }, { ingress: [] })], {
      resource_drift: [
        change("aws_security_group.alb", ["update"], { ingress: [] }, { ingress: [rule] }),
        change("aws_cloudwatch_metric_alarm.efs_io_limit", ["update"], { tags: null }, { tags: {} }),
        change("aws_iam_role.backup_role", ["update"], { name: "a", inline_policy: [] }, { name: "b", inline_policy: [{ name: "x" }] }),
        change("aws_efs_file_system.experiments", ["delete"], { id: "fs-1" }, null),
      ],
      relevant_attributes: [{ resource: "aws_iam_role.backup_role", attribute: ["name"] }],
    });
    const r = review(p, { root });
    expect(r.drift.map((d) => [d.address, d.action, d.attributes.map((a) => `${a.path}: ${a.before} → ${a.after}`)])).toEqual([
      ["aws_security_group.alb", "update", ['ingress[0].cidr_blocks: — → ["198.51.100.0/24"]', "ingress[0].from_port: — → 22"]],
      ["aws_iam_role.backup_role", "update", ["name: a → b"]],
      ["aws_efs_file_system.experiments", "delete", []],
    ]);
  });
});

describe("cost before and after", () => {
  /** The default platform's resources as the state holds them (the parts the cost model reads). */
  const resources = (v: Record<string, unknown>) => [
    ...SERVICE_KEYS.flatMap((k) => [
      {
        address: `aws_ecs_service.${k}[0]`,
        type: "aws_ecs_service",
        name: k,
        values: { name: v[`${k}_service_name`], desired_count: v[`${k}_desired_count`] },
      },
      {
        address: `aws_ecs_task_definition.${k}[0]`,
        type: "aws_ecs_task_definition",
        name: k,
        values: { family: v[`${k}_service_name`], cpu: String(v[`${k}_cpu`]), memory: String(v[`${k}_memory`]) },
      },
    ]),
    {
      address: "aws_efs_file_system.experiments",
      type: "aws_efs_file_system",
      name: "experiments",
      values: { throughput_mode: v.efs_throughput_mode, provisioned_throughput_in_mibps: v.efs_provisioned_throughput_mibps },
    },
    {
      address: "aws_efs_backup_policy.experiments",
      type: "aws_efs_backup_policy",
      name: "experiments",
      values: { backup_policy: [{ status: "ENABLED" }] },
    },
    { address: "aws_subnet.private[0]", type: "aws_subnet", name: "private", values: {} },
    { address: "aws_subnet.private[1]", type: "aws_subnet", name: "private", values: {} },
  ];

  it("reads the model's inputs back from the resources: the default platform costs what ops cost says", () => {
    const inputs = costInputsFromResources(resources(defaults), { ...defaults, api_cpu: 1, efs_provisioned_throughput_mibps: 1 });
    expect(total(costLines(inputs, DEFAULT_USAGE))).toBeCloseTo(total(costLines(defaults, DEFAULT_USAGE)), 6);
  });

  it("before from the prior state, after from the plan's variables: the difference of a bigger API task", () => {
    const after = { ...defaults, api_cpu: 4096, api_memory: 8192 };
    const p = plan([], {
      variables: Object.fromEntries(Object.entries(after).map(([k, v]) => [k, { value: v }])),
      prior_state: { values: { root_module: { resources: resources(defaults) } } },
      planned_values: { root_module: { resources: resources(after) } },
    });
    const r = review(p, { root });
    const expected = total(costLines(after, DEFAULT_USAGE)) - total(costLines(defaults, DEFAULT_USAGE));
    expect(r.cost.totalAfter - r.cost.totalBefore).toBeCloseTo(expected, 6);
    expect(expected).toBeGreaterThan(50);
    expect(r.findings.map((f) => f.kind)).toEqual(["cost"]);
  });
});

describe("rendering and comparing", () => {
  it("draws a GitHub Markdown table: a separator under the head only, pipes in cells escaped", () => {
    const lines = markdownTable(
      ["a", "b"],
      [
        ["x|y", "1"],
        ["z", "2"],
      ],
    ).split("\n");
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^\| a +\| b +\|$/);
    expect(lines[1]).toMatch(/^\|-+\|-+\|$/);
    expect(lines[2]).toContain("x\\|y");
  });

  it("tells two plans apart by what they do, not by how they were made", () => {
    const a = plan([change("aws_ecs_service.ui[0]", ["update"], { desired_count: 1 }, { desired_count: 2 })]);
    const same = plan([
      change("aws_ecs_service.ui[0]", ["update"], { desired_count: 1 }, { desired_count: 2 }),
      change("aws_vpc.main", ["no-op"], {}, {}),
    ]);
    const other = plan([change("aws_ecs_service.ui[0]", ["update"], { desired_count: 1 }, { desired_count: 3 })]);
    expect(fingerprintDifference(a, same)).toEqual([]);
    expect(fingerprintDifference(a, other)).toEqual([
      "- update aws_ecs_service.ui[0] desired_count=2",
      "+ update aws_ecs_service.ui[0] desired_count=3",
    ]);
  });
});
