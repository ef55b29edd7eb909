/**
 * The cost model against figures worked out by hand here, from the price
 * table's rates, for the platform's default variables (read from the
 * committed deploy/terraform, as `npm run ops -- cost` reads them).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it, vi } from "vitest";
import { loadValues, refusedValues, variableDefaults } from "../ops/cost";
import { costLines, parseAssignment, total } from "../ops/cost-model";
import { DEFAULT_USAGE } from "../ops/cost-usage";
import { PRICES } from "../ops/prices";
import { LIVE_SERVICES } from "../platform/intended-changes";
import { SERVICE_KEYS } from "../platform/services";
import { tempDir } from "./temp";

// HashiCorp's HCL parser loads its WebAssembly on first use: seconds on a busy machine.
vi.setConfig({ testTimeout: 30_000 });

const ROOT = path.join(__dirname, "..", "deploy", "terraform");
const defaults = variableDefaults(ROOT);
const line = (lines: ReturnType<typeof costLines>, item: string) => {
  const found = lines.find((l) => l.item === item);
  if (!found) throw new Error(`no line ${item}`);
  return found.monthly;
};

describe("ops cost: the default platform, by hand", () => {
  const lines = costLines(defaults, { ...DEFAULT_USAGE, alarms: 0 });

  it("states its region and the date its figures were read", () => {
    expect(PRICES.region).toBe("us-west-1");
    expect(PRICES.readOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it("EFS: 100 MiB/s provisioned x $6.60 = $660.00; 100 GB Standard x $0.33 = $33.00", () => {
    expect(line(lines, "provisioned throughput")).toBeCloseTo(660.0, 6);
    expect(line(lines, "storage, Standard")).toBeCloseTo(33.0, 6);
  });

  it("Fargate Spot: ui_spot_percent 100 prices the UI at 30 % (41.4494 x 0.3 = $12.4348), 50 at 65 % ($26.9421)", () => {
    expect(line(costLines({ ...defaults, ui_spot_percent: 100 }, DEFAULT_USAGE), "ui")).toBeCloseTo(12.43482, 4);
    expect(line(costLines({ ...defaults, ui_spot_percent: 50 }, DEFAULT_USAGE), "ui")).toBeCloseTo(26.94211, 4);
    expect(line(costLines({ ...defaults, ui_spot_percent: 100 }, DEFAULT_USAGE), "api")).toBeCloseTo(82.8988, 4);
  });

  it("Fargate: the API (2 vCPU, 4 GB): (2 x 0.04656 + 4 x 0.00511) x 730 = $82.8988", () => {
    // 0.09312 + 0.02044 = 0.11356 per hour; x 730 = 82.8988
    expect(line(lines, "api")).toBeCloseTo(82.8988, 4);
    // UI (1 vCPU, 2 GB): (0.04656 + 0.01022) x 730 = 41.4494; MLflow and TensorBoard (0.5 vCPU, 1 GB): (0.02328 + 0.00511) x 730 = 20.7247
    expect(line(lines, "ui")).toBeCloseTo(41.4494, 4);
    expect(line(lines, "mlflow")).toBeCloseTo(20.7247, 4);
    expect(line(lines, "tensorboard")).toBeCloseTo(20.7247, 4);
  });

  it("network: NAT 730 x 0.048 + 20 GB x 0.048 = $36.00; 3 public IPv4 x 730 x 0.005 = $10.95; ALB 730 x (0.0252 + 0.008) = $24.236", () => {
    expect(line(lines, "NAT gateway")).toBeCloseTo(36.0, 6);
    expect(line(lines, "public IPv4 addresses")).toBeCloseTo(10.95, 6);
    expect(line(lines, "ALB")).toBeCloseTo(24.236, 6);
  });

  it("backups 100 GB x $0.055 = $5.50; logs 5 GB x (0.50 + 0.03) = $2.65; secret $0.40; S3 20 GB x 0.026 = $0.52", () => {
    expect(line(lines, "EFS daily backups (warm)")).toBeCloseTo(5.5, 6);
    expect(line(lines, "service logs")).toBeCloseTo(2.65, 6);
    expect(line(lines, "WANDB secret")).toBeCloseTo(0.4, 6);
    expect(line(lines, "MLflow artifacts (S3)")).toBeCloseTo(0.52, 6);
  });

  it("totals $939.0536 a month with the live services (and each added service's Fargate line)", () => {
    // 660 + 33 + 82.8988 + 41.4494 + 20.7247 x 2 + 36 + 10.95 + 24.236 + 5.5 + 2.65 + 0.4 + 0 + 0.52
    // = 693 + 82.8988 + 41.4494 + 41.4494 + 36 + 10.95 + 24.236 + 5.5 + 2.65 + 0.4 + 0.52
    const added = SERVICE_KEYS.filter((key) => !(LIVE_SERVICES as readonly string[]).includes(key)).map((key) => line(lines, key));
    expect(total(lines)).toBeCloseTo(939.0536 + added.reduce((sum, monthly) => sum + monthly, 0), 4);
  });

  it("--compare efs_provisioned_throughput_mibps=10 saves 90 x $6.60 = $594.00", () => {
    const [name, value] = parseAssignment("efs_provisioned_throughput_mibps=10", defaults);
    const after = costLines({ ...defaults, [name]: value }, DEFAULT_USAGE);
    expect(total(lines) - total(after)).toBeCloseTo(594.0, 6);
  });

  it("elastic throughput: 200 GB read x 0.033 + 50 GB written x 0.066 = $9.90", () => {
    const after = costLines({ ...defaults, efs_throughput_mode: "elastic" }, DEFAULT_USAGE);
    expect(line(after, "elastic throughput")).toBeCloseTo(9.9, 6);
    expect(after.some((l) => l.item === "provisioned throughput")).toBe(false);
  });

  it("alarms: 12 x $0.10 = $1.20; backups off: $0; no services: no Fargate lines", () => {
    expect(line(costLines(defaults, { ...DEFAULT_USAGE, alarms: 12 }), "CloudWatch alarms")).toBeCloseTo(1.2, 6);
    expect(line(costLines({ ...defaults, efs_backup_enabled: false }), "EFS daily backups")).toBe(0);
    expect(costLines({ ...defaults, create_ecs_services: false }).filter((l) => l.group === "Fargate")).toEqual([]);
  });

  it("web firewall: $5 web ACL + 4 rules x $1 + 5 million requests x $0.60 = $12.00; off by default", () => {
    expect(line(costLines({ ...defaults, waf_enabled: true }, DEFAULT_USAGE), "web firewall (AWS WAF)")).toBeCloseTo(12, 6);
    expect(
      line(costLines({ ...defaults, waf_enabled: true }, { ...DEFAULT_USAGE, albRequestsMillions: 50 }), "web firewall (AWS WAF)"),
    ).toBeCloseTo(39, 6);
    expect(costLines(defaults).some((l) => l.item === "web firewall (AWS WAF)")).toBe(false);
  });

  it("Cognito sign-in: free for 20 users; 10,100 users: 100 past the free 10,000 x $0.015 = $1.50", () => {
    expect(line(costLines({ ...defaults, sign_in: "cognito" }, DEFAULT_USAGE), "sign-in (Cognito)")).toBe(0);
    expect(line(costLines({ ...defaults, sign_in: "cognito" }, { ...DEFAULT_USAGE, signInUsers: 10100 }), "sign-in (Cognito)")).toBeCloseTo(
      1.5,
      6,
    );
    expect(costLines({ ...defaults, sign_in: "oidc" }).some((l) => l.item === "sign-in (Cognito)")).toBe(false);
  });

  it("refuses a --compare of an unknown variable or a value of the wrong type, naming both", () => {
    expect(() => parseAssignment("efs_mibps=10", defaults)).toThrow("--compare efs_mibps: no such variable");
    expect(() => parseAssignment("api_cpu=lots", defaults)).toThrow("--compare api_cpu=lots: api_cpu is a number");
    expect(() => parseAssignment("efs_backup_enabled=yes", defaults)).toThrow("efs_backup_enabled is true or false");
    expect(() => parseAssignment("nonsense", defaults)).toThrow("write name=value");
  });
});

describe("ops cost: the inputs Terraform uses", () => {
  it("reads terraform.tfvars over the defaults (HCL), and refuses a variable the platform does not declare", async () => {
    const dir = tempDir("ops-cost");
    fs.copyFileSync(path.join(ROOT, "main.tf.json"), path.join(dir, "main.tf.json"));
    fs.writeFileSync(
      path.join(dir, "terraform.tfvars"),
      'api_desired_count = 1\napi_max_capacity = 3\nefs_provisioned_throughput_mibps = 20 # the live value x 2\nalb_ingress_cidr_blocks = ["203.0.113.0/24"]\n',
    );
    const { values, files } = await loadValues(dir);
    expect(files.map((f) => path.basename(f))).toEqual(["terraform.tfvars"]);
    expect(values.efs_provisioned_throughput_mibps).toBe(20);
    expect(values.alb_ingress_cidr_blocks).toEqual(["203.0.113.0/24"]);
    expect(line(costLines(values), "provisioned throughput")).toBeCloseTo(132.0, 6);
    fs.writeFileSync(path.join(dir, "extra.auto.tfvars"), "efs_mibps = 5\n");
    await expect(loadValues(dir)).rejects.toThrow("efs_mibps (extra.auto.tfvars; did you mean efs_provisioned_throughput_mibps?)");
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe("ops cost: values checked by the root's own rules (platform/inputs.ts)", () => {
  it("the defaults pass", () => {
    expect(refusedValues(defaults)).toEqual([]);
  });

  it.each([
    [{ efs_throughput_mode: "elastc" }, 'efs_throughput_mode must be one of "provisioned", "elastic", "bursting"; got "elastc".'],
    [{ efs_throughput_mode: "Elastic" }, 'efs_throughput_mode must be one of "provisioned", "elastic", "bursting"; got "Elastic".'],
    [{ api_cpu: 4096 }, "api_memory must be a Fargate memory size for api_cpu"],
    [
      { alb_ingress_cidr_blocks: ["10.0.0.0/8", "203.0.113.7/24"] },
      'write ["10.0.0.0/8","203.0.113.0/24"]; got ["10.0.0.0/8","203.0.113.7/24"].',
    ],
    [
      { api_desired_count: 3 },
      "api_desired_count must lie between api_min_capacity (1) and api_max_capacity (1): autoscaling would move it there at once; got 3.",
    ],
    [
      { efs_throughput_mode: "elastic", efs_provisioned_throughput_mibps: 10 },
      'efs_provisioned_throughput_mibps applies only when efs_throughput_mode is "provisioned" (it is "elastic")',
    ],
  ])("refuses %j as make plan would", (change, message) => {
    expect(refusedValues({ ...defaults, ...change }).join(" ")).toContain(message);
  });

  it("allows what the plan allows: elastic with the default throughput, a Fargate pair, a count inside the bounds", () => {
    expect(refusedValues({ ...defaults, efs_throughput_mode: "elastic" })).toEqual([]);
    expect(refusedValues({ ...defaults, api_cpu: 4096, api_memory: 8192 })).toEqual([]);
    expect(refusedValues({ ...defaults, api_desired_count: 3, api_max_capacity: 3 })).toEqual([]);
  });
});
