// `npm run synth`: runs the platform's synthesis as one prebuilt JavaScript
// bundle (dist/synth.js) instead of transpiling TypeScript on every run, and
// with V8's code cache (dist/synth.js.cache), so that the bundle is not
// compiled again either.
//
// The bundle is never stale: its stamp records every source file's path,
// size and modification time, and a hash of their contents. When any path,
// size or time differs, the contents are hashed again; a different hash
// rebuilds the bundle (esbuild, ~0.3 s) before it runs. Plain JavaScript on
// purpose: this file is what runs first.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const PROJECT = path.resolve(__dirname, "..");
const DIST = path.join(PROJECT, "dist");
const BUNDLE = path.join(DIST, "synth.js");
const CODE_CACHE = `${BUNDLE}.cache`;
const STAMP = `${BUNDLE}.stamp`;
/** What the bundle is built from: the synthesis code and the locked package versions. */
const SOURCES = ["main.ts", "platform", "stacks", "constructs", "synth", "package-lock.json"];

function sourceFiles(entry = "") {
  if (entry === "") return SOURCES.flatMap(sourceFiles).sort();
  const full = path.join(PROJECT, entry);
  if (!fs.statSync(full).isDirectory()) return [entry];
  return fs
    .readdirSync(full, { withFileTypes: true })
    .flatMap((d) => (d.isDirectory() ? sourceFiles(path.join(entry, d.name)) : /\.(ts|js|json)$/.test(d.name) ? [path.join(entry, d.name)] : []));
}

/** Path, size and modification time of every source: cheap to read, and it changes with any edit. */
function fingerprint(files) {
  return files
    .map((file) => {
      const s = fs.statSync(path.join(PROJECT, file));
      return `${file}:${s.size}:${s.mtimeMs}`;
    })
    .join("\n");
}

/** A hash of the sources' contents (read only when the fingerprint moved). */
function contentHash(files) {
  const hash = require("node:crypto").createHash("sha256");
  for (const file of files) hash.update(file).update("\0").update(fs.readFileSync(path.join(PROJECT, file))).update("\0");
  return hash.digest("hex");
}

function readStamp() {
  try {
    return JSON.parse(fs.readFileSync(STAMP, "utf8"));
  } catch {
    return {};
  }
}

/**
 * Writes a file whole or not at all (a temp file, then a rename): test suites and
 * the cdktf CLI may run synthesis at the same time, and none may read half a bundle.
 */
function writeAtomic(file, write) {
  const tmp = `${file}.${process.pid}.tmp`;
  write(tmp);
  fs.renameSync(tmp, file);
}

/** Builds dist/synth.js from synth/cli.ts: our code and its packages in one file (one parse, no module lookups). */
function build(files = sourceFiles()) {
  writeAtomic(BUNDLE, (outfile) =>
    require("esbuild").buildSync({
      entryPoints: [path.join(PROJECT, "synth", "cli.ts")],
      outfile,
      bundle: true,
      platform: "node",
      target: "node20",
      minify: true,
      // HashiCorp's HCL parser loads its WebAssembly beside its own files: it stays a package (loaded only on the cdktf path).
      external: ["@cdktf/hcl2json"],
      logLevel: "warning",
    }),
  );
  fs.rmSync(CODE_CACHE, { force: true });
  writeAtomic(STAMP, (tmp) => fs.writeFileSync(tmp, `${JSON.stringify({ fingerprint: fingerprint(files), hash: contentHash(files) })}\n`));
}

/** Builds the bundle unless it is up to date with the sources; says whether it built. */
function ensureBuilt() {
  const files = sourceFiles();
  const stamp = readStamp();
  const print = fingerprint(files);
  if (fs.existsSync(BUNDLE) && stamp.fingerprint === print) return false;
  if (fs.existsSync(BUNDLE) && stamp.hash === contentHash(files)) {
    // Touched, not changed (a checkout, a copy): remember the new times.
    writeAtomic(STAMP, (tmp) => fs.writeFileSync(tmp, `${JSON.stringify({ fingerprint: print, hash: stamp.hash })}\n`));
    return false;
  }
  build(files);
  return true;
}

/** Runs the bundle as a CommonJS module, through V8's code cache (written after the first run). */
function run() {
  const vm = require("node:vm");
  const Module = require("node:module");
  const source = fs.readFileSync(BUNDLE, "utf8");
  let cachedData;
  try {
    cachedData = fs.readFileSync(CODE_CACHE);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(Module.wrap(source), { filename: BUNDLE, cachedData });
  const bundle = new Module(BUNDLE, module);
  bundle.filename = BUNDLE;
  bundle.paths = Module._nodeModulePaths(DIST);
  const writeCache = cachedData === undefined || script.cachedDataRejected;
  // The cache is written once the synthesis ran, so it holds the functions it compiled on the way.
  if (writeCache) process.once("exit", () => writeAtomic(CODE_CACHE, (tmp) => fs.writeFileSync(tmp, script.createCachedData())));
  script.runInThisContext()(bundle.exports, (id) => bundle.require(id), bundle, BUNDLE, DIST);
}

module.exports = { build, ensureBuilt, sourceFiles, BUNDLE };

if (require.main === module) {
  if (process.argv[2] === "--build") build();
  else {
    ensureBuilt();
    run();
  }
}
