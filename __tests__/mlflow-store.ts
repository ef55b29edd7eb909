/** An MLflow file store made by the tests. */
import * as fs from "node:fs";
import * as path from "node:path";
import { tempDir } from "./temp";

/**
 * A file store as MLflow 2 lays it out: Default (id 0) with one run, "segmentation" with two, a deleted experiment
 * in .trash with one run; beside them a registered-models folder and a stray file, which are not experiments.
 */
export function makeFileStore(): string {
  const root = tempDir("mlruns");
  const experiment = (base: string, id: string, name: string, stage: string, runs: string[]) => {
    const folder = path.join(root, base, id);
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(
      path.join(folder, "meta.yaml"),
      `artifact_location: s3://bucket/${id}\ncreation_time: 1700000000000\nexperiment_id: '${id}'\nlifecycle_stage: ${stage}\nname: ${name}\n`,
    );
    for (const run of runs) {
      fs.mkdirSync(path.join(folder, run, "metrics"), { recursive: true });
      fs.writeFileSync(path.join(folder, run, "metrics", "loss"), "1700000000000 0.5 0\n");
      fs.writeFileSync(
        path.join(folder, run, "meta.yaml"),
        `artifact_uri: s3://bucket/${id}/${run}/artifacts\nexperiment_id: '${id}'\nlifecycle_stage: active\nrun_id: ${run}\nrun_name: r\nrun_uuid: ${run}\nstatus: 3\n`,
      );
    }
  };
  experiment(".", "0", "Default", "active", ["a0"]);
  experiment(".", "1", "segmentation", "active", ["b1", "b2"]);
  experiment(".trash", "2", "old", "deleted", ["c1"]);
  fs.mkdirSync(path.join(root, "models", "unet"), { recursive: true });
  fs.writeFileSync(path.join(root, "stray.txt"), "not an experiment");
  return root;
}
