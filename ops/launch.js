// `npm run ops`: runs the CLI as one prebuilt bundle (dist/ops.js), so that it
// starts in a fraction of a second instead of transpiling TypeScript and
// resolving hundreds of SDK modules on every run. The bundle is rebuilt
// (esbuild, well under a second) whenever a file in ops/ or the lock file is
// newer than it (ops/, platform/, constructs/terraform/, the lock file). Plain JavaScript on purpose: this file is what runs first.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const PROJECT = path.resolve(__dirname, "..");
const BUNDLE = path.join(PROJECT, "dist", "ops.js");
const SOURCES = [path.join(PROJECT, "ops"), path.join(PROJECT, "platform"), path.join(PROJECT, "constructs", "terraform"), path.join(PROJECT, "package-lock.json")];

function newest(entry) {
  const s = fs.statSync(entry);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(0, ...fs.readdirSync(entry).map((name) => newest(path.join(entry, name))));
}

function build() {
  // A temp file, then a rename: commands started at the same time (test suites, make targets) never read half a bundle.
  const tmp = `${BUNDLE}.${process.pid}.tmp`;
  require("esbuild").buildSync({
    entryPoints: [path.join(PROJECT, "ops", "cli.ts")],
    outfile: tmp,
    bundle: true,
    platform: "node",
    target: "node20",
    minify: true,
    // HashiCorp's HCL parser loads its WebAssembly beside its own files: it stays a package (and loads only for `cost`).
    external: ["@cdktf/hcl2json"],
    logLevel: "warning",
  });
  fs.renameSync(tmp, BUNDLE);
}

function ensureBuilt() {
  const stale = !fs.existsSync(BUNDLE) || Math.max(...SOURCES.map(newest)) > fs.statSync(BUNDLE).mtimeMs;
  if (stale) build();
  return stale;
}

module.exports = { build, ensureBuilt, BUNDLE };

if (require.main === module) {
  // The AWS SDK warns on every run under Node 20 that its 2027 releases will need Node 22: not the user's to act on here.
  const emitWarning = process.emitWarning;
  process.emitWarning = (warning, ...rest) => {
    const type = typeof rest[0] === "string" ? rest[0] : rest[0]?.type;
    if (type === "NodeVersionSupportWarning" || String(warning?.name ?? warning).includes("NodeVersionSupportWarning")) return;
    return emitWarning.call(process, warning, ...rest);
  };
  ensureBuilt();
  require(BUNDLE)
    .main(process.argv)
    .then((code) => {
      process.exitCode = code;
    });
}
