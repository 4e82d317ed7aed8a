#!/usr/bin/env node
'use strict';
/**
 * Runs a TypeScript entry point of this project: `node tools/launch.cjs [--watch] <entry.ts> [args...]`.
 * `npm run synth`, `npm run diff`, `npx cdk8s synth` and the tools all start here.
 *
 * esbuild bundles (no type check: tests, CI and the editor do that) into
 * node_modules/.cache/platform-constructs/ two CommonJS files per entry: the entry with
 * everything it imports from the project (src/, imports/) and the part it uses of each ES-module
 * package (zod), and the CommonJS packages it imports from node_modules, each version once. An
 * edit rebuilds only the first; the second waits for a package change. Beside each bundle a
 * stamp lists size, mtime and ctime of every file esbuild read (its metafile), of this file, of
 * tsconfig.json and of the installed-packages lock. A run stats those files (a few ms); only
 * when one differs is that bundle built again. There is no other way to run the code, so there
 * is no stale build to detect.
 *
 * Both bundles are compiled with a V8 code cache made at the end of the last successful run
 * (NODE_DISABLE_COMPILE_CACHE=1 turns it off), under V8 flags tuned for a short run (see V8_FLAGS).
 * An entry that asks for it (the synth) is not run at all when nothing it depends on changed
 * since its last successful run: its output is printed again (tools/result-cache.cjs;
 * PLATFORM_RESULT_CACHE=off turns it off).
 *
 * `--watch` runs the entry again, in a fresh process, whenever a file under src/, imports/,
 * bin/, tools/ or the spec's directory changes.
 *
 * Kept small and CommonJS on purpose: it is on the path of every synth (esbuild is only
 * loaded to bundle).
 *
 * Required as a module it runs nothing and sets no V8 flag; `packagesBundle(packages)` gives the
 * unit tests the same bundle of the packages the library imports (test/support/runtime.cjs), and
 * RACY_MS the race margin their waits respect (test/support/node-process.ts).
 */
const fs = require('fs');
const path = require('path');

/** Started as a command (`node tools/launch.cjs ...`), not required by another module. */
const isCommand = require.main === module;

/**
 * node's options that size the heap (package.json's scripts give two). V8 reads them once, when it
 * makes the heap; after that they only count in the hash of V8's flags, which V8 checks every code
 * cache against, node's own cache of its built-in modules included (made under the defaults). With
 * them as given, node compiled each built-in module a run loads from source: 19 instead of 6 ms for
 * the synth's 57. So a run sets them back to their defaults (the heap keeps its sizes) before it
 * loads any built-in module but node:v8 and the streams that one needs, and loads the built-in
 * modules its bundles import before it tunes V8 (below), which changes the hash again.
 */
const HEAP_OPTION = /^--(initial-old-space-size|max-semi-space-size)=\d+$/;
if (isCommand) {
  const heapOptions = process.execArgv.filter((o) => HEAP_OPTION.test(o));
  if (heapOptions.length) require('node:v8').setFlagsFromString(heapOptions.map((o) => o.replace(/=.*/, '=0')).join(' '));
}

// V8 tuned for a short run (tools/v8-flags.cjs): set in `run`, after the built-in modules and before
// anything of the bundles is compiled: their code cache is made, and checked, under these flags.
const V8_TUNING = require('./v8-flags.cjs');
const V8_FLAGS = isCommand ? V8_TUNING.V8_FLAGS : '';

const ROOT = path.dirname(__dirname);
const CACHE = path.join(ROOT, 'node_modules', '.cache', 'platform-constructs');
/** Besides what esbuild reads: the build options (this file) and what decides how it resolves and transforms. */
const EXTRA_INPUTS = ['tools/launch.cjs', 'tools/result-cache.cjs', 'tsconfig.json', 'node_modules/.package-lock.json', 'node_modules/esbuild/package.json'];
/** A file changed this shortly before bundling is taken as changed during it. */
const RACY_MS = 100;

/**
 * What this run did, printed as one JSON line on stderr at exit when PLATFORM_LAUNCH_TRACE is
 * set (the bench and the tests read it): which bundles it built, how long deciding that took,
 * whether the entry's recorded result was replayed ('hit'), how the code cache was used (per bundle), the V8 flags it set, and the peak resident memory of the process.
 */
const trace = { bundled: false, packagesBundled: false, checkMs: 0, result: 'off', codeCache: 'off', packagesCodeCache: 'off', v8Flags: V8_FLAGS, builtinsBeforeV8Flags: [], maxRssKb: 0 };
if (isCommand && process.env.PLATFORM_LAUNCH_TRACE) {
  process.on('exit', () => {
    trace.maxRssKb = process.resourceUsage().maxRSS;
    process.stderr.write(`platform-launch ${JSON.stringify(trace)}\n`);
  });
}

/** Files are named relative to ROOT with '/' (as esbuild's metafile names them), which every platform's fs takes. */
const ROOT_PREFIX = `${ROOT}${path.sep}`;
const IF_PRESENT = { throwIfNoEntry: false };

/**
 * What identifies a file's content without reading it: [name, size, mtimeMs, ctimeMs], or [name]
 * for a file that is absent. Numbers, not text: a run compares some 340 of them, and the text of
 * a time with its fraction of a millisecond took longer to make than the stat.
 */
function fileStamp(relative) {
  const s = fs.statSync(ROOT_PREFIX + relative, IF_PRESENT);
  return s ? [relative, s.size, s.mtimeMs, s.ctimeMs] : [relative];
}

/** Whether a file is as its stamp (fileStamp's answer then) says. */
function unchanged([relative, size, mtimeMs, ctimeMs]) {
  const s = fs.statSync(ROOT_PREFIX + relative, IF_PRESENT);
  return s ? s.size === size && s.mtimeMs === mtimeMs && s.ctimeMs === ctimeMs : size === undefined;
}

/** The files of a bundle named `name`. */
function outputsOf(name) {
  const base = path.join(CACHE, name);
  return { bundle: `${base}.js`, stamp: `${base}.stamp.json` };
}

/** The stamp of a bundle when every file it was built from is as it was then; else undefined. */
function currentStamp(out) {
  let stamp;
  try {
    stamp = JSON.parse(fs.readFileSync(out.stamp, 'utf8'));
  } catch {
    return undefined; // never built, or an unreadable stamp
  }
  if (!Array.isArray(stamp.inputs) || !fs.existsSync(out.bundle)) return undefined;
  for (const input of stamp.inputs) if (!Array.isArray(input) || !unchanged(input)) return undefined;
  return stamp;
}

/** Writes a file whole or not at all: readers see the old content or the new one. */
function writeAtomically(file, contents) {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, contents);
  try {
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/** Bundles with `options` into `out`, records what it was built from (and `extra`); returns the stamp. */
async function bundle(options, out, extra) {
  // eslint-disable-next-line global-require -- only loaded when a bundle is stale
  const esbuild = require('esbuild');
  const started = Date.now();
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    outfile: out.bundle,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // Class and function names stay as written: error messages show them ("... in Chart [x]").
    keepNames: true,
    // Less to read and compile on every run, and no comments: esbuild's output is then ASCII
    // only, which `load` reads as latin1 (a third of the decoding). The source map covers it.
    minifyWhitespace: true,
    // Under `NODE_OPTIONS=--enable-source-maps` stack traces name the .ts files (see run).
    sourcemap: 'linked',
    sourcesContent: false,
    metafile: true,
    write: false,
    logLevel: 'warning',
    ...options,
  });
  // Without keepNames esbuild keeps names as written only in CommonJS modules (it wraps them
  // whole); an ES module's names may be changed to avoid a clash, and need it after all.
  if (options.keepNames === false && Object.values(result.metafile.inputs).some((input) => input.format === 'esm')) {
    return bundle({ ...options, keepNames: true }, out, extra);
  }
  fs.mkdirSync(CACHE, { recursive: true });
  // The map first: the bundle names it.
  for (const f of [...result.outputFiles].sort((a, b) => b.path.length - a.path.length)) writeAtomically(f.path, f.contents);
  removeStaleCodeCaches(out.bundle);
  const inputs = [...new Set([...Object.keys(result.metafile.inputs).filter((f) => !f.startsWith('<')), ...EXTRA_INPUTS])].sort();
  const stamp = { inputs: inputs.map(fileStamp), ...extra(result.metafile) };
  // A file changed while esbuild read it may be in the bundle in either version: leave the
  // bundle without a stamp, so that the next run bundles again. File times come from a coarse
  // clock (a few ms behind), hence the margin.
  const changedMeanwhile = inputs.some((file) => {
    const s = fs.statSync(path.join(ROOT, file), { throwIfNoEntry: false });
    return s && Math.max(s.mtimeMs, s.ctimeMs) >= started - RACY_MS;
  });
  if (changedMeanwhile) fs.rmSync(out.stamp, { force: true });
  else writeAtomically(out.stamp, `${JSON.stringify(stamp)}\n`);
  return stamp;
}

/**
 * Removes the code caches (see load) made from an earlier version of `bundleFile`, which load
 * refuses: one per node version, tuning and set of node's options that ran it, which would
 * otherwise stay until that variant ran again. One made from the bundle as it is now (another
 * process may have run it meanwhile) stays.
 */
function removeStaleCodeCaches(bundleFile) {
  const name = path.basename(bundleFile);
  const identity = bundleIdentity(bundleFile);
  for (const f of fs.readdirSync(path.dirname(bundleFile))) {
    if (!f.startsWith(`${name}.`) || !f.endsWith('.v8cache')) continue;
    const file = path.join(path.dirname(bundleFile), f);
    try {
      const head = Buffer.alloc(100);
      const fd = fs.openSync(file, 'r');
      let n;
      try {
        n = fs.readSync(fd, head, 0, head.length, 0);
      } finally {
        fs.closeSync(fd);
      }
      if (codeCacheHeader(head.subarray(0, n)).from !== identity) fs.rmSync(file, { force: true });
    } catch {
      // gone already (another process removed it), or unreadable: the next build tries again
    }
  }
}

/**
 * The first line of a code cache file (see load): the identity of the bundle it was made from and
 * the hash of V8's data after it, "IDENTITY SHA256\n". Reads it from the file's first bytes.
 */
function codeCacheHeader(bytes) {
  const end = bytes.indexOf(10);
  const [from, hash] = bytes.toString('latin1', 0, end < 0 ? bytes.length : end).split(' ');
  return { from, hash, dataStart: end + 1 };
}

/** What a code cache names the bundle it was made from by: size, mtime and ctime (bundles are only ever replaced whole). */
function bundleIdentity(bundleFile) {
  const s = fs.statSync(bundleFile);
  return `${s.size}:${s.mtimeMs}:${s.ctimeMs}`;
}

/** `dir`/package.json, parsed; undefined when there is none (or it is not JSON). */
function packageJsonIn(dir) {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  } catch {
    return undefined;
  }
}

/** Whether node runs `file` as an ES module: .mjs, or .js in a package of "type": "module". */
function isEsModule(file) {
  if (/\.mjs$/.test(file)) return true;
  if (!/\.js$/.test(file)) return false;
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    const manifest = packageJsonIn(dir);
    if (manifest) return manifest.type === 'module';
    if (path.dirname(dir) === dir) return false;
  }
}

/**
 * The entry's imports of packages: a package that ships ES modules (zod) is bundled with the
 * entry, where esbuild keeps only what the entry uses (a fifth of zod: not its 45 locales nor its
 * JSON-schema reader); CommonJS packages, which esbuild cannot trim, stay external and go to the
 * packages' bundle. A CommonJS package that required the same ES package would get a second copy.
 */
const esPackagesInline = {
  name: 'es-packages-inline',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.pluginData === esPackagesInline || require('module').isBuiltin(args.path)) return undefined;
      const resolved = await build.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: esPackagesInline });
      if (resolved.errors.length === 0 && isEsModule(resolved.path)) return { path: resolved.path };
      return { path: args.path, external: true };
    });
  },
};

/**
 * In the packages' bundle, a package nested in another's node_modules (cdk8s ships its own
 * yaml) is the top-level copy when that is the same version: the same code, loaded once.
 */
const sameVersionOnce = {
  name: 'same-version-once',
  setup(build) {
    /** The directory of the installed package that holds `file` (its last node_modules/<name>). */
    const packageDir = (file) => /^(.*[\\/]node_modules[\\/](?:@[^\\/]+[\\/])?[^\\/]+)[\\/]/.exec(file)?.[1];
    build.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.pluginData === sameVersionOnce) return undefined;
      const again = { kind: args.kind, importer: args.importer, pluginData: sameVersionOnce };
      const [nested, top] = await Promise.all([build.resolve(args.path, { ...again, resolveDir: args.resolveDir }), build.resolve(args.path, { ...again, resolveDir: ROOT })]);
      if (nested.errors.length || top.errors.length || nested.path === top.path) return undefined;
      const version = packageJsonIn(packageDir(nested.path))?.version;
      return version !== undefined && packageJsonIn(packageDir(top.path))?.version === version ? { path: top.path } : undefined;
    });
  },
};

/** The packages (node_modules) and the built-in modules a bundle requires at run time, each sorted. */
function externalsOf(metafile) {
  const { isBuiltin } = require('module');
  // The output's imports: what the bundle requires at run time (type-only imports are gone).
  const ids = [...new Set(Object.values(metafile.outputs).flatMap((o) => o.imports.filter((x) => x.external).map((x) => x.path)))].sort();
  return { packages: ids.filter((id) => !isBuiltin(id)), builtins: ids.filter((id) => isBuiltin(id)) };
}

/** The entry's bundle and, when it imports packages, the packages' bundle, each built when stale. */
async function prepare(entry) {
  if (!/\.ts$/.test(entry) || !fs.existsSync(path.join(ROOT, entry))) {
    throw new Error(`no entry point ${entry} (a .ts file, relative to ${ROOT})`);
  }
  const name = entry.replace(/\.ts$/, '').replace(/[\\/]/g, '-');
  const out = outputsOf(name);
  const started = process.hrtime.bigint();
  let stamp = currentStamp(out);
  trace.checkMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (!stamp) {
    stamp = await bundle({ entryPoints: [entry], plugins: [esPackagesInline] }, out, externalsOf);
    trace.bundled = true;
  }
  const packages = stamp.packages ?? [];
  // Under --enable-source-maps node's own loader requires the entry's bundle, and with it the
  // packages from node_modules (see run): their bundle is neither checked nor built.
  if (packages.length === 0 || process.sourceMapsEnabled) return { name, entry: out.bundle, builtins: stamp.builtins ?? [] };
  const vendor = await vendorBundle(packages);
  return { name, entry: out.bundle, packages: vendor.bundle, builtins: [...new Set([...(stamp.builtins ?? []), ...vendor.builtins])] };
}

/**
 * The bundle of `packages` (names of installed packages, sorted), built when stale; returns its
 * file. It exports each package by name, loaded on first use, and every importer gets the same
 * instance. Named by the packages it holds, so that entries needing the same ones share it.
 */
async function packagesBundle(packages) {
  return (await vendorBundle(packages)).bundle;
}

/** packagesBundle's file, and the built-in modules the bundle requires. */
async function vendorBundle(packages) {
  const vendor = outputsOf(`packages-${require('crypto').createHash('sha256').update(packages.join('\n')).digest('hex').slice(0, 12)}`);
  const checked = process.hrtime.bigint();
  let current = currentStamp(vendor);
  trace.checkMs += Number(process.hrtime.bigint() - checked) / 1e6;
  if (!current) {
    const contents = ['const loaded = {};', ...packages.map((p) => `Object.defineProperty(exports, ${JSON.stringify(p)}, { enumerable: true, get: () => loaded[${JSON.stringify(p)}] ??= require(${JSON.stringify(p)}) });`)].join('\n');
    // keepNames off: the packages are CommonJS, whose names esbuild leaves as written (see
    // bundle), so the 2400 calls that would set them again only cost time (5 ms) at every start.
    current = await bundle({ stdin: { contents, resolveDir: ROOT, sourcefile: 'packages.js', loader: 'js' }, keepNames: false, plugins: [sameVersionOnce] }, vendor, (metafile) => ({ packages, builtins: externalsOf(metafile).builtins }));
    trace.packagesBundled = true;
  }
  return { bundle: vendor.bundle, builtins: current.builtins ?? [] };
}

/**
 * Runs the entry's bundle in this process, as if node had been started with it; its packages come
 * from their bundle. The built-in modules the bundles import, and those behind process.stdout and
 * process.stderr, are loaded first, while V8's flags are node's (see HEAP_OPTION); then V8 is tuned.
 */
function run(bundles, args) {
  // The launcher's own (load) first.
  const Module = require('module');
  require('vm');
  for (const id of bundles.builtins) require(id);
  void process.stdout;
  void process.stderr;
  trace.builtinsBeforeV8Flags = bundles.builtins;
  V8_TUNING.applyV8Tuning();
  process.argv = [process.argv[0], bundles.entry, ...args];
  // node maps stack traces through a source map only for what its own loader compiled: under
  // --enable-source-maps the entry's bundle is required as it is (its packages from node_modules,
  // no code cache), and its stack traces name the .ts files.
  if (process.sourceMapsEnabled) {
    trace.codeCache = trace.packagesCodeCache = 'off (source maps)';
    require(bundles.entry);
    return;
  }
  let fromPackages = Module.createRequire(bundles.entry);
  if (bundles.packages) {
    const packages = load(bundles.packages, Module.createRequire(bundles.packages), 'packagesCodeCache');
    const fallback = fromPackages;
    fromPackages = Object.assign((id) => (Object.prototype.hasOwnProperty.call(packages, id) ? packages[id] : fallback(id)), fallback);
  }
  load(bundles.entry, fromPackages, 'codeCache');
}

/**
 * Loads a CommonJS bundle with the given `require`, compiled with V8 code cache made at the
 * end of the last successful run, so that it holds every function that ran (Node's own compile
 * cache, 22.1+, holds only those compiled eagerly, and saves a seventh as much). The cache file
 * names the bundle it was made from (size, mtime, ctime: bundles are only ever replaced whole)
 * and the hash of its data (V8 checks neither); V8 refuses data of another version or other
 * flags, and the source is compiled then. Returns the bundle's exports.
 */
function load(bundleFile, requireFn, traceKey) {
  const crypto = require('crypto');
  const vm = require('vm');
  const Module = require('module');
  // V8 refuses a cache made under other flags: one file per tuning and per set of node's own
  // options (`npm run synth` gives a heap size, see docs/performance.md), so that switching
  // between them (the bench does, run by run) does not make the other's cache useless.
  const options = process.execArgv.length ? `-${crypto.createHash('sha256').update(process.execArgv.join('\0')).digest('hex').slice(0, 8)}` : '';
  const cacheFile = `${bundleFile}.${process.arch}-${process.version}${V8_FLAGS ? '' : '-untuned'}${options}.v8cache`;
  const identity = bundleIdentity(bundleFile);
  const bytes = fs.readFileSync(bundleFile);
  // Bundles are ASCII (see bundle): latin1 decodes them alike, without utf8's checks.
  const text = require('buffer').isAscii(bytes) ? bytes.latin1Slice(0, bytes.length) : bytes.utf8Slice(0, bytes.length);
  const wrapper = '(function (exports, require, module, __filename, __dirname) { ';
  const source = `${wrapper}${text}\n})`;
  const sha = (data) => crypto.createHash('sha256').update(data).digest('hex');
  const useCache = !process.env.NODE_DISABLE_COMPILE_CACHE;
  let cachedData;
  if (useCache) {
    try {
      const buf = fs.readFileSync(cacheFile);
      const { from, hash, dataStart } = codeCacheHeader(buf);
      const data = buf.subarray(dataStart);
      if (dataStart > 0 && from === identity && hash === sha(data)) cachedData = data;
    } catch {
      // no cache yet: compile from source
    }
  }
  // The wrapper shifts the bundle's first line (minified: a fifth of it): positions in stack
  // traces, and so what the source map gives for them, count from the bundle's own first column.
  const script = new vm.Script(source, { filename: bundleFile, columnOffset: -wrapper.length, cachedData, importModuleDynamically: vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER });
  if (useCache) {
    trace[traceKey] = !cachedData ? 'miss' : script.cachedDataRejected ? 'rejected' : 'hit';
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
  }
  const mod = new Module(bundleFile, null);
  mod.filename = bundleFile;
  mod.paths = Module._nodeModulePaths(path.dirname(bundleFile));
  script.runInThisContext()(mod.exports, requireFn, mod, bundleFile, path.dirname(bundleFile));
  mod.loaded = true;
  return mod.exports;
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
    child = spawn(process.execPath, [...process.execArgv, __filename, entry, ...args], { stdio: 'inherit' });
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
  if (watching) return watch(entry, args);
  const bundles = await prepare(entry);
  if (!replayed(bundles, args)) run(bundles, args);
}

/**
 * When the entry's last successful run here had the same key and nothing it depends on changed,
 * prints what it printed and returns true; else returns false and offers the entry to record this
 * run (tools/result-cache.cjs), written at exit if it succeeds.
 */
function replayed(bundles, args) {
  const results = require('./result-cache.cjs');
  if (!results.resultCacheEnabled()) return false;
  let key;
  let file;
  let replay;
  try {
    key = results.runKey(args, [bundleIdentity(bundles.entry), bundles.packages ? bundleIdentity(bundles.packages) : null]);
    file = results.recordFile(CACHE, bundles.name, process.cwd());
    replay = results.replayIfCurrent(file, key);
  } catch {
    // no working directory (removed under the shell), a record of another layout, a file that
    // cannot be read: run the entry, and record nothing
    return false;
  }
  if (typeof replay === 'string') {
    trace.result = 'hit';
    process.stdout.write(replay);
    return true;
  }
  trace.result = 'miss';
  let started;
  try {
    started = results.fileSystemNow(CACHE);
  } catch {
    return false; // no record without a clock to judge the inputs' times by
  }
  let taken;
  globalThis[results.RESULT_HOOK] = (request) => {
    try {
      taken = results.takeRequest(request);
    } catch {
      taken = undefined; // never the entry's failure: this run is just not recorded
    }
  };
  // Before the trace is printed (its listener came first).
  process.prependOnceListener('exit', (code) => {
    if (code !== 0 || !taken) return;
    try {
      trace.result = results.writeRecord(file, key, taken, started, RACY_MS, writeAtomically) ? 'recorded' : 'not recorded (changed meanwhile)';
    } catch {
      // the next run runs the entry again
    }
  });
  return false;
}

module.exports = { packagesBundle, RACY_MS };

if (isCommand) {
  main().catch((e) => {
    // esbuild has printed its errors (file:line) already; anything else is a bug worth a stack.
    // A system error (a read-only node_modules/.cache, say) names the path; that is enough.
    const known = Array.isArray(e.errors) || typeof e.code === 'string' || /^no entry point|^usage:/.test(e.message);
    process.stderr.write(`${known ? e.message : e.stack}\n`);
    process.exitCode = 2;
  });
}
