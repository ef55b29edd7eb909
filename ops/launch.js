// `npm run ops`: runs the CLI as one prebuilt bundle (dist/ops.js), so that it
// starts in a fraction of a second instead of transpiling TypeScript and
// resolving hundreds of SDK modules on every run, and through V8's code cache
// (dist/ops.js.cache), so that the bundle is not compiled again either. The bundle is rebuilt
// (esbuild, well under a second) when the contents of its sources (ops/,
// platform/, constructs/terraform/, the lock file) changed, by the same rule as synth/launch.js
// (synth/bundle-freshness.js). Plain JavaScript on purpose: this file is what runs first.
"use strict";
const path = require("node:path");
const { buildBundle, bundleOptions, ensureFresh, runBundle } = require("../synth/bundle-freshness");

const PROJECT = path.resolve(__dirname, "..");
const BUNDLE = path.join(PROJECT, "dist", "ops.js");
/** What the bundle is built from: the CLI, the platform's facts it reads, and the locked package versions. */
const SOURCES = ["ops", "platform", path.join("constructs", "terraform"), "package-lock.json"];
const freshness = { project: PROJECT, sources: SOURCES, bundle: BUNDLE, stamp: `${BUNDLE}.stamp` };

/** esbuild's options for the bundle, but its output file. */
const BUILD_OPTIONS = bundleOptions(path.join(PROJECT, "ops", "cli.ts"));

function build() {
  buildBundle(freshness, BUILD_OPTIONS);
}

/** Builds the bundle unless it is up to date with its sources (synth/bundle-freshness.js); says whether it built. */
function ensureBuilt() {
  return ensureFresh({ ...freshness, build });
}

module.exports = { build, ensureBuilt, BUNDLE, BUILD_OPTIONS, SOURCES };

if (require.main === module) {
  // The AWS SDK warns on every run under Node 20 that its 2027 releases will need Node 22: not the user's to act on here.
  const emitWarning = process.emitWarning;
  process.emitWarning = (warning, ...rest) => {
    const type = typeof rest[0] === "string" ? rest[0] : rest[0]?.type;
    if (type === "NodeVersionSupportWarning" || String(warning?.name ?? warning).includes("NodeVersionSupportWarning")) return;
    return emitWarning.call(process, warning, ...rest);
  };
  ensureBuilt();
  runBundle(BUNDLE, module)
    .main(process.argv)
    .then((code) => {
      process.exitCode = code;
    });
}
