// `npm run synth`: runs the platform's synthesis as one prebuilt JavaScript
// bundle (dist/synth.js) instead of transpiling TypeScript on every run, and
// with V8's code cache (dist/synth.js.cache), so that the bundle is not
// compiled again either.
//
// The bundle is never stale: synth/bundle-freshness.js rebuilds it (esbuild,
// ~0.3 s) when its sources' contents changed, by the same rule as ops/launch.js. Plain JavaScript on
// purpose: this file is what runs first.
"use strict";
const path = require("node:path");
const { buildBundle, bundleOptions, ensureFresh, runBundle, sourceFiles: sourceFilesOf } = require("./bundle-freshness");

const PROJECT = path.resolve(__dirname, "..");
const DIST = path.join(PROJECT, "dist");
const BUNDLE = path.join(DIST, "synth.js");
const STAMP = `${BUNDLE}.stamp`;
/** What the bundle is built from: the synthesis code and the locked package versions. */
const SOURCES = ["main.ts", "platform", "stacks", "constructs", "synth", "package-lock.json"];

const freshness = { project: PROJECT, sources: SOURCES, bundle: BUNDLE, stamp: STAMP };
const sourceFiles = () => sourceFilesOf(PROJECT, SOURCES);

/** Builds dist/synth.js from synth/cli.ts: our code and its packages in one file (one parse, no module lookups). */
function build() {
  buildBundle(freshness, bundleOptions(path.join(PROJECT, "synth", "cli.ts")));
}

/** Builds the bundle unless it is up to date with the sources (synth/bundle-freshness.js); says whether it built. */
function ensureBuilt() {
  return ensureFresh({ ...freshness, build });
}

module.exports = { build, ensureBuilt, sourceFiles, BUNDLE };

if (require.main === module) {
  if (process.argv[2] === "--build") build();
  else {
    ensureBuilt();
    runBundle(BUNDLE, module);
  }
}
