/**
 * Loads the bundled CLI with a V8 code cache, so that a synth does not compile its 2.9 MB of
 * JavaScript from source every time. That compile was a quarter of a reference synth.
 *
 * Node 22.1 and later have this built in (`module.enableCompileCache`), and there it is simply
 * turned on. On Node 20 the one file is compiled here with `vm.Script` and V8's cached data,
 * which is what Node's own loader did before Node 12. Only that file is affected; Node's
 * loader is not patched.
 *
 * V8 checks neither that cached data belongs to the source (only its length) nor that the data
 * is intact: wrong data runs the wrong code or crashes the process. So the cache file records
 * the SHA-256 of the source it was made from and of the data itself, and is used only when both
 * match; V8 then checks its own version and flags. The file is written at a successful exit,
 * after the run, so that it holds every function that ran, and only when it was missing or
 * stale; it is synced before it is renamed into place, owner-only, and ignored when anyone else
 * could have written it. An unreadable, corrupt or unwritable cache means compiling from source.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import Module = require('module');
import * as path from 'path';
import * as vm from 'vm';

/** What happened to the code cache when a file was loaded. */
export type CodeCacheUse =
  /** Compiled with cached data that V8 accepted. */
  | 'hit'
  /** No usable cache (none, made from other source, damaged): compiled from source. */
  | 'miss'
  /** V8 refused the cached data (another V8 or other flags): compiled from source. */
  | 'rejected'
  /** Node's own compile cache is on (Node 22.1+). */
  | 'node'
  /** Loaded with plain `require`: turned off, or under a debugger or source maps. */
  | 'off'
  /** The file was loaded before; the same module was returned. */
  | 'loaded';

/** Where and whether to cache. */
export interface CodeCacheOptions {
  /** Directory of the cache files. `NODE_COMPILE_CACHE` overrides it, as with Node's own. */
  readonly dir: string;
  /**
   * Environment to read `NODE_COMPILE_CACHE`, `NODE_DISABLE_COMPILE_CACHE` and `NODE_OPTIONS` from.
   * @default process.env
   */
  readonly env?: NodeJS.ProcessEnv;
}

const MAGIC = 'platform-code-cache-2';
/** Stale temporary files (a process killed while writing) older than this are removed. */
const STALE_TMP_MS = 10 * 60 * 1000;
let lastUse: CodeCacheUse = 'off';

/** How the last `requireWithCodeCache` loaded its file; for tests and diagnostics. */
export function lastCodeCacheUse(): CodeCacheUse {
  return lastUse;
}

/** `require(file)` for a self-contained CommonJS file, compiled with a V8 code cache. */
export function requireWithCodeCache(file: string, options: CodeCacheOptions): unknown {
  const env = options.env ?? process.env;
  const resolved = fs.realpathSync(file); // as Node's loader names modules
  const loaded = require.cache[resolved];
  if (loaded) {
    lastUse = 'loaded';
    return loaded.exports;
  }
  const dir = env.NODE_COMPILE_CACHE || options.dir;
  const nodeCache = (Module as { enableCompileCache?: (dir: string) => unknown }).enableCompileCache;
  // A debugger and source maps hook into Node's own compile step, which this one bypasses.
  const debugging = process.sourceMapsEnabled || process.execArgv.some((a) => a.startsWith('--inspect'));
  if (env.NODE_DISABLE_COMPILE_CACHE || debugging) {
    lastUse = 'off';
    return require(resolved);
  }
  if (nodeCache) {
    nodeCache(dir);
    lastUse = 'node';
    return require(resolved);
  }
  // V8 refuses data made under other flags; a file per flag set keeps both sets cached.
  const flags = sha256(`${nodeFlags(process.execArgv).join(' ')}\n${env.NODE_OPTIONS ?? ''}`).slice(0, 8);
  return compileWithCache(resolved, path.join(dir, `${path.basename(resolved)}-v8-${process.versions.v8}-${process.arch}-${flags}.cache`));
}

function compileWithCache(file: string, cacheFile: string): unknown {
  let source = fs.readFileSync(file, 'utf8');
  // The function wrapper makes a hashbang line a syntax error; `//` keeps length and lines.
  if (source.startsWith('#!')) source = `//${source.slice(2)}`;
  const sourceHash = sha256(source);
  const cachedData = readCache(cacheFile, sourceHash);
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) { ${source}\n})`, {
    filename: file,
    cachedData,
    // Lets import() in the file work as in any module; the constant is there from Node 20.12.
    ...(vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER ? { importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER } : {}),
  });
  lastUse = !cachedData ? 'miss' : script.cachedDataRejected ? 'rejected' : 'hit';
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
  if (lastUse !== 'hit' && canWrite(path.dirname(cacheFile))) {
    process.once('exit', (code) => {
      if (code === 0) writeCache(cacheFile, sourceHash, script); // a failed run may have run little
    });
  }
  return mod.exports;
}

/** Node's command-line flags without code to run (`-e`, `-p` and their text), which V8 never sees. */
function nodeFlags(execArgv: readonly string[]): string[] {
  const flags: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    if (['-e', '--eval', '-p', '--print'].includes(execArgv[i])) i++;
    else if (!/^--(eval|print)=/.test(execArgv[i])) flags.push(execArgv[i]);
  }
  return flags;
}

function sha256(data: string | Buffer): string {
  return crypto.createHash('sha256').update(data).digest('hex');
}

/**
 * The layout: one JSON line (magic, SHA-256 of the source, SHA-256 and length of the data),
 * then V8's cached data.
 */
function readCache(cacheFile: string, sourceHash: string): Buffer | undefined {
  let fd: number | undefined;
  try {
    fd = fs.openSync(cacheFile, 'r');
    const stat = fs.fstatSync(fd);
    // Bytecode runs as this user: never take it from a file someone else could have written.
    // (Windows has neither owners nor these mode bits to check.)
    if (process.platform !== 'win32' && process.geteuid && (stat.uid !== process.geteuid() || (stat.mode & 0o022) !== 0)) return undefined;
    const buf = fs.readFileSync(fd);
    const headerEnd = buf.indexOf(0x0a);
    const [magic, source, dataHash, dataLength] = JSON.parse(buf.toString('utf8', 0, headerEnd)) as [string, string, string, number];
    const data = buf.subarray(headerEnd + 1);
    if (magic !== MAGIC || source !== sourceHash || data.length !== dataLength || sha256(data) !== dataHash) return undefined;
    return data;
  } catch {
    return undefined; // no cache yet, or unreadable: compile from source
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Whether the cache directory, or the nearest existing directory above it, can be written. */
function canWrite(dir: string): boolean {
  for (let d = dir; ; d = path.dirname(d)) {
    try {
      fs.accessSync(d, fs.constants.W_OK);
      return fs.statSync(d).isDirectory();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || path.dirname(d) === d) return false;
    }
  }
}

function writeCache(cacheFile: string, sourceHash: string, script: vm.Script): void {
  const tmp = `${cacheFile}.${process.pid}.tmp`;
  try {
    const data = script.createCachedData();
    const dir = path.dirname(cacheFile);
    // Only the cache's own directory is private; node_modules/.cache is shared with other tools.
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    if (!fs.existsSync(dir)) fs.mkdirSync(dir, { mode: 0o700 });
    removeOldFiles(dir, path.basename(cacheFile));
    const fd = fs.openSync(tmp, 'wx', 0o600);
    try {
      fs.writeSync(fd, Buffer.concat([Buffer.from(`${JSON.stringify([MAGIC, sourceHash, sha256(data), data.length])}\n`), data]));
      fs.fsyncSync(fd); // a crash after the rename must not leave a file of zeros behind
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, cacheFile); // readers see the old cache or the new one, never half of one
  } catch {
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      // nothing more to do: the next run compiles from source again
    }
  }
}

/** Cache files kept per cached file: one per V8 version, architecture and flag set in use. */
const KEEP_CACHES = 4;

/**
 * Removes temporary files that writers killed mid-write left behind, and all but the newest
 * caches of the same file (those of Node versions and flag sets no longer in use).
 */
function removeOldFiles(dir: string, cacheName: string): void {
  const prefix = cacheName.slice(0, cacheName.indexOf('-v8-') + 4);
  const caches: Array<{ file: string; mtime: number }> = [];
  for (const name of fs.readdirSync(dir)) {
    if (!name.startsWith(prefix)) continue; // another tool's file, in a shared NODE_COMPILE_CACHE
    const file = path.join(dir, name);
    try {
      const mtime = fs.statSync(file).mtimeMs;
      if (name.endsWith('.tmp') && Date.now() - mtime > STALE_TMP_MS) fs.rmSync(file, { force: true });
      else if (name.endsWith('.cache') && name !== cacheName) caches.push({ file, mtime });
    } catch {
      // gone meanwhile: another synth removed or renamed it
    }
  }
  caches.sort((a, b) => b.mtime - a.mtime).slice(KEEP_CACHES - 1).forEach((c) => fs.rmSync(c.file, { force: true }));
}
