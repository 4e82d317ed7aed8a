/**
 * The bundled CLI is loaded with a V8 code cache. Each case runs in fresh node processes, as a
 * synth does, with the loader compiled from src/ by swc.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import Module = require('module');
import * as os from 'os';
import * as path from 'path';
import { transformSync } from '@swc/core';

// Node 22.1+ has its own compile cache, which the loader turns on instead of its own.
const NODE_HAS_CACHE = typeof (Module as { enableCompileCache?: unknown }).enableCompileCache === 'function';
const expectUse = (own: string) => (NODE_HAS_CACHE ? 'node' : own);
/** Cases about this file's own cache format, which Node 22 does not use. */
const ownCacheTest = NODE_HAS_CACHE ? test.skip : test;

interface Run {
  use: string;
  value: string;
  same: boolean;
  again: string;
  dirname: string;
  nodeCacheDir: string | null;
}

const workDirs: string[] = [];
afterAll(() => workDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** Like esbuild's output, the bundle replaces module.exports and requires a file beside it. */
const BUNDLE = "const dep = require('./dep.js');\nmodule.exports = { value: () => 'one:' + dep, dirname: __dirname };\n";

interface Workspace {
  readonly dir: string;
  readonly bundle: string;
  readonly cacheDir: string;
  run(options?: { env?: NodeJS.ProcessEnv; flags?: string[]; file?: string; exitCode?: number }): Run;
  cacheFiles(): string[];
}

/** A work directory with the compiled loader, a two-file "bundle" and a runner. */
function workspace(bundleSource = BUNDLE): Workspace {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'code-cache-')));
  workDirs.push(dir);
  const source = fs.readFileSync(path.join(__dirname, '..', 'src', 'code-cache.ts'), 'utf8');
  // swc, as jest itself uses: loading the TypeScript compiler into each test file's sandbox costs more than the tests.
  const js = transformSync(source, { filename: 'code-cache.ts', jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } });
  fs.writeFileSync(path.join(dir, 'code-cache.js'), js.code);
  fs.mkdirSync(path.join(dir, 'bundle'));
  const bundle = path.join(dir, 'bundle', 'cli.js');
  fs.writeFileSync(bundle, bundleSource);
  fs.writeFileSync(path.join(dir, 'bundle', 'dep.js'), "module.exports = 'dep';\n");
  const cacheDir = path.join(dir, 'cache');
  // Loads the bundle twice, then through plain require, and reports what each gave.
  fs.writeFileSync(path.join(dir, 'run.js'), `
    const { requireWithCodeCache, lastCodeCacheUse } = require('./code-cache.js');
    const [file, exitCode] = process.argv.slice(2);
    const m = requireWithCodeCache(file, { dir: ${JSON.stringify(cacheDir)} });
    const use = lastCodeCacheUse();
    const second = requireWithCodeCache(file, { dir: ${JSON.stringify(cacheDir)} });
    const nodeCacheDir = require('module').getCompileCacheDir?.() ?? null;
    console.log(JSON.stringify({ use, value: m.value(), same: second === m && require(file) === m, again: lastCodeCacheUse(), dirname: m.dirname, nodeCacheDir }));
    process.exitCode = Number(exitCode);
  `);
  return {
    dir,
    bundle,
    cacheDir,
    run: ({ env = {}, flags = [], file = bundle, exitCode = 0 } = {}) => {
      const r = spawnSync(process.execPath, [...flags, path.join(dir, 'run.js'), file, String(exitCode)], { encoding: 'utf8', env: { PATH: process.env.PATH, ...env } });
      if (r.status !== exitCode) throw new Error(`exit ${r.status}: ${r.stderr}`);
      return JSON.parse(r.stdout) as Run;
    },
    cacheFiles: () => (fs.existsSync(cacheDir) ? fs.readdirSync(cacheDir) : []),
  };
}

describe('requireWithCodeCache', () => {
  test('the first run compiles from source and writes the cache; the next run uses it', () => {
    // GIVEN no cache
    const w = workspace();
    // WHEN the bundle is loaded twice, each time in a new process
    const first = w.run();
    const second = w.run();
    // THEN the first run missed and wrote one cache file, the second hit it, and both ran the code
    expect(first).toMatchObject({ use: expectUse('miss'), value: 'one:dep', dirname: path.dirname(w.bundle) });
    expect(second).toMatchObject({ use: expectUse('hit'), value: 'one:dep' });
    expect(w.cacheFiles()).toHaveLength(1);
  });

  test('loading again, or with plain require, gives the same module without running it again', () => {
    const run = workspace().run();
    expect(run.same).toBe(true);
    expect(run.again).toBe('loaded');
  });

  ownCacheTest('a run that hits the cache leaves the cache file as it was', () => {
    // GIVEN a warm cache
    const w = workspace();
    w.run();
    const file = path.join(w.cacheDir, w.cacheFiles()[0]);
    const before = fs.readFileSync(file);
    fs.utimesSync(file, new Date(2000, 0, 1), new Date(2000, 0, 1));
    // WHEN the bundle is loaded from it
    expect(w.run().use).toBe('hit');
    // THEN the file was not rewritten
    expect(fs.statSync(file).mtime.getFullYear()).toBe(2000);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
  });

  test('changed source of the same length is compiled from source, never served from the old cache', () => {
    // GIVEN a warm cache
    const w = workspace();
    w.run();
    // WHEN the bundle changes without changing its length
    const before = fs.readFileSync(w.bundle, 'utf8');
    const after = before.replace("'one:'", "'two:'");
    expect(after.length).toBe(before.length);
    fs.writeFileSync(w.bundle, after);
    // THEN the new code runs, and the cache is rewritten for it
    expect(w.run()).toMatchObject({ use: expectUse('miss'), value: 'two:dep' });
    expect(w.run()).toMatchObject({ use: expectUse('hit'), value: 'two:dep' });
  });

  ownCacheTest('damaged cached data is never given to V8 (it would crash or misbehave), and is replaced', () => {
    // GIVEN a warm cache whose header is intact but whose data has bytes overwritten
    const w = workspace();
    w.run();
    const file = path.join(w.cacheDir, w.cacheFiles()[0]);
    const buf = fs.readFileSync(file);
    const dataStart = buf.indexOf(0x0a) + 1;
    for (let i = dataStart + 16; i < buf.length; i += 97) buf[i] ^= 0xff;
    fs.writeFileSync(file, buf, { mode: 0o600 });
    // WHEN the bundle is loaded
    // THEN it runs from source, and the next run uses a good cache again
    expect(w.run()).toMatchObject({ use: 'miss', value: 'one:dep' });
    expect(w.run()).toMatchObject({ use: 'hit', value: 'one:dep' });
  });

  ownCacheTest('a cache file that is not a cache is ignored and replaced', () => {
    const w = workspace();
    w.run();
    fs.writeFileSync(path.join(w.cacheDir, w.cacheFiles()[0]), 'not a cache\n\u0000\u0001', { mode: 0o600 });
    expect(w.run()).toMatchObject({ use: 'miss', value: 'one:dep' });
    expect(w.run()).toMatchObject({ use: 'hit', value: 'one:dep' });
  });

  ownCacheTest('a cache file that others could have written is not used', () => {
    // GIVEN a warm cache made writable by group and others
    const w = workspace();
    w.run();
    fs.chmodSync(path.join(w.cacheDir, w.cacheFiles()[0]), 0o666);
    // WHEN the bundle is loaded
    // THEN the file is ignored, and the cache written in its place is owner-only
    expect(w.run().use).toBe('miss');
    expect(fs.statSync(path.join(w.cacheDir, w.cacheFiles()[0])).mode & 0o777).toBe(0o600);
    expect(fs.statSync(w.cacheDir).mode & 0o777).toBe(0o700);
  });

  ownCacheTest('other V8 flags get a cache file of their own, so that neither run rejects the other', () => {
    // GIVEN a cache made without flags
    const w = workspace();
    w.run();
    // WHEN runs with and without a V8 flag take turns
    const flagged = [w.run({ flags: ['--stack-size=900'] }), w.run({ flags: ['--stack-size=900'] })];
    const plain = w.run();
    // THEN each kind of run uses its own file
    expect(flagged.map((r) => r.use)).toEqual(['miss', 'hit']);
    expect(plain.use).toBe('hit');
    expect(w.cacheFiles()).toHaveLength(2);
  });

  ownCacheTest('code run with -e is not a V8 flag: such a run shares the cache of a plain one', () => {
    // GIVEN a cache made by a plain run
    const w = workspace();
    w.run();
    // WHEN the same runner is started through node -e
    const script = `process.argv.splice(1, 0, 'runner'); require(${JSON.stringify(path.join(w.dir, 'run.js'))});`;
    const r = spawnSync(process.execPath, ['-e', script, w.bundle, '0'], { encoding: 'utf8', env: { PATH: process.env.PATH } });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    // THEN it hits that cache, and no second cache file appears
    expect(JSON.parse(r.stdout)).toMatchObject({ use: 'hit', value: 'one:dep' });
    expect(w.cacheFiles()).toHaveLength(1);
  });

  ownCacheTest('a run that fails writes no cache', () => {
    // GIVEN no cache WHEN a run loads the bundle and then exits with 3
    const w = workspace();
    expect(w.run({ exitCode: 3 }).use).toBe('miss');
    // THEN nothing is written: a failed run may have run little of the code
    expect(w.cacheFiles()).toEqual([]);
  });

  ownCacheTest('only the newest caches of the file are kept, and other tools\' files are left alone', () => {
    // GIVEN five caches of older Node versions or flag sets, a dead writer's temporary file and a foreign file
    const w = workspace();
    fs.mkdirSync(w.cacheDir, { mode: 0o700 });
    const old = (name: string, daysAgo: number) => {
      const file = path.join(w.cacheDir, name);
      fs.writeFileSync(file, 'old', { mode: 0o600 });
      const t = new Date(Date.now() - daysAgo * 86_400_000);
      fs.utimesSync(file, t, t);
    };
    [1, 2, 3, 4, 5].forEach((d) => old(`cli.js-v8-old${d}-x64-00000000.cache`, d));
    old('cli.js-v8-old-x64-00000000.cache.123.tmp', 1);
    old('other-tool.cache', 30);
    // WHEN a run writes its cache
    w.run();
    // THEN the new cache and the three newest old ones remain, with the foreign file
    expect(w.cacheFiles().sort()).toEqual([
      expect.stringMatching(/^cli\.js-v8-\d/), 'cli.js-v8-old1-x64-00000000.cache', 'cli.js-v8-old2-x64-00000000.cache',
      'cli.js-v8-old3-x64-00000000.cache', 'other-tool.cache',
    ]);
  });

  ownCacheTest('only the cache directory itself is made private, not the directories above it', () => {
    const w = workspace();
    const nested = path.join(w.dir, 'shared', '.cache', 'platform');
    w.run({ env: { NODE_COMPILE_CACHE: nested } });
    expect(fs.statSync(nested).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.dirname(nested)).mode & 0o077).not.toBe(0);
  });

  ownCacheTest('Node before 20.12, without vm.constants, still loads and caches', () => {
    // GIVEN a Node without vm.constants (simulated by a preload)
    const w = workspace();
    const preload = path.join(w.dir, 'old-node.js');
    fs.writeFileSync(preload, "require('vm').constants = undefined;\n");
    // WHEN the bundle is loaded twice THEN it runs, and the cache is used
    expect(w.run({ flags: ['-r', preload] })).toMatchObject({ use: 'miss', value: 'one:dep' });
    expect(w.run({ flags: ['-r', preload] })).toMatchObject({ use: 'hit', value: 'one:dep' });
  });

  test('NODE_DISABLE_COMPILE_CACHE loads with plain require and writes nothing', () => {
    // GIVEN the variable set WHEN the bundle is loaded
    const w = workspace();
    // THEN plain require loads it and no cache appears
    expect(w.run({ env: { NODE_DISABLE_COMPILE_CACHE: '1' } })).toMatchObject({ use: 'off', value: 'one:dep', same: true });
    expect(w.cacheFiles()).toEqual([]);
  });

  test('NODE_COMPILE_CACHE moves the cache, as it does for Node', () => {
    // GIVEN the variable naming another directory WHEN the bundle is loaded
    const w = workspace();
    const elsewhere = path.join(w.dir, 'elsewhere');
    const run = w.run({ env: { NODE_COMPILE_CACHE: elsewhere } });
    // THEN the cache is there and not in the default directory
    expect(w.cacheFiles()).toEqual([]);
    if (NODE_HAS_CACHE) expect(run.nodeCacheDir?.startsWith(elsewhere)).toBe(true);
    else expect(fs.readdirSync(elsewhere)).toHaveLength(1);
  });

  test('Node 22 gets the directory it was given for its own cache', () => {
    const run = workspace().run();
    if (NODE_HAS_CACHE) expect(run.nodeCacheDir?.startsWith(path.join(path.dirname(run.dirname), 'cache'))).toBe(true);
    else expect(run.nodeCacheDir).toBeNull();
  });

  test('a cache directory that cannot be written does not fail the run', () => {
    // GIVEN a file where the cache directory should be
    const w = workspace();
    fs.writeFileSync(w.cacheDir, 'in the way');
    // WHEN the bundle is loaded twice
    // THEN both runs work, from source
    expect(w.run()).toMatchObject({ use: expectUse('miss'), value: 'one:dep' });
    expect(w.run()).toMatchObject({ use: expectUse('miss'), value: 'one:dep' });
  });

  test('a file reached through a symbolic link is the module Node would name, with its real __dirname', () => {
    // GIVEN a link to the bundle's directory
    const w = workspace();
    const link = path.join(w.dir, 'link');
    fs.symlinkSync(path.dirname(w.bundle), link);
    // WHEN the bundle is loaded through the link
    const run = w.run({ file: path.join(link, 'cli.js') });
    // THEN it is the same module as the real file, as with plain require
    expect(run).toMatchObject({ same: true, dirname: path.dirname(w.bundle), value: 'one:dep' });
  });

  test('a file that starts with a hashbang line loads', () => {
    const w = workspace(`#!/usr/bin/env node\n${BUNDLE}`);
    expect(w.run()).toMatchObject({ use: expectUse('miss'), value: 'one:dep' });
    expect(w.run()).toMatchObject({ use: expectUse('hit'), value: 'one:dep' });
  });

  test('an error in the loaded file reaches the caller and leaves no half-loaded module behind', () => {
    // GIVEN a bundle that throws while loading
    const w = workspace("throw new Error('broken bundle');\n");
    // WHEN it is loaded
    const script = `
      const { requireWithCodeCache } = require('./code-cache.js');
      try { requireWithCodeCache(${JSON.stringify(w.bundle)}, { dir: ${JSON.stringify(w.cacheDir)} }); }
      catch (e) { console.log(JSON.stringify({ message: e.message, cached: ${JSON.stringify(w.bundle)} in require.cache })); }
    `;
    const r = spawnSync(process.execPath, ['-e', script], { cwd: w.dir, encoding: 'utf8' });
    // THEN the caller gets the error, require.cache does not hold the failed module, and no cache is written for it
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ message: 'broken bundle', cached: false });
    expect(fs.existsSync(w.cacheDir)).toBe(false);
  });
});
