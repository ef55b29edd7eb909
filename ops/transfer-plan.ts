/**
 * What a transfer between a local directory and the experiments file system
 * does, worked out before anything moves: the files on each side, which
 * are new, updated, the same or newer on the target (a conflict), how they
 * are grouped into archives, and the summary printed for it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { EXIT, OpsError } from "./errors";
import { bytes, table } from "./format";

/** Largest archive the task uploads with one presigned PUT (S3 allows 5 GB per PUT). */
export const ARCHIVE_LIMIT = 4 * 1024 ** 3;
/** Seconds of clock difference under which two copies of a file count as the same age. */
const SAME_AGE = 2;

export interface FileEntry {
  readonly path: string;
  readonly size: number;
  /** Modification time, seconds since the epoch. */
  readonly mtime: number;
}

/** The files below `root` (regular files only, no links), with forward-slash relative paths. */
export function localManifest(root: string): FileEntry[] {
  const out: FileEntry[] = [];
  if (!fs.existsSync(root)) return out;
  const walk = (dir: string) => {
    for (const d of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, d.name);
      if (d.isDirectory()) walk(full);
      else if (d.isFile()) {
        const st = fs.statSync(full);
        out.push({ path: path.relative(root, full).split(path.sep).join("/"), size: st.size, mtime: st.mtimeMs / 1000 });
      }
    }
  };
  walk(root);
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

export type Move = "new" | "update" | "same" | "conflict";
export interface PlannedFile extends FileEntry {
  readonly move: Move;
  readonly other?: FileEntry;
}

/**
 * What a copy from `source` onto `target` does to each file: new, update (the
 * source is newer, or differs in size at the same age), same (skipped), or
 * conflict (the target's copy is newer: kept unless forced).
 */
export function planCopy(source: readonly FileEntry[], target: readonly FileEntry[], force = false): PlannedFile[] {
  const there = new Map(target.map((f) => [f.path, f]));
  return source.map((f) => {
    const other = there.get(f.path);
    if (!other) return { ...f, move: "new" };
    if (other.mtime > f.mtime + SAME_AGE) return { ...f, other, move: force ? "update" : "conflict" };
    if (Math.abs(other.mtime - f.mtime) <= SAME_AGE && other.size === f.size) return { ...f, other, move: "same" };
    return { ...f, other, move: "update" };
  });
}

/** Files grouped into archives of at most `limit` bytes (a larger file gets an archive of its own). */
export function archives(files: readonly FileEntry[], limit = ARCHIVE_LIMIT): FileEntry[][] {
  const out: FileEntry[][] = [];
  let current: FileEntry[] = [];
  let size = 0;
  for (const f of files) {
    if (current.length > 0 && size + f.size > limit) {
      out.push(current);
      current = [];
      size = 0;
    }
    current.push(f);
    size += f.size;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** A path inside the experiments tree: relative, no "..". */
export function remotePath(p: string): string {
  const clean = path.posix.normalize(p.replace(/\\/g, "/")).replace(/^\/+/, "").replace(/\/+$/, "");
  if (clean === ".." || clean.startsWith("../")) {
    throw new OpsError(`remote path "${p}" leaves the experiments tree; give a path inside it, such as runs/exp-42`, EXIT.usage);
  }
  return clean === "" ? "." : clean;
}

export interface TransferSummary {
  readonly direction: "upload" | "download";
  readonly remote: string;
  readonly local: string;
  readonly files: PlannedFile[];
  readonly moved: number;
  readonly bytes: number;
  readonly dryRun: boolean;
}

export function renderPlan(summary: TransferSummary): string {
  const counts = (m: Move) => summary.files.filter((f) => f.move === m).length;
  const lines = [
    `${summary.direction} ${summary.direction === "upload" ? `${summary.local} -> experiments:/${summary.remote}` : `experiments:/${summary.remote} -> ${summary.local}`}: ` +
      `${counts("new")} new, ${counts("update")} updated, ${counts("same")} unchanged, ${counts("conflict")} newer on the ${summary.direction === "upload" ? "file system" : "local side"} (kept)`,
  ];
  const shown = summary.files.filter((f) => f.move !== "same");
  if (summary.dryRun && shown.length > 0)
    lines.push(
      table(
        ["file", "size", "action"],
        shown.map((f) => [f.path, bytes(f.size), f.move === "conflict" ? "keep (newer there; --force overwrites)" : f.move]),
      ),
    );
  if (!summary.dryRun)
    lines.push(
      `${summary.moved} file(s), ${bytes(summary.bytes)} ${summary.direction === "upload" ? "written to the file system" : "written locally"}`,
    );
  else lines.push("dry run: nothing moved");
  return lines.join("\n");
}

export function conflictError(files: PlannedFile[], where: string): OpsError {
  const conflicts = files.filter((f) => f.move === "conflict");
  const names = conflicts
    .slice(0, 3)
    .map((f) => f.path)
    .join(", ");
  return new OpsError(
    `${conflicts.length} file(s) are newer ${where} (${names}${conflicts.length > 3 ? ", …" : ""}): nothing was moved; --dry-run lists them, --force overwrites them`,
    EXIT.failed,
  );
}
