// How both launchers (synth/launch.js, ops/launch.js) build their prebuilt bundle
// (dist/synth.js, dist/ops.js), when it is stale, and how it runs (through V8's code cache): one rule. A stamp beside the bundle records every
// source file's path, size and modification time, and a hash of their contents. When
// any path, size or time differs, the contents are hashed again; a different hash
// rebuilds the bundle. A checkout or a copy that only touches files rebuilds nothing;
// an edit always rebuilds, whatever the clocks say. Plain JavaScript: launchers run first.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

/** Every .ts/.js/.json file under the project's `entries` (files or folders), relative, sorted. */
function sourceFiles(project, entries) {
  const walk = (entry) => {
    const full = path.join(project, entry);
    if (!fs.statSync(full).isDirectory()) return [entry];
    return fs
      .readdirSync(full, { withFileTypes: true })
      .flatMap((d) => (d.isDirectory() ? walk(path.join(entry, d.name)) : /\.(ts|js|json)$/.test(d.name) ? [path.join(entry, d.name)] : []));
  };
  return entries.flatMap(walk).sort();
}

/** Path, size and modification time of every source: cheap to read, and it changes with any edit. */
function fingerprint(project, files) {
  return files
    .map((file) => {
      const s = fs.statSync(path.join(project, file));
      return `${file}:${s.size}:${s.mtimeMs}`;
    })
    .join("\n");
}

/** A hash of the sources' contents (read only when the fingerprint moved). */
function contentHash(project, files) {
  const hash = require("node:crypto").createHash("sha256");
  for (const file of files) hash.update(file).update("\0").update(fs.readFileSync(path.join(project, file))).update("\0");
  return hash.digest("hex");
}

/**
 * Writes a file whole or not at all (a temp file, then a rename): test suites and
 * make targets may start a launcher at the same time, and none may read half a bundle.
 */
function writeAtomic(file, write) {
  const tmp = `${file}.${process.pid}.tmp`;
  write(tmp);
  fs.renameSync(tmp, file);
}

function readStamp(stamp) {
  try {
    return JSON.parse(fs.readFileSync(stamp, "utf8"));
  } catch {
    return {};
  }
}

function writeStamp(stamp, value) {
  writeAtomic(stamp, (tmp) => fs.writeFileSync(tmp, `${JSON.stringify(value)}\n`));
}

/** Records the sources a bundle was just built from (after `build`). */
function stampBuilt({ project, sources, stamp }) {
  const files = sourceFiles(project, sources);
  writeStamp(stamp, { fingerprint: fingerprint(project, files), hash: contentHash(project, files) });
}

/** Builds the bundle (`build()`) unless it is up to date with its sources; says whether it built. */
function ensureFresh({ project, sources, bundle, stamp, build }) {
  const files = sourceFiles(project, sources);
  const recorded = readStamp(stamp);
  const print = fingerprint(project, files);
  if (fs.existsSync(bundle) && recorded.fingerprint === print) return false;
  if (fs.existsSync(bundle) && recorded.hash === contentHash(project, files)) {
    // Touched, not changed (a checkout, a copy): remember the new times.
    writeStamp(stamp, { fingerprint: print, hash: recorded.hash });
    return false;
  }
  build();
  return true;
}

/** Where a bundle's V8 code cache is kept: beside it (dist/synth.js.cache, dist/ops.js.cache). */
const codeCacheOf = (bundle) => `${bundle}.cache`;

/**
 * Builds a launcher's bundle (`freshness`: as for ensureFresh; `options`: bundleOptions of its entry point), drops
 * the code cache of the bundle it replaces, and records the sources it was built from.
 */
function buildBundle(freshness, options) {
  // A temp file, then a rename: commands started at the same time (test suites, make targets) never read half a bundle.
  writeAtomic(freshness.bundle, (outfile) => require("esbuild").buildSync({ ...options, outfile }));
  fs.rmSync(codeCacheOf(freshness.bundle), { force: true });
  stampBuilt(freshness);
}

/**
 * Runs a launcher's bundle as a CommonJS module of `parent` through V8's code cache (codeCacheOf: written when the
 * first run exits, so that it holds the functions that run compiled on the way; written again when V8 rejects it):
 * the bundle is not compiled again on every start. Returns the bundle's exports.
 */
function runBundle(bundle, parent) {
  const cacheFile = codeCacheOf(bundle);
  const vm = require("node:vm");
  const Module = require("node:module");
  const source = fs.readFileSync(bundle, "utf8");
  let cachedData;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(Module.wrap(source), { filename: bundle, cachedData });
  const dir = path.dirname(bundle);
  const loaded = new Module(bundle, parent);
  loaded.filename = bundle;
  loaded.paths = Module._nodeModulePaths(dir);
  if (cachedData === undefined || script.cachedDataRejected)
    process.once("exit", () => writeAtomic(cacheFile, (tmp) => fs.writeFileSync(tmp, script.createCachedData())));
  script.runInThisContext()(loaded.exports, (id) => loaded.require(id), loaded, bundle, dir);
  loaded.loaded = true;
  return loaded.exports;
}

/**
 * esbuild's options for a launcher's bundle of `entryPoint` (both launchers): our code and its packages in one
 * minified file (one parse, no module lookups). HashiCorp's HCL parser loads its WebAssembly beside its own files:
 * it stays a package, required on the first HCL variable file (platform/variables.ts).
 */
function bundleOptions(entryPoint) {
  return {
    entryPoints: [entryPoint],
    bundle: true,
    platform: "node",
    target: "node20",
    minify: true,
    external: ["@cdktf/hcl2json"],
    logLevel: "warning",
  };
}

module.exports = { buildBundle, bundleOptions, ensureFresh, runBundle, sourceFiles };
