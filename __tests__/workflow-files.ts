/** The project's GitHub workflows, for the suites that read them. */
import * as fs from "node:fs";
import * as path from "node:path";

/** The workflows' folder. */
export const WORKFLOWS = path.join(path.resolve(__dirname, ".."), ".github", "workflows");

/** The workflow files, by name. */
export const files = fs
  .readdirSync(WORKFLOWS)
  .filter((n) => n.endsWith(".yml"))
  .sort();
