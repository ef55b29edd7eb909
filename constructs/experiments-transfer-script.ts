/**
 * The program of the experiments transfer task (`ExperimentsTransfer`): Python, standard library only, run as
 * the command of a one-off Fargate task (base64-encoded there: `transferCommand`). It lives in the synthesized task
 * definition, so that the emulator tests run exactly the command that AWS runs.
 */
export const TRANSFER_SCRIPT = `# The experiments transfer task: runs in a one-off Fargate task that mounts the
# experiments file system through its access point (EXPERIMENTS, read/write)
# and AWS Backup's restore directories through the restores access point
# (RESTORES, read-only). Python standard library only (python:3.12-slim).
# It reaches S3 only through presigned URLs made by "npm run ops", so the task
# role needs no S3 permission. The job (a JSON document behind OPS_JOB_URL):
#   {"action": "list", "path": P, "result": URL}            manifest of EXPERIMENTS/P
#   {"action": "pull", "path": P, "archives": [URL], "result": URL}  extract tars into EXPERIMENTS/P
#   {"action": "push", "path": P, "archives": [{"url": URL, "files": [F]}], "result": URL}
#   {"action": "restores", "result": URL}                   the aws-backup-restore_* directories
#   {"action": "copy-back", "source": S, "path": P, "force": B, "result": URL}
# Every job ends by uploading {"ok": true, ...} or {"ok": false, "error": ...} to its result URL.
import json
import os
import shutil
import sys
import tarfile
import tempfile
import urllib.request

EXPERIMENTS = os.environ.get("OPS_EXPERIMENTS_DIR", "/app/experiments")
RESTORES = os.environ.get("OPS_RESTORES_DIR", "/mnt/efs-root")


def inside(root, relative):
    """root/relative, refusing any path that leaves root."""
    full = os.path.realpath(os.path.join(root, relative.lstrip("/")))
    if full != os.path.realpath(root) and not full.startswith(os.path.realpath(root) + os.sep):
        raise ValueError(f"path {relative!r} leaves {root}")
    return full


def fetch(url, target):
    with urllib.request.urlopen(url) as response, open(target, "wb") as out:
        shutil.copyfileobj(response, out, 1 << 20)


def put(url, path_or_bytes):
    if isinstance(path_or_bytes, bytes):
        # An explicit type: urllib would send form encoding, and a server may read such a body as a form.
        request = urllib.request.Request(url, data=path_or_bytes, method="PUT", headers={"Content-Type": "application/octet-stream"})
        urllib.request.urlopen(request).close()
        return
    size = os.path.getsize(path_or_bytes)
    with open(path_or_bytes, "rb") as body:
        request = urllib.request.Request(url, data=body, method="PUT", headers={"Content-Length": str(size), "Content-Type": "application/octet-stream"})
        urllib.request.urlopen(request).close()


def manifest(root):
    files = []
    if not os.path.isdir(root):
        return files
    for dirpath, _, names in os.walk(root):
        for name in names:
            full = os.path.join(dirpath, name)
            if not os.path.isfile(full) or os.path.islink(full):
                continue
            st = os.stat(full)
            files.append({"path": os.path.relpath(full, root), "size": st.st_size, "mtime": st.st_mtime})
    return sorted(files, key=lambda f: f["path"])


def run(job):
    action = job["action"]
    if action == "list":
        return {"files": manifest(inside(EXPERIMENTS, job["path"]))}
    if action == "pull":
        target = inside(EXPERIMENTS, job["path"])
        os.makedirs(target, exist_ok=True)
        count = size = 0
        for url in job["archives"]:
            with tempfile.NamedTemporaryFile() as tmp:
                fetch(url, tmp.name)
                with tarfile.open(tmp.name) as tar:
                    members = [m for m in tar.getmembers() if m.isfile()]
                    tar.extractall(target, members=members, filter="data")
                    count += len(members)
                    size += sum(m.size for m in members)
        return {"files": count, "bytes": size}
    if action == "push":
        source = inside(EXPERIMENTS, job["path"])
        count = size = 0
        for archive in job["archives"]:
            with tempfile.NamedTemporaryFile(suffix=".tar") as tmp:
                with tarfile.open(tmp.name, "w") as tar:
                    for relative in archive["files"]:
                        full = inside(source, relative)
                        tar.add(full, arcname=relative, recursive=False)
                        count += 1
                        size += os.path.getsize(full)
                put(archive["url"], tmp.name)
        return {"files": count, "bytes": size}
    if action == "restores":
        found = []
        if os.path.isdir(RESTORES):
            for name in sorted(os.listdir(RESTORES)):
                if name.startswith("aws-backup-restore_") and os.path.isdir(os.path.join(RESTORES, name)):
                    found.append({"name": name, "mtime": os.stat(os.path.join(RESTORES, name)).st_mtime})
        return {"restores": found}
    if action == "copy-back":
        source = inside(RESTORES, job["source"])
        target = inside(EXPERIMENTS, job["path"])
        if not os.path.exists(source):
            raise FileNotFoundError(f"{job['source']} is not in the restored files")
        copied = []
        pairs = [(source, target)] if os.path.isfile(source) else [
            (os.path.join(source, f["path"]), os.path.join(target, f["path"])) for f in manifest(source)
        ]
        for src, dst in pairs:
            if os.path.exists(dst) and not job.get("force") and os.stat(dst).st_mtime > os.stat(src).st_mtime:
                raise FileExistsError(f"{os.path.relpath(dst, EXPERIMENTS)} is newer in the experiments than in the restore (force to overwrite)")
        for src, dst in pairs:
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copy2(src, dst)
            copied.append(os.path.relpath(dst, EXPERIMENTS))
        return {"files": len(copied), "copied": copied}
    raise ValueError(f"unknown action {action!r}")


def main():
    with urllib.request.urlopen(os.environ["OPS_JOB_URL"]) as response:
        job = json.load(response)
    try:
        result = {"ok": True, **run(job)}
    except Exception as error:  # reported to the CLI through the result, and in the task's log
        print(f"transfer: {type(error).__name__}: {error}", file=sys.stderr)
        result = {"ok": False, "error": f"{type(error).__name__}: {error}"}
    put(job["result"], json.dumps(result).encode())
    print(f"transfer: {job['action']} {'done' if result['ok'] else 'failed'}")
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
`;
