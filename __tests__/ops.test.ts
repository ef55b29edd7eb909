/** The ops CLI without AWS: arguments, the transfer plan, formatting, and what the synthesized root gives it. */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { EXIT, explain, OpsError } from "../ops/errors";
import { age, bytes } from "../ops/format";
import { resolvePlatform } from "../ops/platform";
import { renderStatus, type StatusReport } from "../ops/status";
import { archives, localManifest, planCopy, remotePath } from "../ops/transfer-plan";
import { tempDir } from "./temp";

const ROOT = path.join(__dirname, "..", "deploy", "terraform");
const read = (file: string) => JSON.parse(fs.readFileSync(path.join(ROOT, file), "utf8"));

describe("ops: the transfer plan", () => {
  const local = [
    { path: "a.txt", size: 3, mtime: 1000 },
    { path: "b.txt", size: 3, mtime: 1000 },
    { path: "c.txt", size: 3, mtime: 1000 },
    { path: "d.txt", size: 3, mtime: 1000 },
  ];
  const remote = [
    { path: "b.txt", size: 3, mtime: 1001 }, // same age within 2 s, same size: unchanged
    { path: "c.txt", size: 5, mtime: 900 }, // older there: updated
    { path: "d.txt", size: 3, mtime: 2000 }, // newer there: kept unless forced
  ];
  it("copies new and older files, skips equal ones, and keeps newer ones unless forced", () => {
    expect(planCopy(local, remote).map((f) => `${f.path}:${f.move}`)).toEqual([
      "a.txt:new",
      "b.txt:same",
      "c.txt:update",
      "d.txt:conflict",
    ]);
    expect(planCopy(local, remote, true).find((f) => f.path === "d.txt")?.move).toBe("update");
  });

  it("packs files into archives under the limit, a big file alone", () => {
    const files = [5, 5, 12, 1].map((size, i) => ({ path: `f${i}`, size, mtime: 0 }));
    expect(archives(files, 10).map((a) => a.map((f) => f.path))).toEqual([["f0", "f1"], ["f2"], ["f3"]]);
  });

  it("keeps remote paths inside the experiments tree", () => {
    expect(remotePath("/runs/exp-1/")).toBe("runs/exp-1");
    expect(remotePath("")).toBe(".");
    expect(() => remotePath("../etc")).toThrow('remote path "../etc" leaves the experiments tree');
  });

  it("lists local files with relative paths, sizes and times, no directories", () => {
    const dir = tempDir("ops-manifest");
    fs.mkdirSync(path.join(dir, "run", "logs"), { recursive: true });
    fs.writeFileSync(path.join(dir, "run", "logs", "x.log"), "hello");
    fs.utimesSync(path.join(dir, "run", "logs", "x.log"), 1_700_000_000, 1_700_000_000);
    expect(localManifest(dir)).toEqual([{ path: "run/logs/x.log", size: 5, mtime: 1_700_000_000 }]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe("ops: errors a user can act on", () => {
  it("says what to do about missing credentials, a wrong region, and an unreachable endpoint", () => {
    expect(
      explain(Object.assign(new Error("Could not load credentials from any providers"), { name: "CredentialsProviderError" })).message,
    ).toMatch(/^no AWS credentials: set AWS_PROFILE/);
    const missing = explain(Object.assign(new Error("Cluster not found."), { name: "ClusterNotFoundException" }), "us-east-1");
    expect(missing.message).toContain("in us-east-1: is the platform deployed there? (wrong region?");
    expect(missing.exitCode).toBe(EXIT.notDeployed);
    expect(explain(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" })).message).toMatch(
      /^cannot reach AWS/,
    );
    expect(explain(new OpsError("as is", 7)).exitCode).toBe(7);
  });

  it("finds the platform in terraform's outputs, flags first, and refuses without a region", () => {
    const outputs = {
      aws_region: { value: "us-west-1" },
      efs_file_system_id: { value: "fs-1" },
      ecs_service_names: { value: { api: "a" } },
      api_url: { value: "http://x:8000" },
    };
    const p = resolvePlatform(outputs, { fileSystem: "fs-2" }, {});
    expect(p).toMatchObject({ region: "us-west-1", fileSystemId: "fs-2", serviceNames: { api: "a" }, urls: { api: "http://x:8000" } });
    expect(() => resolvePlatform({}, {}, {})).toThrow("no AWS region");
  });
});

describe("ops: formatting", () => {
  it("writes sizes and ages for people", () => {
    expect(bytes(0)).toBe("0 B");
    expect(bytes(1536)).toBe("1.5 KiB");
    expect(bytes(5 * 1024 ** 3)).toBe("5.0 GiB");
    expect(age(new Date(0), new Date(3 * 86400_000))).toBe("3 d");
  });

  it("shows the reasons of a degraded platform under its status", () => {
    const report: StatusReport = {
      health: "degraded",
      problems: ["api: 0 of 1 tasks running"],
      region: "us-west-1",
      services: [],
      alarms: [],
    };
    expect(renderStatus(report)).toContain("platform: DEGRADED (us-west-1)");
    expect(renderStatus(report)).toContain("  - api: 0 of 1 tasks running");
  });
});

describe("what the synthesized root gives the ops commands", () => {
  const services = read("services.tf.json");
  const main = read("main.tf.json");

  it("the experiments file system policy admits the transfer task's role: read/write through the access point, read-only through the restores one, over a mount target", () => {
    const policy = services.resource.aws_efs_file_system_policy.experiments.policy as string;
    const statement = (sid: string) =>
      new RegExp(
        `"Sid" = "${sid}"[^}]*"AWS" = \\[([^\\]]*)\\][^]*?"elasticfilesystem:AccessPointArn" = ([a-z_.]+)[^}]*\\}, "Bool" = \\{"elasticfilesystem:AccessedViaMountTarget" = "true"\\}`,
      ).exec(policy);
    const rw = statement("ReadWriteThroughAccessPoint");
    expect(rw?.[1]).toContain("aws_iam_role.transfer_task_role.arn");
    expect(rw?.[2]).toBe("aws_efs_access_point.experiments.arn");
    const restores = statement("ReadOnlyThroughRestores");
    expect(restores?.[1]).toBe("aws_iam_role.transfer_task_role.arn");
    expect(restores?.[2]).toBe("aws_efs_access_point.restores.arn");
    expect(policy).toMatch(/"Sid" = "ReadOnlyThroughRestores"[^}]*\}, "Action" = \["elasticfilesystem:ClientMount"\]/);
  });

  it("the transfer task mounts both access points with TLS and IAM, the restores read-only, and its role can do nothing else", () => {
    const td = services.resource.aws_ecs_task_definition.experiments_transfer;
    expect(
      td.volume.map(
        (v: {
          efs_volume_configuration: { authorization_config: { access_point_id: string; iam: string }; transit_encryption: string };
        }) => [
          v.efs_volume_configuration.authorization_config.access_point_id,
          v.efs_volume_configuration.authorization_config.iam,
          v.efs_volume_configuration.transit_encryption,
        ],
      ),
    ).toEqual([
      ["${aws_efs_access_point.experiments.id}", "ENABLED", "ENABLED"],
      ["${aws_efs_access_point.restores.id}", "ENABLED", "ENABLED"],
    ]);
    expect(td.container_definitions).toContain('"readOnly" = true');
    const policy = services.resource.aws_iam_role_policy.transfer_task_role_policy.policy as string;
    expect(policy.match(/"Action" = \[[^\]]*\]/g)).toEqual([
      '"Action" = ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"]',
      '"Action" = ["elasticfilesystem:ClientMount"]',
    ]);
  });

  it("outputs what the commands read", () => {
    for (const name of [
      "backup_vault_name",
      "backup_role_arn",
      "experiments_transfer_task_family",
      "ecs_tasks_security_group_id",
      "private_subnet_ids",
      "efs_file_system_id",
    ]) {
      expect(main.output[name]?.description, name).toBeTruthy();
    }
  });
});
