/**
 * What the review's guards flag in a plan, change by change: exposure (who
 * can reach what), IAM, task size and count, anything destroyed or
 * replaced, and the data-holding resources the plan touches.
 */
import type { AttributeChange } from "./review-diff";
import { type Action, list, obj, type ProtectedTouch, type ResourceChange } from "./review-plan";

export type FindingKind = "data" | "exposure" | "iam" | "capacity" | "destroy" | "cost";

export interface Finding {
  readonly kind: FindingKind;
  readonly severity: "attention" | "refused";
  readonly address?: string;
  readonly text: string;
}

const world = (cidr: unknown) => cidr === "0.0.0.0/0" || cidr === "::/0";

/** The CIDRs an inline ingress list (aws_security_group) or one ingress rule opens, each as `cidr:port`. */
function ingressCidrs(type: string, values: unknown): string[] {
  const v = obj(values);
  if (type === "aws_security_group") {
    return list(v.ingress).flatMap((r) =>
      [...list(obj(r).cidr_blocks), ...list(obj(r).ipv6_cidr_blocks)].map((c) => `${c}:${obj(r).from_port}`),
    );
  }
  if (type === "aws_security_group_rule" && v.type === "ingress") {
    return [...list(v.cidr_blocks), ...list(v.ipv6_cidr_blocks)].map((c) => `${c}:${v.from_port}`);
  }
  if (type === "aws_vpc_security_group_ingress_rule") {
    return [v.cidr_ipv4, v.cidr_ipv6].filter(Boolean).map((c) => `${c}:${v.from_port}`);
  }
  return [];
}

/** Ingress opened or closed, by CIDR and port. */
function ingressFindings(c: ResourceChange, action: Action): Finding[] {
  const cidrsBefore = new Set(action === "create" ? [] : ingressCidrs(c.type, c.change.before));
  const cidrsAfter = new Set(action === "delete" ? [] : ingressCidrs(c.type, c.change.after));
  const opened = [...cidrsAfter].filter((x) => !cidrsBefore.has(x));
  const closed = [...cidrsBefore].filter((x) => !cidrsAfter.has(x));
  if (!opened.length && !closed.length) return [];
  const ports = (xs: string[]) => [...new Set(xs.map((x) => x.split(":")[1]))].join(", ");
  const cidrs = (xs: string[]) => [...new Set(xs.map((x) => x.split(":")[0]))].join(", ");
  const internet = opened.some((x) => world(x.split(":")[0]));
  const parts = [
    opened.length ? `+ ${cidrs(opened)} (ports ${ports(opened)})` : "",
    closed.length ? `- ${cidrs(closed)} (ports ${ports(closed)})` : "",
  ];
  return [
    {
      kind: "exposure",
      severity: "attention",
      address: c.address,
      text: `ingress ${internet ? "opened to the whole internet" : "changed"}: ${parts.filter(Boolean).join("; ")}`,
    },
  ];
}

/** A listener created, removed, or moved off HTTPS. */
function listenerText(c: ResourceChange, action: Action): string | undefined {
  const before = obj(c.change.before);
  const after = obj(c.change.after);
  const port = after.port ?? before.port;
  if (action === "create")
    return `new public listener on port ${port} (${after.protocol ?? "?"})${/mlflow|tensorboard/.test(c.name) ? `: ${c.name} has no login of its own` : ""}`;
  if (before.protocol === "HTTPS" && (action === "delete" || ((action === "replace" || action === "update") && after.protocol === "HTTP")))
    return `HTTPS off on port ${port}`;
  if (action === "delete") return `listener on port ${port} removed`;
  return undefined;
}

/** Exposure: who can reach what, and over what. */
function exposureFindings(c: ResourceChange, action: Action): Finding[] {
  const out = ingressFindings(c, action);
  const attention = (text: string): Finding => ({ kind: "exposure", severity: "attention", address: c.address, text });
  const listener = c.type === "aws_lb_listener" ? listenerText(c, action) : undefined;
  if (listener) out.push(attention(listener));
  if (c.type === "aws_lb" && obj(c.change.before).internal === true && obj(c.change.after).internal === false)
    out.push(attention("the load balancer becomes internet-facing"));
  return out;
}

const CAPACITY: Record<string, readonly string[]> = {
  aws_ecs_task_definition: ["cpu", "memory"],
  aws_ecs_service: ["desired_count", "capacity_provider_strategy"],
  aws_appautoscaling_target: ["min_capacity", "max_capacity"],
};

/** Task size and count moved. */
function capacityFindings(c: ResourceChange, action: Action, attributes: readonly AttributeChange[]): Finding[] {
  const sized = CAPACITY[c.type];
  if (!sized || (action !== "update" && action !== "replace")) return [];
  const moved = attributes.filter((a) => sized.some((s) => a.path === s || a.path.startsWith(`${s}[`)));
  if (!moved.length) return [];
  return [
    {
      kind: "capacity",
      severity: "attention",
      address: c.address,
      text: moved.map((a) => `${a.path} ${a.before} → ${a.after}`).join(", "),
    },
  ];
}

/** The guards' findings for one changed resource (data-holding resources aside: see dataFindings). */
export function findingsOf(c: ResourceChange, action: Action, attributes: readonly AttributeChange[]): Finding[] {
  const out = exposureFindings(c, action);
  if (c.type.startsWith("aws_iam_")) {
    const what = [...new Set(attributes.map((a) => a.path.split(/[.:[]/)[0]))].join(", ");
    out.push({
      kind: "iam",
      severity: "attention",
      address: c.address,
      text: `IAM ${action}${what && action === "update" ? ` (${what})` : ""}`,
    });
  }
  out.push(...capacityFindings(c, action, attributes));
  if ((action === "delete" || action === "replace") && !c.type.startsWith("aws_ecs_task_definition")) {
    out.push({ kind: "destroy", severity: "attention", address: c.address, text: `${action === "delete" ? "destroyed" : "replaced"}` });
  }
  return out;
}

function dataText(t: ProtectedTouch): string {
  const lost = t.action === "delete" ? "destroyed" : "replaced";
  if (!t.dataLoss) return t.action === "create" ? "holds data; created" : `holds data; changed in place (${t.action})`;
  if (t.allowed) return `holds data and is ${lost}: allowed by ALLOW_DATA_LOSS`;
  return `holds data and would be ${lost}: refused (ALLOW_DATA_LOSS="${t.address.replace(/\[[^\]]*\]$/, "")}" allows it, for one run)`;
}

/** A finding for each data-holding resource the plan touches: refused where it loses data ALLOW_DATA_LOSS does not name. */
export function dataFindings(touched: readonly ProtectedTouch[]): Finding[] {
  return touched.map((t) => ({
    kind: "data",
    severity: t.dataLoss && !t.allowed ? "refused" : "attention",
    address: t.address,
    text: dataText(t),
  }));
}
