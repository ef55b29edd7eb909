/**
 * Each row of the legacy contract (fixtures/legacy-contract.json), asserted on
 * the synthesized root. The real-Terraform suites in __tests__/terraform
 * prove the same root against the AWS emulator.
 */
import { beforeAll, describe, expect, it } from "vitest";
import contract from "./fixtures/legacy-contract.json";
import { SERVICE_KEYS } from "../platform/services";
import { CONTRACT_SERVICES, LIVE_SERVICES, LIVE_TABLE, mergeRoot, renderPlatform, resources, SUFFIX, type Json } from "./helpers";

let files: Record<string, Json>;
let root: Json;

// The live contract holds for the live services: the table they are in may hold more.
beforeAll(() => {
  files = renderPlatform(LIVE_TABLE);
  root = mergeRoot(files);
});

function resource(type: string, name: string): Json {
  const found = root.resource?.[type]?.[name];
  if (!found) throw new Error(`${type}.${name} is not in the root`);
  return found as Json;
}

describe("root layout", () => {
  it("writes one file per stack unit plus main.tf.json", () => {
    expect(Object.keys(files).sort()).toEqual([
      "main.tf.json",
      "network.tf.json",
      "observability.tf.json",
      "services.tf.json",
      "storage.tf.json",
    ]);
  });

  it("puts each unit's resources in its own file", () => {
    expect(Object.keys(files["network.tf.json"].resource)).toContain("aws_vpc");
    expect(Object.keys(files["storage.tf.json"].resource)).toContain("aws_efs_file_system");
    expect(Object.keys(files["services.tf.json"].resource)).toContain("aws_ecs_service");
    // The root itself holds only the record of the inputs held once the platform exists.
    expect(Object.keys(files["main.tf.json"].resource)).toEqual(["terraform_data"]);
  });
});

describe("backend and provider", () => {
  it("keeps the S3 backend with native locking", () => {
    expect(root.terraform.backend).toEqual({
      s3: { bucket: "autovisionai-terraform-state", key: "terraform.tfstate", region: "us-west-1", encrypt: true, use_lockfile: true },
    });
  });

  it("requires terraform >= 1.11.0 and pins hashicorp/aws 5.100.0", () => {
    expect(root.terraform.required_version).toBe(">= 1.11.0");
    expect(root.terraform.required_providers.aws).toEqual({ source: "hashicorp/aws", version: "5.100.0" });
  });

  it("tags every resource with Project, Environment and ManagedBy", () => {
    const [aws] = root.provider.aws as Json[];
    expect(aws.region).toBe("${var.aws_region}");
    expect(aws.default_tags).toEqual([
      { tags: { Project: "${var.project_name}", Environment: "${var.environment}", ManagedBy: "terraform" } },
    ]);
  });
});

describe("variables", () => {
  it.each(Object.entries(contract.variables))("declares %s with the contract's default", (name, value) => {
    const variable = root.variable[name] as Json | undefined;
    expect(variable, name).toBeDefined();
    expect(variable?.default).toEqual(value);
  });

  it("gives every variable a type and a description", () => {
    for (const [name, v] of Object.entries(root.variable as Record<string, Json>)) {
      expect(v.type, name).toMatch(/^(string|number|bool|list\(string\))$/);
      expect((v.description as string).length, name).toBeGreaterThan(10);
    }
  });

  it("types each contract variable after its default", () => {
    for (const [name, value] of Object.entries(contract.variables)) {
      const expected = typeof value === "boolean" ? "bool" : typeof value === "number" ? "number" : "string";
      expect(root.variable[name].type, name).toBe(expected);
    }
  });

  it("keeps the design's provisioned throughput by default", () => {
    expect(root.variable.efs_throughput_mode.default).toBe("provisioned");
  });

  it("states the EFS throughput cost beside the variable, with the design's 100 MiB/s", () => {
    const v = root.variable.efs_provisioned_throughput_mibps as Json;
    expect(v.default).toBe(100);
    expect(v.description).toMatch(/\$6-7\.20 per MiB\/s-month/);
    expect(v.description).toMatch(/\$600-720 a month/);
  });
});

describe("outputs", () => {
  it("declares every contract output, each described", () => {
    expect(contract.outputs.filter((o) => !(o in root.output))).toEqual([]);
    for (const [name, o] of Object.entries(root.output as Record<string, Json>)) {
      expect(o.description, name).toBeTruthy();
    }
  });

  it("builds the service URLs as http://<alb dns>:<port> while no certificate is set (the default)", () => {
    const https = 'can(regex("^.+$", var.alb_certificate_arn))';
    expect(root.variable.alb_certificate_arn.default).toBe("");
    const url = (port: string) => `format("%s://%s%s", ${https} ? "https" : "http", aws_lb.main.dns_name, ${port})`;
    expect(root.output.api_url.value).toBe(`\${${url('format(":%s", var.api_port)')}}`);
    for (const key of ["mlflow", "tensorboard"]) {
      expect(root.output[`${key}_url`].value).toBe(`\${var.${key}_public ? ${url(`format(":%s", var.${key}_port)`)} : ""}`);
    }
    expect(root.output.ui_url.value).toBe(`\${${url(`${https} ? "" : format(":%s", var.ui_port)`)}}`);
    expect(root.output.alb_hostname.value).toBe("${aws_lb.main.dns_name}");
    expect(root.output.efs_file_system_id.value).toBe("${aws_efs_file_system.experiments.id}");
    expect(root.output.private_subnet_ids.value).toBe("${aws_subnet.private[*].id}");
    expect(root.output.public_subnet_ids.value).toBe("${aws_subnet.public[*].id}");
  });
});

describe("state addresses", () => {
  const parsed = contract.addresses.map((address) => {
    const m = /^(\w+)\.(\w+)(?:\[(\d+|"\w+")\])?$/.exec(address);
    if (!m) throw new Error(`cannot parse ${address}`);
    return { address, type: m[1], name: m[2], key: m[3] };
  });

  it.each(parsed)("keeps $address with the same count/for_each shape", ({ type, name, key }) => {
    const r = resource(type, name);
    if (key === undefined) {
      expect(r.count).toBeUndefined();
      expect(r.for_each).toBeUndefined();
    } else if (key.startsWith('"')) {
      expect(r.for_each).toBeDefined();
      expect(r.count).toBeUndefined();
    } else {
      expect(r.count).toBeDefined();
      expect(r.for_each).toBeUndefined();
    }
  });

  it("keys the autoscaling for_each by the service keys", () => {
    expect(Object.keys(root.locals.ecs_services).sort()).toEqual([...LIVE_SERVICES].sort());
    expect(SERVICE_KEYS).toEqual(expect.arrayContaining([...LIVE_SERVICES]));
    expect([...LIVE_SERVICES].sort(), "LIVE_SERVICES (platform/intended-changes.ts) are the contract's services").toEqual(
      [...CONTRACT_SERVICES].sort(),
    );
    expect(resource("aws_appautoscaling_target", "ecs_target").for_each).toBe("${var.create_ecs_services ? local.ecs_services : {}}");
    expect(resource("aws_appautoscaling_policy", "ecs_cpu_scaling_policy").for_each).toBe(
      "${var.create_ecs_services ? local.ecs_services : {}}",
    );
  });

  it("renders no JavaScript leftovers (undefined, NaN, [object Object]) into expressions", () => {
    const text = JSON.stringify(root);
    expect(text).not.toMatch(/\bundefined\b|\bNaN\b|\[object Object\]/);
  });

  it("has no hash-suffixed resource names", () => {
    for (const byName of Object.values(root.resource as Record<string, Json>)) {
      for (const name of Object.keys(byName)) expect(name).not.toMatch(/_[0-9A-F]{8}$/);
    }
  });

  it("uses instance keys for every reference to a counted resource", () => {
    const text = JSON.stringify(root);
    for (const type of ["aws_ecs_task_definition", "aws_lb_target_group", "aws_lb_listener", "aws_ecs_service", "aws_subnet"]) {
      expect(text).not.toMatch(new RegExp(`${type}\\.\\w+\\.(arn|id|name)\\b`));
    }
    expect(text).not.toMatch(/aws_appautoscaling_target\.ecs_target\.\*/);
  });
});

describe("create_ecs_services", () => {
  it("counts every task definition, service, target group and listener on it", () => {
    for (const type of ["aws_ecs_task_definition", "aws_ecs_service", "aws_lb_target_group", "aws_lb_listener"]) {
      for (const key of LIVE_SERVICES) {
        const optional = ["mlflow", "tensorboard"].includes(key) && ["aws_lb_target_group", "aws_lb_listener"].includes(type);
        expect(resource(type, key).count, `${type}.${key}`).toBe(
          optional ? `\${alltrue([var.create_ecs_services, var.${key}_public]) ? 1 : 0}` : "${var.create_ecs_services ? 1 : 0}",
        );
      }
    }
  });

  it("keeps the base infrastructure uncounted", () => {
    for (const [type, name] of [
      ["aws_lb", "main"],
      ["aws_ecs_cluster", "main"],
      ["aws_efs_file_system", "experiments"],
      ["aws_cloudwatch_log_group", "api"],
    ]) {
      expect(resource(type, name).count).toBeUndefined();
    }
  });
});

describe("physical names the scripts hard-code", () => {
  it("names the cluster, services, repository, bucket, secret and namespace from the variables", () => {
    // In prod the live names; elsewhere they carry the environment (SUFFIX is "" in prod).
    expect(resource("aws_ecs_cluster", "main").name).toBe(`\${var.cluster_name}${SUFFIX}`);
    for (const key of LIVE_SERVICES) {
      expect(resource("aws_ecs_service", key).name).toBe(`\${var.${key}_service_name}`);
      expect(resource("aws_ecs_task_definition", key).family).toBe(`\${var.${key}_service_name}${SUFFIX}`);
      expect(resource("aws_cloudwatch_log_group", key).name).toBe(`/ecs/\${var.${key}_service_name}${SUFFIX}`);
    }
    expect(resource("aws_ecr_repository", "autovisionai").name).toBe(`\${var.ecr_repository_name}${SUFFIX}`);
    expect(resource("aws_s3_bucket", "mlflow_artifacts").bucket).toBe(`\${var.mlflow_artifacts_bucket}${SUFFIX}`);
    expect(resource("aws_secretsmanager_secret", "wandb_api_key").name).toBe(`\${var.wandb_secret_name}${SUFFIX}`);
    expect(resource("aws_service_discovery_private_dns_namespace", "service_connect").name).toBe(`\${var.project_name}${SUFFIX}.local`);
  });

  it("pulls images from the one repository with the tags app, mlflow and tensorboard", () => {
    const tags = { api: "app", ui: "app", mlflow: "mlflow", tensorboard: "tensorboard" };
    for (const [key, tag] of Object.entries(tags)) {
      expect(resource("aws_ecs_task_definition", key).container_definitions).toContain(
        `"image" = "\${data.aws_caller_identity.current.account_id}.dkr.ecr.\${var.aws_region}.amazonaws.com/\${var.ecr_repository_name}${SUFFIX}:${tag}"`,
      );
    }
  });
});

describe("attributes that force replacement keep their live values", () => {
  it("security groups", () => {
    expect(resource("aws_security_group", "alb")).toMatchObject({
      name: "${var.project_name}-alb-security-group",
      description: "Controls access to the Application Load Balancer",
    });
    expect(resource("aws_security_group", "ecs_tasks")).toMatchObject({
      name: "${var.project_name}-ecs-tasks-security-group",
      description: "Controls access to and from ECS tasks",
    });
    expect(resource("aws_security_group", "efs")).toMatchObject({
      name: "${var.project_name}-efs-security-group",
      description: "Allow EFS access from ECS tasks",
    });
  });

  it("load balancer and target groups", () => {
    expect(resource("aws_lb", "main")).toMatchObject({
      name: `\${var.project_name}-alb${SUFFIX}`,
      internal: false,
      load_balancer_type: "application",
      enable_deletion_protection: "${var.alb_deletion_protection}",
    });
    expect(root.variable.alb_deletion_protection.default).toBe(false);
    for (const key of LIVE_SERVICES) {
      expect(resource("aws_lb_target_group", key)).toMatchObject({
        name: `\${(var.environment == "prod") ? format("%s-tg", var.${key}_service_name) : format("%s-%s", var.${key}_service_name, var.environment)}`,
        port: `\${var.${key}_port}`,
        protocol: "HTTP",
        target_type: "ip",
        vpc_id: "${aws_vpc.main.id}",
      });
    }
  });

  it("EFS file system and access point", () => {
    expect(resource("aws_efs_file_system", "experiments")).toMatchObject({
      creation_token: `\${var.project_name}-experiments${SUFFIX}`,
      performance_mode: "generalPurpose",
      encrypted: true,
      throughput_mode: "${var.efs_throughput_mode}",
      provisioned_throughput_in_mibps: '${(var.efs_throughput_mode == "provisioned") ? var.efs_provisioned_throughput_mibps : null}',
      lifecycle_policy: [{ transition_to_ia: "AFTER_30_DAYS" }],
      tags: { Name: `\${var.project_name}-experiments-efs${SUFFIX}` },
    });
    expect(resource("aws_efs_access_point", "experiments")).toMatchObject({
      posix_user: { uid: 1000, gid: 1000 },
      root_directory: { path: "/app/experiments", creation_info: { owner_uid: 1000, owner_gid: 1000, permissions: "755" } },
      tags: { Name: "${var.project_name}-experiments-access-point" },
    });
  });

  it("subnets, NAT gateway and its Elastic IP", () => {
    expect(resource("aws_vpc", "main").cidr_block).toBe("172.17.0.0/16");
    expect(resource("aws_subnet", "private").cidr_block).toBe("${cidrsubnet(aws_vpc.main.cidr_block, 8, count.index)}");
    expect(resource("aws_subnet", "public").cidr_block).toBe("${cidrsubnet(aws_vpc.main.cidr_block, 8, (var.az_count + count.index))}");
    expect(resource("aws_nat_gateway", "main").subnet_id).toBe("${aws_subnet.public[0].id}");
    expect(resource("aws_eip", "nat").domain).toBe("vpc");
  });

  it("IAM role and inline policy names", () => {
    expect(resource("aws_iam_role", "ecs_task_execution_role").name).toBe(`ecsTaskExecutionRole${SUFFIX}`);
    expect(resource("aws_iam_role", "ecs_task_role").name).toBe(`ecsTaskRole${SUFFIX}`);
    expect(resource("aws_iam_role", "ecs_auto_scale_role").name).toBe(`ecsAutoScaleRole${SUFFIX}`);
    expect(resource("aws_iam_role_policy", "ecs_task_execution_role_policy").name).toBe("ecsTaskExecutionRolePolicy");
    expect(resource("aws_iam_role_policy", "ecs_task_role_policy").name).toBe("ecsTaskRolePolicy");
    expect(resource("aws_iam_role_policy_attachment", "ecs_auto_scale_role_policy").policy_arn).toBe(
      "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceAutoscaleRole",
    );
  });

  it("scaling targets and policies", () => {
    expect(resource("aws_appautoscaling_target", "ecs_target")).toMatchObject({
      resource_id: "service/${aws_ecs_cluster.main.name}/${each.value.service_name}",
      scalable_dimension: "ecs:service:DesiredCount",
      service_namespace: "ecs",
      role_arn: "${aws_iam_role.ecs_auto_scale_role.arn}",
    });
    const policy = resource("aws_appautoscaling_policy", "ecs_cpu_scaling_policy");
    expect(policy.name).toBe("${each.value.service_name}-cpu-target-tracking");
    expect(policy.resource_id).toBe("${aws_appautoscaling_target.ecs_target[each.key].resource_id}");
    expect(policy.target_tracking_scaling_policy_configuration.predefined_metric_specification.predefined_metric_type).toBe(
      "ECSServiceAverageCPUUtilization",
    );
  });

  it("ECS services, log groups and ECR", () => {
    for (const key of LIVE_SERVICES) {
      // FARGATE, as live; a service that may run on Spot leaves it only while its <key>_spot_percent is above 0.
      expect(resource("aws_ecs_service", key).launch_type).toMatch(
        root.variable[`${key}_spot_percent`] ? /^\$\{\(var\.\w+_spot_percent >= 1\) \? null : "FARGATE"\}$/ : /^FARGATE$/,
      );
      expect(resource("aws_cloudwatch_log_group", key).retention_in_days).toBe(30);
    }
    expect(resource("aws_ecr_repository", "autovisionai")).toMatchObject({
      image_tag_mutability: "MUTABLE",
      image_scanning_configuration: { scan_on_push: true },
    });
  });
});

describe("what the HCL does today", () => {
  it("opens the ALB on 80, 443 and the four service ports from the allowed CIDRs", () => {
    const ports = (resource("aws_security_group", "alb").ingress as Json[]).map((r) => r.from_port).sort();
    expect(ports).toEqual([80, 443, "${var.api_port}", "${var.mlflow_port}", "${var.tensorboard_port}", "${var.ui_port}"].sort());
    for (const r of resource("aws_security_group", "alb").ingress as Json[]) expect(r.cidr_blocks).toBe("${var.alb_ingress_cidr_blocks}");
  });

  it("lets NFS reach EFS only from the ECS tasks group", () => {
    expect(resource("aws_security_group", "efs").ingress).toEqual([
      expect.objectContaining({
        from_port: 2049,
        to_port: 2049,
        protocol: "tcp",
        security_groups: ["${aws_security_group.ecs_tasks.id}"],
        cidr_blocks: [],
      }),
    ]);
  });

  it("runs the tasks in the private subnets without public IPs", () => {
    for (const key of LIVE_SERVICES) {
      expect(resource("aws_ecs_service", key).network_configuration).toEqual({
        assign_public_ip: false,
        // MLflow also joins its database's clients' group, only with mlflow_backend = "postgres".
        security_groups:
          key === "mlflow"
            ? '${concat([aws_security_group.ecs_tasks.id], (var.mlflow_backend == "postgres") ? [aws_security_group.mlflow_database_clients[0].id] : [])}'
            : ["${aws_security_group.ecs_tasks.id}"],
        subnets: "${aws_subnet.private[*].id}",
      });
    }
  });

  it("keeps the container commands", () => {
    const defs = (key: string) => resource("aws_ecs_task_definition", key).container_definitions as string;
    expect(defs("api")).toContain(
      '"command" = ["uv", "run", "uvicorn", "autovisionai.api.main:app", "--host", "0.0.0.0", "--port", tostring(var.api_port)]',
    );
    expect(defs("ui")).toContain(
      '"command" = ["uv", "run", "streamlit", "run", "src/autovisionai/ui/app.py", "--server.port", tostring(var.ui_port), "--server.address", "0.0.0.0"]',
    );
    expect(defs("mlflow")).toContain(
      `"--backend-store-uri", "/app/mlruns", "--default-artifact-root", "s3://\${var.mlflow_artifacts_bucket}${SUFFIX}/"`,
    );
    expect(defs("tensorboard")).toContain(
      '"command" = ["tensorboard", "--logdir", "/app/experiments", "--host", "0.0.0.0", "--port", tostring(var.tensorboard_port)]',
    );
  });

  it("gives the UI the ALB URLs of MLflow and TensorBoard, and WANDB_API_KEY only as a secret", () => {
    const ui = resource("aws_ecs_task_definition", "ui").container_definitions as string;
    const url = (key: string) =>
      `var.${key}_public ? format("%s://%s%s", can(regex("^.+$", var.alb_certificate_arn)) ? "https" : "http", aws_lb.main.dns_name, format(":%s", var.${key}_port)) : ""`;
    expect(ui).toContain(`{"name" = "MLFLOW_EXTERNAL_URL", "value" = ${url("mlflow")}}`);
    expect(ui).toContain(`{"name" = "TENSORBOARD_EXTERNAL_URL", "value" = ${url("tensorboard")}}`);
    // The live platform's reference: the secret's ARN without its random suffix.
    expect(ui).toContain(
      `"secrets" = [{"name" = "WANDB_API_KEY", "valueFrom" = "arn:aws:secretsmanager:\${var.aws_region}:\${data.aws_caller_identity.current.account_id}:secret:\${var.wandb_secret_name}${SUFFIX}"}]`,
    );
  });

  it("keeps the secret's hand-set value: placeholder once, never overwritten", () => {
    const version = resource("aws_secretsmanager_secret_version", "wandb_api_key");
    expect(version.lifecycle).toEqual({ ignore_changes: ["secret_string"], prevent_destroy: true });
    expect(resource("aws_secretsmanager_secret", "wandb_api_key").recovery_window_in_days).toBe(7);
  });

  it("keeps the bucket's versioning, encryption, public access block and lifecycle", () => {
    expect(resource("aws_s3_bucket_versioning", "mlflow_artifacts_versioning").versioning_configuration).toEqual({ status: "Enabled" });
    expect(
      resources(root, "aws_s3_bucket_server_side_encryption_configuration").mlflow_artifacts_encryption.rule[0]
        .apply_server_side_encryption_by_default,
    ).toEqual({ sse_algorithm: "AES256" });
    expect(resource("aws_s3_bucket_public_access_block", "mlflow_artifacts_pab")).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    const [versions, tiers] = resource("aws_s3_bucket_lifecycle_configuration", "mlflow_artifacts_lifecycle").rule as Json[];
    expect(versions).toMatchObject({ id: "delete_old_versions", noncurrent_version_expiration: [{ noncurrent_days: 90 }] });
    expect(tiers).toMatchObject({
      id: "transition_to_ia",
      transition: [
        { days: 30, storage_class: "STANDARD_IA" },
        { days: 60, storage_class: "GLACIER" },
      ],
    });
  });

  it("sets force_new_deployment on the API and UI only", () => {
    expect(resource("aws_ecs_service", "api").force_new_deployment).toBe(true);
    expect(resource("aws_ecs_service", "ui").force_new_deployment).toBe(true);
    expect(resource("aws_ecs_service", "mlflow").force_new_deployment).toBeUndefined();
    expect(resource("aws_ecs_service", "tensorboard").force_new_deployment).toBeUndefined();
  });
});

describe("the design document's mount matrix", () => {
  const defs = (key: string) => resource("aws_ecs_task_definition", key).container_definitions as string;

  it.each([
    ["api", false],
    ["ui", true],
    ["tensorboard", false],
  ] as const)("mounts /app/experiments in %s with readOnly=%s", (key, readOnly) => {
    expect(defs(key)).toContain(
      `"mountPoints" = [{"sourceVolume" = "experiments-volume", "containerPath" = "/app/experiments", "readOnly" = ${readOnly}}]`,
    );
    expect(resource("aws_ecs_task_definition", key).volume).toEqual([
      {
        name: "experiments-volume",
        efs_volume_configuration: {
          file_system_id: "${aws_efs_file_system.experiments.id}",
          root_directory: "/",
          transit_encryption: "ENABLED",
          transit_encryption_port: 2049,
          authorization_config: { access_point_id: "${aws_efs_access_point.experiments.id}", iam: "ENABLED" },
        },
      },
    ]);
  });

  it("gives MLflow no experiments volume: only its own store, read-write at /app/mlruns", () => {
    expect(defs("mlflow")).toContain(
      '"mountPoints" = [{"sourceVolume" = "mlflow-store", "containerPath" = "/app/mlruns", "readOnly" = false}]',
    );
    expect(resource("aws_ecs_task_definition", "mlflow").volume).toEqual([
      {
        name: "mlflow-store",
        efs_volume_configuration: {
          file_system_id: "${aws_efs_file_system.experiments.id}",
          root_directory: "/",
          transit_encryption: "ENABLED",
          transit_encryption_port: 2049,
          authorization_config: { access_point_id: "${aws_efs_access_point.mlflow_store.id}", iam: "ENABLED" },
        },
      },
    ]);
    expect(resource("aws_efs_access_point", "mlflow_store")).toMatchObject({
      posix_user: { uid: 1000, gid: 1000 },
      root_directory: { path: "/app/mlruns", creation_info: { owner_uid: 1000, owner_gid: 1000, permissions: "750" } },
    });
  });

  it("runs one MLflow task at a time, stopping the old one before the new one starts", () => {
    expect(resource("aws_ecs_service", "mlflow")).toMatchObject({ deployment_minimum_healthy_percent: 0, deployment_maximum_percent: 100 });
    expect(JSON.stringify(root.variable.mlflow_max_capacity.validation)).toContain("var.mlflow_max_capacity <= 1");
  });
});

describe("data protection", () => {
  const holdingData = [
    ["aws_efs_file_system", "experiments"],
    ["aws_s3_bucket", "mlflow_artifacts"],
    ["aws_ecr_repository", "autovisionai"],
    ["aws_secretsmanager_secret", "wandb_api_key"],
    ["aws_secretsmanager_secret_version", "wandb_api_key"],
    ["aws_efs_access_point", "mlflow_store"],
    ["aws_cognito_user_pool", "users"],
    ["aws_db_instance", "mlflow_database_instance"],
  ] as const;

  it.each(holdingData)("refuses any plan that destroys or replaces %s.%s", (type, name) => {
    expect(resource(type, name).lifecycle.prevent_destroy).toBe(true);
  });

  it("protects exactly the resources that hold data", () => {
    const protectedAddresses = Object.entries(root.resource as Record<string, Record<string, Json>>).flatMap(([type, byName]) =>
      Object.entries(byName)
        .filter(([, body]) => body.lifecycle?.prevent_destroy === true)
        .map(([name]) => `${type}.${name}`),
    );
    expect(protectedAddresses.sort()).toEqual(holdingData.map(([t, n]) => `${t}.${n}`).sort());
  });

  it("keeps the file system when the name its creation token was built from changes", () => {
    expect(resource("aws_efs_file_system", "experiments").lifecycle.ignore_changes).toEqual(["creation_token"]);
  });

  it("holds aws_region, environment and project_name once the platform exists", () => {
    const record = resource("terraform_data", "platform_identity");
    expect(record.input).toEqual({
      aws_region: "${var.aws_region}",
      environment: "${var.environment}",
      project_name: "${var.project_name}",
    });
    expect(record.lifecycle.ignore_changes).toEqual(["input"]);
    const checks = resource("terraform_data", "platform_identity_check").lifecycle.precondition as Json[];
    expect(checks.map((c) => c.error_message)).toEqual([
      expect.stringContaining("aws_region is held at"),
      expect.stringContaining("environment is held at"),
      expect.stringContaining("project_name is held at"),
    ]);
  });
});
