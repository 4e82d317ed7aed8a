#!/usr/bin/env node
'use strict';
/**
 * Runs a TypeScript entry point of this project: `node tools/launch.cjs [--watch] <entry.ts> [args...]`.
 * `npm run synth`, `npm run diff`, `npx cdk8s synth` and the tools all start here.
 *
 * The entry and everything it imports are bundled by esbuild (no type check: tests, CI and the
 * editor do that) into one CommonJS file in node_modules/.cache/platform-constructs/, beside a
 * stamp: size, mtime and ctime of every file esbuild read (from esbuild's metafile, so
 * node_modules too), of this file, of tsconfig.json and of the installed-packages lock. A run
 * stats those files (a few ms); only when one differs is the entry bundled again. There is
 * no other way to run the code, so there is no stale build to detect.
 *
 * `--watch` runs the entry again, in a fresh process, whenever a file under src/, imports/, bin/
 * or the spec's directory changes.
 *
 * Kept small and CommonJS on purpose: it is on the path of every synth (esbuild is only
 * loaded to bundle). Node 22.1+ caches compiled code (`module.enableCompileCache`).
 */
const fs = require('fs');
const path = require('path');

const ROOT = path.dirname(__dirname);
const CACHE = path.join(ROOT, 'node_modules', '.cache', 'platform-constructs');
/** Besides what esbuild reads: the build options (this file) and what decides how it resolves and transforms. */
const EXTRA_INPUTS = ['tools/launch.cjs', 'tsconfig.json', 'node_modules/.package-lock.json', 'node_modules/esbuild/package.json'];

/** A file changed this shortly before bundling is taken as changed during it. */
const RACY_MS = 100;

/** What identifies a file's content without reading it; '-' for a file that is absent. */
function fileKey(relative) {
  const s = fs.statSync(path.join(ROOT, relative), { throwIfNoEntry: false });
  return s ? `${s.size}:${s.mtimeMs}:${s.ctimeMs}` : '-';
}

/** Where an entry's bundle and stamp live: src/x/y.ts -> <cache>/src-x-y.js. */
function outputsOf(entry) {
  const base = path.join(CACHE, entry.replace(/\.ts$/, '').replace(/[\\/]/g, '-'));
  return { bundle: `${base}.js`, stamp: `${base}.stamp.json` };
}

/** Whether every file the bundle was built from is as it was then. */
function isCurrent(out) {
  let stamp;
  try {
    stamp = JSON.parse(fs.readFileSync(out.stamp, 'utf8'));
  } catch {
    return false; // never built, or an unreadable stamp
  }
  if (!Array.isArray(stamp.inputs) || !fs.existsSync(out.bundle)) return false;
  for (const [file, key] of stamp.inputs) if (fileKey(file) !== key) return false;
  return true;
}

/** Writes a file whole or not at all: readers see the old content or the new one. */
function writeAtomically(file, contents) {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, contents);
  fs.renameSync(tmp, file);
}

/** Bundles `entry` and records what it was built from. */
async function bundle(entry, out) {
  // eslint-disable-next-line global-require -- only loaded when a bundle is stale
  const esbuild = require('esbuild');
  const started = Date.now();
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: [entry],
    outfile: out.bundle,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // Class and function names stay as written: error messages show them ("... in Chart [x]").
    keepNames: true,
    // `NODE_OPTIONS=--enable-source-maps` points stack traces at the .ts files.
    sourcemap: 'linked',
    sourcesContent: false,
    metafile: true,
    write: false,
    logLevel: 'warning',
  });
  fs.mkdirSync(CACHE, { recursive: true });
  // The map first: the bundle names it.
  for (const f of [...result.outputFiles].sort((a, b) => b.path.length - a.path.length)) writeAtomically(f.path, f.contents);
  const inputs = [...new Set([...Object.keys(result.metafile.inputs), ...EXTRA_INPUTS])].sort();
  const stamp = inputs.map((file) => [file, fileKey(file)]);
  // A file changed while esbuild read it may be in the bundle in either version: leave the
  // bundle without a stamp, so that the next run bundles again. File times come from a coarse
  // clock (a few ms behind), hence the margin.
  const changedMeanwhile = inputs.some((file) => {
    const s = fs.statSync(path.join(ROOT, file), { throwIfNoEntry: false });
    return s && Math.max(s.mtimeMs, s.ctimeMs) >= started - RACY_MS;
  });
  if (changedMeanwhile) fs.rmSync(out.stamp, { force: true });
  else writeAtomically(out.stamp, `${JSON.stringify({ entry, inputs: stamp })}\n`);
}

/**
 * What this run did, printed as one JSON line on stderr at exit when PLATFORM_LAUNCH_TRACE is
 * set (the bench and the tests read it): whether it bundled, how long deciding that took, how
 * the code cache was used, and the peak resident memory of the process.
 */
const trace = { bundled: false, checkMs: 0, codeCache: 'off', maxRssKb: 0 };
if (process.env.PLATFORM_LAUNCH_TRACE) {
  process.on('exit', () => {
    trace.maxRssKb = process.resourceUsage().maxRSS;
    process.stderr.write(`platform-launch ${JSON.stringify(trace)}\n`);
  });
}

/** Bundles the entry when stale; returns the bundle's path. */
async function prepare(entry) {
  if (!/\.ts$/.test(entry) || !fs.existsSync(path.join(ROOT, entry))) {
    throw new Error(`no entry point ${entry} (a .ts file, relative to ${ROOT})`);
  }
  const out = outputsOf(entry);
  const started = process.hrtime.bigint();
  const current = isCurrent(out);
  trace.checkMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (!current) {
    await bundle(entry, out);
    trace.bundled = true;
  }
  return out.bundle;
}

/** Runs the bundle in this process, as if node had been started with it. */
function run(bundleFile, args) {
  process.argv = [process.argv[0], bundleFile, ...args];
  const off = process.env.NODE_DISABLE_COMPILE_CACHE || process.sourceMapsEnabled || process.execArgv.some((a) => a.startsWith('--inspect'));
  if (off) require(bundleFile);
  else requireWithCodeCache(bundleFile);
}

/**
 * `require(bundleFile)`, compiled with V8 code cache made at the end of the last successful run,
 * so that it holds every function that ran (Node's own compile cache holds only those compiled
 * eagerly). The cache file names the bundle it was made from (size, mtime, ctime: the bundle is
 * only ever replaced whole) and the hash of its data (V8 checks neither); V8 refuses data of
 * another version or other flags, and the source is compiled then.
 */
function requireWithCodeCache(bundleFile) {
  const crypto = require('crypto');
  const vm = require('vm');
  const Module = require('module');
  const cacheFile = `${bundleFile}.${process.arch}-${process.version}.v8cache`;
  const stat = fs.statSync(bundleFile);
  const source = `(function (exports, require, module, __filename, __dirname) { ${fs.readFileSync(bundleFile, 'utf8')}\n})`;
  const identity = `${stat.size}:${stat.mtimeMs}:${stat.ctimeMs}`;
  const sha = (data) => crypto.createHash('sha256').update(data).digest('hex');
  let cachedData;
  try {
    const buf = fs.readFileSync(cacheFile);
    const header = buf.indexOf(10);
    const [from, hash] = buf.toString('latin1', 0, header).split(' ');
    const data = buf.subarray(header + 1);
    if (from === identity && hash === sha(data)) cachedData = data;
  } catch {
    // no cache yet: compile from source
  }
  const script = new vm.Script(source, { filename: bundleFile, cachedData, importModuleDynamically: vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER });
  trace.codeCache = !cachedData ? 'miss' : script.cachedDataRejected ? 'rejected' : 'hit';
  if (!cachedData || script.cachedDataRejected) {
    process.once('exit', (code) => {
      if (code !== 0) return; // a failed run may have run little of the code
      try {
        const data = script.createCachedData();
        writeAtomically(cacheFile, Buffer.concat([Buffer.from(`${identity} ${sha(data)}\n`, 'latin1'), data]));
      } catch {
        // the next run compiles from source again
      }
    });
  }
  const mod = new Module(bundleFile, null);
  mod.filename = bundleFile;
  mod.paths = Module._nodeModulePaths(path.dirname(bundleFile));
  require.cache[bundleFile] = mod;
  script.runInThisContext()(mod.exports, Module.createRequire(bundleFile), mod, bundleFile, path.dirname(bundleFile));
  mod.loaded = true;
}

/** Runs the entry in a child process now and again whenever a watched file changes. */
function watch(entry, args) {
  const { spawn } = require('child_process');
  const i = args.findIndex((a) => a === '--config' || a.startsWith('--config='));
  const spec = i < 0 ? 'config/platform.yaml' : args[i].startsWith('--config=') ? args[i].slice(9) : args[i + 1];
  const dirs = [...new Set([...['src', 'imports', 'bin', 'tools'].map((d) => path.join(ROOT, d)), path.resolve(path.dirname(spec ?? '.'))])]
    .filter((d) => fs.existsSync(d));
  let child;
  let again = false;
  const start = () => {
    if (child) { again = true; return; } // one run at a time; one more after it
    process.stdout.write(`\n[watch] ${new Date().toISOString().slice(11, 19)} ${entry} ${args.join(' ')}\n`);
    child = spawn(process.execPath, [__filename, entry, ...args], { stdio: 'inherit' });
    child.on('exit', (code) => {
      process.stdout.write(`[watch] exit ${code}; waiting for changes in ${dirs.map((d) => path.relative(process.cwd(), d) || '.').join(', ')}\n`);
      child = undefined;
      if (again) { again = false; start(); }
    });
  };
  let timer;
  for (const dir of dirs) {
    fs.watch(dir, { recursive: true }, (event, name) => {
      if (name && /(^|[\\/])(\.|node_modules|dist)/.test(name)) return; // staging dirs, editors' swap files
      clearTimeout(timer);
      timer = setTimeout(start, 100); // an editor's save is several events
    });
  }
  start();
}

async function main() {
  const argv = process.argv.slice(2);
  const watching = argv[0] === '--watch';
  if (watching) argv.shift();
  const [entry, ...args] = argv;
  if (!entry) throw new Error('usage: node tools/launch.cjs [--watch] <entry.ts> [args...]');
  if (watching) watch(entry, args);
  else run(await prepare(entry), args);
}

main().catch((e) => {
  process.stderr.write(`${e.message}\n`);
  process.exitCode = 2;
});
