/**
 * The bundled CLI is loaded with a V8 code cache. Each case runs in fresh node processes, as a
 * synth does, with the loader compiled from src/ by TypeScript.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import Module = require('module');
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';

// Node 22.1+ has its own compile cache, which the loader turns on instead of its own.
const NODE_HAS_CACHE = typeof (Module as { enableCompileCache?: unknown }).enableCompileCache === 'function';
const expectUse = (own: string) => (NODE_HAS_CACHE ? 'node' : own);

interface Run {
  use: string;
  value: string;
  same: boolean;
  dirname: string;
}

/** A work directory with the compiled loader, a two-file "bundle" and a runner. */
function workspace(): { dir: string; bundle: string; cacheDir: string; run(env?: NodeJS.ProcessEnv): Run } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'code-cache-'));
  const source = fs.readFileSync(path.join(__dirname, '..', 'src', 'code-cache.ts'), 'utf8');
  const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true } });
  fs.writeFileSync(path.join(dir, 'code-cache.js'), js.outputText);
  fs.mkdirSync(path.join(dir, 'bundle'));
  const bundle = path.join(dir, 'bundle', 'cli.js');
  fs.writeFileSync(bundle, "const dep = require('./dep.js');\nexports.value = () => 'one:' + dep;\nexports.dirname = __dirname;\n");
  fs.writeFileSync(path.join(dir, 'bundle', 'dep.js'), "module.exports = 'dep';\n");
  const cacheDir = path.join(dir, 'cache');
  fs.writeFileSync(path.join(dir, 'run.js'), `
    const { requireWithCodeCache, lastCodeCacheUse } = require('./code-cache.js');
    const file = ${JSON.stringify(bundle)};
    const m = requireWithCodeCache(file, { dir: ${JSON.stringify(cacheDir)} });
    console.log(JSON.stringify({ use: lastCodeCacheUse(), value: m.value(), same: require(file) === m, dirname: m.dirname }));
  `);
  const run = (env: NodeJS.ProcessEnv = {}): Run => {
    const r = spawnSync(process.execPath, [path.join(dir, 'run.js')], { encoding: 'utf8', env: { PATH: process.env.PATH, ...env } });
    if (r.status !== 0) throw new Error(r.stderr);
    return JSON.parse(r.stdout) as Run;
  };
  return { dir, bundle, cacheDir, run };
}

const cacheFiles = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir) : []);

describe('requireWithCodeCache', () => {
  test('the first run compiles from source and writes the cache; the next run uses it', () => {
    // GIVEN no cache
    const w = workspace();
    // WHEN the bundle is loaded twice, each time in a new process
    const first = w.run();
    const second = w.run();
    // THEN the first run missed and wrote one cache file, the second hit it, and both ran the code
    expect(first).toEqual({ use: expectUse('miss'), value: 'one:dep', same: true, dirname: path.dirname(w.bundle) });
    expect(second.use).toBe(expectUse('hit'));
    expect(second.value).toBe('one:dep');
    expect(cacheFiles(w.cacheDir)).toHaveLength(1);
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

  test('a corrupt cache file is ignored and replaced', () => {
    if (NODE_HAS_CACHE) return; // Node's own cache has its own format
    // GIVEN a cache file with garbage in it
    const w = workspace();
    w.run();
    const [file] = cacheFiles(w.cacheDir);
    fs.writeFileSync(path.join(w.cacheDir, file), 'not a cache\n\u0000\u0001');
    // WHEN the bundle is loaded
    // THEN it runs from source and the next run uses a good cache again
    expect(w.run()).toMatchObject({ use: 'miss', value: 'one:dep' });
    expect(w.run()).toMatchObject({ use: 'hit', value: 'one:dep' });
  });

  test('NODE_DISABLE_COMPILE_CACHE loads with plain require and writes nothing', () => {
    const w = workspace();
    expect(w.run({ NODE_DISABLE_COMPILE_CACHE: '1' })).toMatchObject({ use: 'off', value: 'one:dep', same: true });
    expect(cacheFiles(w.cacheDir)).toEqual([]);
  });

  test('NODE_COMPILE_CACHE moves the cache, as it does for Node', () => {
    const w = workspace();
    const elsewhere = path.join(w.dir, 'elsewhere');
    w.run({ NODE_COMPILE_CACHE: elsewhere });
    expect(cacheFiles(w.cacheDir)).toEqual([]);
    expect(cacheFiles(elsewhere).length).toBeGreaterThan(0);
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

  test('an error in the loaded file reaches the caller and leaves no half-loaded module behind', () => {
    // GIVEN a bundle that throws while loading
    const w = workspace();
    fs.writeFileSync(w.bundle, "throw new Error('broken bundle');\n");
    // WHEN it is loaded
    const script = `
      const { requireWithCodeCache } = require('./code-cache.js');
      try { requireWithCodeCache(${JSON.stringify(w.bundle)}, { dir: ${JSON.stringify(w.cacheDir)} }); }
      catch (e) { console.log(JSON.stringify({ message: e.message, cached: ${JSON.stringify(w.bundle)} in require.cache })); }
    `;
    const r = spawnSync(process.execPath, ['-e', script], { cwd: w.dir, encoding: 'utf8' });
    // THEN the caller gets the error, and require.cache does not hold the failed module
    expect(JSON.parse(r.stdout)).toEqual({ message: 'broken bundle', cached: false });
  });
});
