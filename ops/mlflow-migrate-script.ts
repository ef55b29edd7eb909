/**
 * The program of `npm run ops -- mlflow migrate`: Python, run in a one-off task
 * of MLflow's own task definition (its image with MLflow and the PostgreSQL
 * driver, its store mounted at /app/mlruns, the database's variables and
 * secret) as the container's command. The tests run the same text.
 */
export const MLFLOW_MIGRATE_SCRIPT = String.raw`# Moves MLflow's history from its file store into its PostgreSQL database.
# OPS_MIGRATE_MODE: "inventory" counts the file store only (no MLflow needed);
# "dry-run" also counts the database; "migrate" copies, then counts again.
# The result, {"ok": true, ...} or {"ok": false, "error": ...}, goes to
# OPS_RESULT_URL (a presigned S3 PUT) when given, and to stdout.
import json
import os
import sys
import urllib.parse
import urllib.request

STORE = os.environ.get("OPS_MLFLOW_STORE", "/app/mlruns")
MODE = os.environ.get("OPS_MIGRATE_MODE", "dry-run")
RESULT_URL = os.environ.get("OPS_RESULT_URL")
PAGE = 1000


def meta(path):
    """The top-level "key: value" pairs of an MLflow meta.yaml."""
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line[:1] in (" ", "\t", "-", "#") or ":" not in line:
                continue
            key, value = line.split(":", 1)
            out[key.strip()] = value.strip().strip("'\"")
    return out


def inventory(root):
    """Experiments (active, deleted in .trash) and their runs in a file store, as MLflow lays it out."""
    if not os.path.isdir(root):
        raise RuntimeError(f"the file store {root} does not exist (is MLflow's store mounted?)")
    experiments = runs = 0
    for base in (root, os.path.join(root, ".trash")):
        if not os.path.isdir(base):
            continue
        for name in sorted(os.listdir(base)):
            folder = os.path.join(base, name)
            if name.startswith(".") or not os.path.isfile(os.path.join(folder, "meta.yaml")):
                continue
            if "experiment_id" not in meta(os.path.join(folder, "meta.yaml")):
                continue
            experiments += 1
            for run in os.listdir(folder):
                run_meta = os.path.join(folder, run, "meta.yaml")
                if os.path.isfile(run_meta) and ("run_id" in meta(run_meta) or "run_uuid" in meta(run_meta)):
                    runs += 1
    return {"experiments": experiments, "runs": runs}


def database_uri():
    e = os.environ
    q = lambda v: urllib.parse.quote(v, safe="")  # noqa: E731
    return "postgresql://%s:%s@%s:%s/%s?sslmode=require" % (
        q(e["MLFLOW_DB_USERNAME"]), q(e["MLFLOW_DB_PASSWORD"]), e["MLFLOW_DB_HOST"], e["MLFLOW_DB_PORT"], e["MLFLOW_DB_NAME"])


def stores():
    try:
        from mlflow.store.tracking.file_store import FileStore
        from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore
    except ImportError as error:
        raise RuntimeError(f"cannot import MLflow's stores ({error}): run this in the MLflow image, with psycopg2 installed")
    return FileStore(STORE), SqlAlchemyStore(database_uri(), os.environ.get("OPS_ARTIFACT_ROOT", "./mlruns"))


def all_experiments(store):
    from mlflow.entities import ViewType
    out, token = [], None
    while True:
        page = store.search_experiments(view_type=ViewType.ALL, max_results=PAGE, page_token=token)
        out.extend(page)
        token = page.token
        if not token:
            return out


def all_runs(store, experiment_id):
    from mlflow.entities import ViewType
    out, token = [], None
    while True:
        page = store.search_runs([experiment_id], "", ViewType.ALL, max_results=PAGE, page_token=token)
        out.extend(page)
        token = page.token
        if not token:
            return out


def counts(store):
    experiments = all_experiments(store)
    return {"experiments": len(experiments), "runs": sum(len(all_runs(store, e.experiment_id)) for e in experiments)}


def chunks(items, size):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def copy(source, target):
    """Every experiment (by name: Default is reused) and run, with parameters, tags and every metric value."""
    from mlflow.entities import ExperimentTag, Param, RunTag
    for experiment in all_experiments(source):
        found = target.get_experiment_by_name(experiment.name)
        if found is not None:
            experiment_id = found.experiment_id
        else:
            tags = [ExperimentTag(k, v) for k, v in experiment.tags.items()]
            experiment_id = target.create_experiment(experiment.name, experiment.artifact_location, tags)
        for run in all_runs(source, experiment.experiment_id):
            info = run.info
            tags = [RunTag(k, v) for k, v in run.data.tags.items() if k != "mlflow.runName"]
            tags += [RunTag("autovisionai.original_run_id", info.run_id)]
            if info.artifact_uri:
                tags.append(RunTag("autovisionai.original_artifact_uri", info.artifact_uri))
            created = target.create_run(experiment_id, info.user_id, info.start_time, [], info.run_name)
            run_id = created.info.run_id
            metrics = [m for key in run.data.metrics for m in source.get_metric_history(info.run_id, key)]
            params = [Param(k, v) for k, v in run.data.params.items()]
            for batch in chunks(params, 100):
                target.log_batch(run_id, metrics=[], params=batch, tags=[])
            for batch in chunks(tags, 100):
                target.log_batch(run_id, metrics=[], params=[], tags=batch)
            for batch in chunks(metrics, 1000):
                target.log_batch(run_id, metrics=batch, params=[], tags=[])
            target.update_run_info(run_id, info.status, info.end_time, info.run_name)
            if info.lifecycle_stage == "deleted":
                target.delete_run(run_id)
        if experiment.lifecycle_stage == "deleted" and found is None:
            target.delete_experiment(experiment_id)


def main():
    result = {"mode": MODE, "store": STORE}
    try:
        result["source"] = inventory(STORE)
        if MODE != "inventory":
            source, target = stores()
            result["before"] = counts(target)
            if MODE == "migrate":
                if result["before"]["runs"] > 0:
                    raise RuntimeError(
                        f"the database already holds {result['before']['runs']} run(s): migrate moves a file store once, into a database without runs")
                copy(source, target)
                result["after"] = counts(target)
        result["ok"] = True
    except Exception as error:  # noqa: BLE001 - every failure is reported
        result["ok"] = False
        result["error"] = f"{type(error).__name__}: {error}"
    text = json.dumps(result)
    print(text)
    if RESULT_URL:
        # A Content-Type of its own: urllib's default (a form) is not what is stored.
        request = urllib.request.Request(RESULT_URL, data=text.encode(), method="PUT", headers={"Content-Type": "application/json"})
        urllib.request.urlopen(request).read()
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
`;
