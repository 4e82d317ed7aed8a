/**
 * Loads the bundled CLI with a V8 code cache, so that a synth does not compile its 2.7 MB of
 * JavaScript from source every time. That compile was a quarter of a reference synth.
 *
 * Node 22.1 and later have this built in (`module.enableCompileCache`), and there it is simply
 * turned on. On Node 20 the one file is compiled here with `vm.Script` and V8's cached data,
 * which is what Node's own loader did before Node 12. Only that file is affected; Node's
 * loader is not patched.
 *
 * The cache is used only when the source's length and CRC-32 match the ones it was made from;
 * V8 then checks its own version and flags. It is written at exit, after the run, so that it
 * holds every function that ran, and only when it was missing or stale. All of this is best
 * effort: an unreadable, corrupt or unwritable cache means compiling from source, never a
 * failed synth.
 */
import * as fs from 'fs';
import Module = require('module');
import * as path from 'path';
import * as vm from 'vm';
import * as zlib from 'zlib';

/** What happened to the code cache when a file was loaded. */
export type CodeCacheUse =
  /** Compiled with cached data that V8 accepted. */
  | 'hit'
  /** No cache, or one made from other source: compiled from source, cache written at exit. */
  | 'miss'
  /** V8 refused the cached data (another V8 or other flags): compiled from source, rewritten. */
  | 'rejected'
  /** Node's own compile cache is on (Node 22.1+). */
  | 'node'
  /** Loaded with plain `require`: turned off, or under a debugger or source maps. */
  | 'off';

/** Where and whether to cache. */
export interface CodeCacheOptions {
  /** Directory of the cache files. `NODE_COMPILE_CACHE` overrides it, as with Node's own. */
  readonly dir: string;
  /**
   * Environment to read `NODE_COMPILE_CACHE` and `NODE_DISABLE_COMPILE_CACHE` from.
   * @default process.env
   */
  readonly env?: NodeJS.ProcessEnv;
}

const MAGIC = 'platform-code-cache-1';
let lastUse: CodeCacheUse = 'off';

/** How the last `requireWithCodeCache` loaded its file; for tests and diagnostics. */
export function lastCodeCacheUse(): CodeCacheUse {
  return lastUse;
}

/** `require(file)` for a self-contained CommonJS file, compiled with a V8 code cache. */
export function requireWithCodeCache(file: string, options: CodeCacheOptions): unknown {
  const env = options.env ?? process.env;
  const dir = env.NODE_COMPILE_CACHE || options.dir;
  const nodeCache = (Module as { enableCompileCache?: (dir: string) => unknown }).enableCompileCache;
  const crc32 = (zlib as { crc32?: (data: string) => number }).crc32; // Node 20.15+
  // A debugger and source maps hook into Node's own compile step, which this one bypasses.
  const debugging = process.sourceMapsEnabled || process.execArgv.some((a) => a.startsWith('--inspect'));
  const resolved = path.resolve(file);
  if (env.NODE_DISABLE_COMPILE_CACHE || debugging || (!nodeCache && !crc32)) {
    lastUse = 'off';
    return require(resolved);
  }
  if (nodeCache) {
    nodeCache(dir);
    lastUse = 'node';
    return require(resolved);
  }
  return compileWithCache(resolved, path.join(dir, `${path.basename(resolved)}-v8-${process.versions.v8}-${process.arch}.cache`), crc32!);
}

function compileWithCache(file: string, cacheFile: string, crc32: (data: string) => number): unknown {
  let source = fs.readFileSync(file, 'utf8');
  // The function wrapper makes a hashbang line a syntax error; `//` keeps length and lines.
  if (source.startsWith('#!')) source = `//${source.slice(2)}`;
  const stamp = { length: source.length, crc: crc32(source) };
  const cachedData = readCache(cacheFile, stamp);
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) { ${source}\n})`, {
    filename: file,
    cachedData,
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  lastUse = !cachedData ? 'miss' : script.cachedDataRejected ? 'rejected' : 'hit';
  if (lastUse !== 'hit') process.once('exit', () => writeCache(cacheFile, stamp, script));

  const mod = new Module(file, require.main);
  mod.filename = file;
  mod.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(path.dirname(file));
  require.cache[file] = mod; // a later require(file) gets this instance, as with Node's loader
  try {
    const wrapper = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => void;
    wrapper.call(mod.exports, mod.exports, Module.createRequire(file), mod, file, path.dirname(file));
  } catch (e) {
    delete require.cache[file];
    throw e;
  }
  mod.loaded = true;
  return mod.exports;
}

/** The layout: one JSON line (magic, source length, CRC-32), then V8's cached data. */
function readCache(cacheFile: string, stamp: { length: number; crc: number }): Buffer | undefined {
  try {
    const buf = fs.readFileSync(cacheFile);
    const headerEnd = buf.indexOf(0x0a);
    const [magic, length, crc] = JSON.parse(buf.toString('utf8', 0, headerEnd)) as [string, number, number];
    return magic === MAGIC && length === stamp.length && crc === stamp.crc ? buf.subarray(headerEnd + 1) : undefined;
  } catch {
    return undefined; // no cache yet, or unreadable: compile from source
  }
}

function writeCache(cacheFile: string, stamp: { length: number; crc: number }, script: vm.Script): void {
  const tmp = `${cacheFile}.${process.pid}.tmp`;
  try {
    const data = script.createCachedData();
    fs.mkdirSync(path.dirname(cacheFile), { recursive: true });
    fs.writeFileSync(tmp, Buffer.concat([Buffer.from(`${JSON.stringify([MAGIC, stamp.length, stamp.crc])}\n`), data]));
    fs.renameSync(tmp, cacheFile); // readers see the old cache or the new one, never half of one
  } catch {
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      // nothing more to do: the next run compiles from source again
    }
  }
}
