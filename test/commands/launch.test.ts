/**
 * tools/launch.cjs, through which every command runs: it bundles an entry (the project's code,
 * and apart from it the packages it imports) only when a file the bundle was built from changed, runs it in its own process with the entry's exit code, and
 * keeps a V8 code cache that it ignores when damaged; an entry's recorded run is replayed while
 * nothing it depends on changed (what counts as a change: result-cache.test.ts). The tests about bundling use a small project
 * each; those about what happens once the bundles exist (a file that is no input, the code cache, V8
 * flags) take turns on one project that has run, and remove the code cache they start without.
 * The tests run concurrently: most of their time is waiting for the processes they start.
 * (A copied project or cache would not do: the stamps hold each input's ctime, which no copy keeps.)
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pastLauncherRaceMargin, runNode } from '../support/node-process';

const ROOT = path.join(__dirname, '..', '..');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** A project with the launcher, an entry bin/hello.ts, the module src/message.ts it imports, and a package (yaml). */
async function project(): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'launch-'));
  dirs.push(dir);
  fs.mkdirSync(path.join(dir, 'tools'));
  for (const f of ['launch.cjs', 'v8-flags.cjs', 'result-cache.cjs']) fs.copyFileSync(path.join(ROOT, 'tools', f), path.join(dir, 'tools', f));
  fs.mkdirSync(path.join(dir, 'node_modules'));
  for (const p of ['esbuild', 'yaml']) fs.symlinkSync(path.join(ROOT, 'node_modules', p), path.join(dir, 'node_modules', p));
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), '{}\n');
  write(dir, 'src/message.ts', "export const message = 'one';\n");
  write(dir, 'bin/hello.ts', [
    "import { message } from '../src/message';",
    "import { stringify } from 'yaml';",
    "process.stdout.write(`${message} ${process.argv.slice(2).join(' ')}\\n`);",
    "if (process.argv.includes('--yaml')) process.stdout.write(stringify({ a: [1] }));",
    "if (process.argv.includes('--fail')) process.exitCode = 3;",
    '',
  ].join('\n'));
  await pastLauncherRaceMargin(dir);
  return dir;
}

let built: Promise<string> | undefined;
let turn: Promise<unknown> = Promise.resolve();

/**
 * Runs `body` on the project that has run once (its bundles built and current), after the tests
 * before it in turn. Those tests change no input of its bundles.
 */
function withBuiltProject(body: (dir: string) => Promise<void>): Promise<void> {
  built ??= project().then(async (dir) => {
    expect((await launch(dir, ['bin/hello.ts'])).trace).toMatchObject({ bundled: true, packagesBundled: true });
    return dir;
  });
  const mine = turn.then(async () => body(await built!));
  turn = mine.catch(() => undefined);
  return mine;
}

/** Where the launcher keeps a project's bundles, their stamps and code caches. */
function cacheDirOf(dir: string): string {
  return path.join(dir, 'node_modules', '.cache', 'platform-constructs');
}

/** Removes the project's code cache, as if no run had succeeded since its bundles were built. */
function removeCodeCache(dir: string): void {
  const cacheDir = cacheDirOf(dir);
  for (const f of fs.readdirSync(cacheDir)) if (f.endsWith('.v8cache')) fs.rmSync(path.join(cacheDir, f));
}

function write(dir: string, file: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
  fs.writeFileSync(path.join(dir, file), text);
}

interface Trace { bundled: boolean; packagesBundled: boolean; result: string; codeCache: string; packagesCodeCache: string; v8Flags: string; builtinsBeforeV8Flags: string[] }
interface Output { status: number | null; stdout: string; stderr: string }
interface Run extends Output { trace: Trace }

/** Runs node with `args` in the project, the launcher's trace asked for; resolves to its exit status and output. */
function node(dir: string, args: string[], env: NodeJS.ProcessEnv): Promise<Output> {
  return runNode(args, dir, { ...env, PLATFORM_LAUNCH_TRACE: '1' });
}

/** Runs the project's launcher with `args`; `nodeArgs` are node's own options before it. */
async function launch(dir: string, args: string[], env: NodeJS.ProcessEnv = {}, nodeArgs: string[] = []): Promise<Run> {
  const { status, stdout, stderr } = await node(dir, [...nodeArgs, path.join(dir, 'tools', 'launch.cjs'), ...args], { NODE_DISABLE_COMPILE_CACHE: '', PLATFORM_V8_TUNING: '', ...env });
  const trace = /^platform-launch (\{.*\})$/m.exec(stderr);
  return { status, stdout, stderr: stderr.replace(/^platform-launch .*\n/m, ''), trace: trace ? JSON.parse(trace[1]) : undefined };
}

describe('tools/launch.cjs', () => {
  test.concurrent('bundles on the first run only, and runs the entry with its arguments', async () => {
    // GIVEN a project never run
    const dir = await project();
    // WHEN the entry runs twice
    const first = await launch(dir, ['bin/hello.ts', 'a', 'b']);
    const second = await launch(dir, ['bin/hello.ts', 'c', '--yaml']);
    // THEN both print from the current source, the package works; only the first bundled
    expect([first.stdout, first.status, first.trace.bundled, first.trace.packagesBundled]).toEqual(['one a b\n', 0, true, true]);
    expect([second.stdout, second.status, second.trace.bundled, second.trace.packagesBundled]).toEqual(['one c --yaml\na:\n  - 1\n', 0, false, false]);
  });

  test.concurrent('a changed source file makes the next run bundle again, and it runs the new code; the code caches of the bundle before are removed', async () => {
    // GIVEN a project that has run with V8 tuned and untuned: a code cache of each bundle per variant
    const dir = await project();
    await launch(dir, ['bin/hello.ts']);
    await launch(dir, ['bin/hello.ts'], { PLATFORM_V8_TUNING: 'off' });
    const caches = (prefix: string) => fs.readdirSync(cacheDirOf(dir)).filter((f) => f.startsWith(prefix) && f.endsWith('.v8cache')).sort();
    const packagesCaches = caches('packages-');
    expect([caches('bin-hello.js.').length, packagesCaches.length]).toEqual([2, 2]);
    // WHEN a module the entry imports changes (same size, so only its times tell)
    write(dir, 'src/message.ts', "export const message = 'two';\n");
    await pastLauncherRaceMargin(dir);
    const r = await launch(dir, ['bin/hello.ts']);
    // THEN the run bundled the project's code again (not the packages) and printed the new message
    expect([r.stdout, r.trace.bundled, r.trace.packagesBundled, r.trace.codeCache]).toEqual(['two \n', true, false, 'miss']);
    // AND of the entry's code caches only the one this run made from the new bundle is left; the packages' stay
    expect(caches('bin-hello.js.')).toHaveLength(1);
    expect(caches('packages-')).toEqual(packagesCaches);
  });

  test.concurrent('an install (npm rewrites node_modules/.package-lock.json) makes the next run bundle the packages again, but not under --enable-source-maps', async () => {
    // GIVEN a project that has run
    const dir = await project();
    await launch(dir, ['bin/hello.ts']);
    // WHEN npm installs something
    fs.writeFileSync(path.join(dir, 'node_modules', '.package-lock.json'), '{}\n');
    await pastLauncherRaceMargin(dir);
    // THEN a run under source maps (its packages from node_modules) works without bundling them
    const mapped = await launch(dir, ['bin/hello.ts', '--yaml'], { NODE_OPTIONS: '--enable-source-maps' });
    expect(mapped).toMatchObject({ status: 0, stdout: 'one --yaml\na:\n  - 1\n', trace: { bundled: true, packagesBundled: false } });
    // AND the next run without source maps bundles the packages again
    expect(await launch(dir, ['bin/hello.ts', '--yaml'])).toMatchObject({ stdout: 'one --yaml\na:\n  - 1\n', trace: { bundled: false, packagesBundled: true } });
  });

  test.concurrent('a file no entry imports does not make a bundle stale', () => withBuiltProject(async (dir) => {
    // GIVEN a project that has run
    // WHEN an unrelated file is added THEN the next run does not bundle
    write(dir, 'src/unused.ts', 'export const unused = 1;\n');
    try {
      expect((await launch(dir, ['bin/hello.ts'])).trace.bundled).toBe(false);
    } finally {
      fs.rmSync(path.join(dir, 'src', 'unused.ts'));
    }
  }));

  test.concurrent('the entry\'s exit code is the exit code; bundling errors exit 2 with esbuild\'s message', async () => {
    const dir = await project();
    // GIVEN an entry that sets exit code 3, and an entry that does not exist (independent runs)
    const [failing, nothing] = await Promise.all([launch(dir, ['bin/hello.ts', '--fail']), launch(dir, ['bin/nothing.ts'])]);
    // WHEN it runs THEN the launcher exits 3
    expect(failing.status).toBe(3);
    // GIVEN a syntax error in a module WHEN the entry runs THEN exit 2, and esbuild names the file
    write(dir, 'src/message.ts', "export const message = 'one;\n");
    const broken = await launch(dir, ['bin/hello.ts']);
    expect(broken.status).toBe(2);
    expect(broken.stderr).toMatch(/src\/message\.ts/);
    // GIVEN an entry that does not exist THEN exit 2 with what is allowed
    expect(nothing).toMatchObject({ status: 2, stderr: expect.stringMatching(/no entry point bin\/nothing\.ts \(a \.ts file/) });
  });

  test.concurrent('the code cache: written after a successful run, used on the next, ignored when damaged, off on request', () => withBuiltProject(async (dir) => {
    // GIVEN a project whose first successful run is the next one (bundles built, no code cache)
    removeCodeCache(dir);
    expect((await launch(dir, ['bin/hello.ts'])).trace.codeCache).toBe('miss');
    // WHEN it runs again THEN V8 accepted the cached code of both bundles
    expect((await launch(dir, ['bin/hello.ts'])).trace).toMatchObject({ codeCache: 'hit', packagesCodeCache: 'hit' });
    // WHEN the cache file is damaged THEN it is not used, and the output is still right
    const cacheDir = cacheDirOf(dir);
    const cache = fs.readdirSync(cacheDir).find((f) => f.startsWith('bin-hello') && f.endsWith('.v8cache'))!;
    const bytes = fs.readFileSync(path.join(cacheDir, cache));
    bytes[bytes.length - 10] ^= 0xff;
    fs.writeFileSync(path.join(cacheDir, cache), bytes);
    expect(await launch(dir, ['bin/hello.ts'])).toMatchObject({ stdout: 'one \n', trace: { codeCache: 'miss', packagesCodeCache: 'hit' } });
    // WHEN NODE_DISABLE_COMPILE_CACHE is set THEN no cache is used
    expect((await launch(dir, ['bin/hello.ts'], { NODE_DISABLE_COMPILE_CACHE: '1' })).trace).toMatchObject({ codeCache: 'off', packagesCodeCache: 'off' });
  }));

  test.concurrent('V8 tuned for a short run, off on request; each keeps its own code cache', () => withBuiltProject(async (dir) => {
    // GIVEN a project that has run once (since its code cache was removed)
    removeCodeCache(dir);
    await launch(dir, ['bin/hello.ts']);
    // WHEN it runs THEN the launcher set V8's tiering flags, and the cache made under them is used
    const tuned = await launch(dir, ['bin/hello.ts']);
    expect(tuned.trace).toMatchObject({ v8Flags: expect.stringMatching(/^--(interrupt-budget|invocation-count-for-maglev)=\d+/), codeCache: 'hit' });
    // WHEN PLATFORM_V8_TUNING=off THEN no flag is set, the output is the same, and its cache is its own
    expect(await launch(dir, ['bin/hello.ts'], { PLATFORM_V8_TUNING: 'off' })).toMatchObject({ stdout: tuned.stdout, trace: { v8Flags: '', codeCache: 'miss' } });
    expect((await launch(dir, ['bin/hello.ts'], { PLATFORM_V8_TUNING: 'off' })).trace.codeCache).toBe('hit');
    // AND the tuned run's cache was not replaced meanwhile
    expect((await launch(dir, ['bin/hello.ts'])).trace.codeCache).toBe('hit');
  }));

  test.concurrent('a failed run writes no code cache (it may have run little of the code)', () => withBuiltProject(async (dir) => {
    // GIVEN a first run (since the code cache was removed) that fails WHEN it runs again THEN there was no cache to use
    removeCodeCache(dir);
    await launch(dir, ['bin/hello.ts', '--fail']);
    expect((await launch(dir, ['bin/hello.ts'])).trace.codeCache).toBe('miss');
  }));

  test.concurrent('bundles are ASCII without comments; names stay as written, set again only where esbuild may change them', async () => {
    // GIVEN a project whose packages are CommonJS (yaml, the project that has run), and one that also
    // imports an ES module package in which two modules declare a class Greeter (esbuild renames one of them)
    const esm = await project();
    write(esm, 'node_modules/greeter/package.json', '{ "name": "greeter", "type": "module", "exports": "./index.js" }\n');
    write(esm, 'node_modules/greeter/other.js', 'export class Greeter {}\n');
    write(esm, 'node_modules/greeter/index.js', "import { Greeter as Other } from './other.js';\nexport class Greeter {}\nexport const other = new Other(); // “quoted”\n");
    write(esm, 'bin/hello.ts', "import { Greeter, other } from 'greeter';\nprocess.stdout.write(`${other.constructor.name} ${new Greeter().constructor.name}\\n`);\n");
    await pastLauncherRaceMargin(esm);
    // WHEN each runs
    const esmRun = await launch(esm, ['bin/hello.ts']);
    await withBuiltProject(async (cjs) => {
      const cjsRun = await launch(cjs, ['bin/hello.ts', '--yaml']);
      // THEN both print what they did before, the ES module's classes with the names they were given
      expect(cjsRun.stdout).toBe('one --yaml\na:\n  - 1\n');
      expect(esmRun.stdout).toBe('Greeter Greeter\n');
      // AND every bundle is ASCII (the launcher reads it as latin1) without the packages' comments
      const bundles = (dir: string) => {
        const cacheDir = cacheDirOf(dir);
        return fs.readdirSync(cacheDir).filter((f) => f.endsWith('.js')).map((f) => fs.readFileSync(path.join(cacheDir, f), 'latin1'));
      };
      for (const text of [...bundles(cjs), ...bundles(esm)]) {
        expect(text).not.toMatch(/[^\x00-\x7f]/);
        expect(text).not.toMatch(/\n\s*\/\/ /);
      }
      // AND names are set again (keepNames) in the project's code (where the ES module package is
      // bundled too), and in a bundle of packages only when one is an ES module (packagesBundle of it)
      const packagesOf = (dir: string) => bundles(dir).find((text) => !text.includes('process.stdout.write'));
      expect(packagesOf(cjs)).not.toContain('__name(');
      expect(packagesOf(esm)).toBeUndefined();
      const script = "require('./tools/launch.cjs').packagesBundle(['greeter']).then((f) => { const { Greeter, other } = require(f).greeter; process.stdout.write(`${other.constructor.name} ${new Greeter().constructor.name}\\n`); })";
      expect((await node(esm, ['-e', script], {})).stdout).toBe('Greeter Greeter\n');
      expect(packagesOf(esm)).toContain('__name(');
    });
  });

  test.concurrent('an ES module package is bundled with the entry, only what it uses; a nested copy of a package of the top-level version is the top-level one', async () => {
    // GIVEN a project whose entry imports `used` (not `unused`) from an ES module package, and a
    // CommonJS package `host` with copies of its own of `dep` (the top-level version) and of `other` (another version)
    const dir = await project();
    write(dir, 'node_modules/trim/package.json', '{ "name": "trim", "version": "1.0.0", "type": "module", "exports": "./index.js" }\n');
    write(dir, 'node_modules/trim/index.js', "export const used = () => 'used by the entry';\nexport const unused = () => 'not used by the entry';\n");
    write(dir, 'node_modules/host/package.json', '{ "name": "host", "version": "1.0.0" }\n');
    write(dir, 'node_modules/host/index.js', "exports.dep = require('dep').copy;\nexports.other = require('other').copy;\n");
    for (const [at, version] of [['dep', '1.0.0'], ['host/node_modules/dep', '1.0.0'], ['other', '1.0.0'], ['host/node_modules/other', '2.0.0']]) {
      write(dir, `node_modules/${at}/package.json`, `{ "name": "${path.basename(at)}", "version": "${version}" }\n`);
      write(dir, `node_modules/${at}/index.js`, `exports.copy = '${at}';\n`);
    }
    write(dir, 'bin/packages.ts', [
      "import { used } from 'trim';",
      "import * as host from 'host';",
      "import { copy as dep } from 'dep';",
      "import { copy as other } from 'other';",
      'process.stdout.write(JSON.stringify({ used: used(), dep, hostDep: host.dep, other, hostOther: host.other }));',
      '',
    ].join('\n'));
    await pastLauncherRaceMargin(dir);
    // WHEN the entry runs
    const r = await launch(dir, ['bin/packages.ts']);
    // THEN host's dep is the top-level copy (one copy loaded), its other is its own
    expect(JSON.parse(r.stdout)).toEqual({ used: 'used by the entry', dep: 'dep', hostDep: 'dep', other: 'other', hostOther: 'host/node_modules/other' });
    // AND the ES module package is in the entry's bundle without what the entry does not use; the
    // CommonJS packages are in the packages' bundle
    const cacheDir = cacheDirOf(dir);
    const entry = fs.readFileSync(path.join(cacheDir, 'bin-packages.js'), 'utf8');
    expect([entry.includes('used by the entry'), entry.includes('not used by the entry')]).toEqual([true, false]);
    expect(JSON.parse(fs.readFileSync(path.join(cacheDir, 'bin-packages.stamp.json'), 'utf8')).packages).toEqual(['dep', 'host', 'other']);
  });

  test.concurrent('node\'s heap options still size the heap, though the launcher sets them back to their defaults; the built-in modules the bundles import are loaded before V8 is tuned', async () => {
    // GIVEN an entry that imports two built-in modules, keeps 200,000 objects and prints the young generation's size
    const dir = await project();
    write(dir, 'bin/heap.ts', [
      "import { createHash } from 'crypto';",
      "import { getHeapSpaceStatistics } from 'v8';",
      'const keep: unknown[] = [];',
      'for (let i = 0; i < 200_000; i++) keep.push({ a: i, b: [i] });',
      "const young = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_size;",
      "process.stdout.write(`${createHash('sha256').update('x').digest('hex').slice(0, 8)} ${young} ${keep.length}\\n`);",
      '',
    ].join('\n'));
    await pastLauncherRaceMargin(dir);
    // WHEN it runs with a young generation of at most 1 MB per semi-space, and without
    const small = await launch(dir, ['bin/heap.ts'], {}, ['--max-semi-space-size=1']);
    const usual = await launch(dir, ['bin/heap.ts']);
    // THEN the option holds (two semi-spaces of 1 MB; V8's default grows to 16 MB each)
    const [hash, young, kept] = small.stdout.trim().split(' ');
    expect([hash, Number(young), kept]).toEqual(['2d711642', 2 * 2 ** 20, '200000']);
    expect(Number(usual.stdout.split(' ')[1])).toBeGreaterThan(2 * 2 ** 20);
    // AND the bundle's built-in modules were loaded before V8's flags changed
    expect(small.trace.builtinsBeforeV8Flags).toEqual(expect.arrayContaining(['crypto', 'v8']));
  });

  test.concurrent('a stack trace gives the bundle\'s own line and column; under --enable-source-maps, the .ts file\'s', async () => {
    // GIVEN an entry that throws
    const dir = await project();
    write(dir, 'bin/boom.ts', "export function boom(): never {\n  throw new Error('boom');\n}\nboom();\n");
    await pastLauncherRaceMargin(dir);
    // WHEN it runs, and again under --enable-source-maps
    const plain = await launch(dir, ['bin/boom.ts']);
    const mapped = await launch(dir, ['bin/boom.ts'], { NODE_OPTIONS: '--enable-source-maps' });
    // THEN the first frame is where the error is made in the bundle (not shifted by the function
    // that wraps it), and under source maps in bin/boom.ts
    const lines = fs.readFileSync(path.join(cacheDirOf(dir), 'bin-boom.js'), 'latin1').split('\n');
    const line = lines.findIndex((l) => l.includes('new Error("boom")'));
    const column = lines[line].indexOf('new Error("boom")') + 1;
    expect(/at boom \((.*)\)/.exec(plain.stderr)?.[1]).toBe(`${path.join(cacheDirOf(dir), 'bin-boom.js')}:${line + 1}:${column}`);
    expect(/at boom \((.*)\)/.exec(mapped.stderr)?.[1]).toBe(`${path.join(dir, 'bin', 'boom.ts')}:2:9`);
  });

  test.concurrent('required as a module it runs nothing; packagesBundle gives the bundle of named packages, the one an entry importing them runs', () => withBuiltProject(async (dir) => {
    // GIVEN a project that has run, its entry importing yaml
    const cacheDir = cacheDirOf(dir);
    const [bundle] = fs.readdirSync(cacheDir).filter((f) => /^packages-\w+\.js$/.test(f)).map((f) => path.join(cacheDir, f));
    const built = fs.statSync(bundle).mtimeMs;
    // WHEN a script requires the launcher and asks for the bundle of yaml
    const script = "require('./tools/launch.cjs').packagesBundle(['yaml']).then((f) => process.stdout.write(`${f}\\n${require(f).yaml.stringify({ b: 2 })}`))";
    const r = await node(dir, ['-e', script], {});
    // THEN it gets that bundle, not built again, and it works; no trace, no entry run
    expect([r.status, r.stdout, r.stderr]).toEqual([0, `${bundle}\nb: 2\n`, '']);
    expect(fs.statSync(bundle).mtimeMs).toBe(built);
  }));

  describe('the result cache', () => {
    /**
     * A project whose entry bin/copy.ts reads in/input.txt, writes it upper-cased to out/result.txt,
     * counts its runs in runs.log (no input or output of it), exits 1 when FAIL is set, and asks
     * the launcher to record the run; `run` returns what the run printed, its trace and how many
     * times the entry has run.
     */
    async function copyProject(): Promise<{ dir: string; run: (args?: string[], env?: NodeJS.ProcessEnv) => Promise<{ stdout: string; result: string; runs: number; status: number | null }> }> {
      const dir = await project();
      write(dir, 'in/input.txt', 'abc');
      write(dir, 'bin/copy.ts', [
        "import * as fs from 'fs';",
        "const input = fs.readFileSync('in/input.txt', 'utf8');",
        "fs.mkdirSync('out', { recursive: true });",
        "fs.writeFileSync('out/result.txt', input.toUpperCase());",
        "fs.appendFileSync('runs.log', 'ran\\n');",
        'process.stdout.write(`wrote ${input}\\n`);',
        "if (process.env.FAIL) process.exitCode = 1;",
        "const record = (globalThis as Record<symbol, ((r: object) => void) | undefined>)[Symbol.for('platform-constructs.launch.result')];",
        "record?.({ inputs: ['in/input.txt'], inputDirs: ['in'], outputs: ['out'], replay: `replayed ${input}\\n` });",
        '',
      ].join('\n'));
      await pastLauncherRaceMargin(dir);
      const run = async (args: string[] = [], env: NodeJS.ProcessEnv = {}) => {
        const r = await launch(dir, ['bin/copy.ts', ...args], env);
        const runs = fs.existsSync(path.join(dir, 'runs.log')) ? fs.readFileSync(path.join(dir, 'runs.log'), 'utf8').split('\n').length - 1 : 0;
        return { stdout: r.stdout, result: r.trace.result, runs, status: r.status };
      };
      return { dir, run };
    }

    test.concurrent('a recorded run is not run again while nothing changed; new code, or a run that failed, runs it again', async () => {
      // GIVEN an entry that asks for its run to be recorded, run once
      const { dir, run } = await copyProject();
      expect(await run()).toEqual({ stdout: 'wrote abc\n', result: 'recorded', runs: 1, status: 0 });
      // WHEN it runs again with nothing changed THEN the entry does not run, and its replay is printed
      expect(await run()).toEqual({ stdout: 'replayed abc\n', result: 'hit', runs: 1, status: 0 });
      // AND PLATFORM_RESULT_CACHE=off runs it anyway, and leaves the record alone
      expect(await run([], { PLATFORM_RESULT_CACHE: 'off' })).toMatchObject({ stdout: 'wrote abc\n', result: 'off', runs: 2 });
      // WHEN the code changes THEN the entry is bundled again and runs
      write(dir, 'bin/copy.ts', `${fs.readFileSync(path.join(dir, 'bin', 'copy.ts'), 'utf8')}// changed\n`);
      await pastLauncherRaceMargin(dir);
      expect(await run()).toMatchObject({ stdout: 'wrote abc\n', result: 'recorded', runs: 3 });
      let runs = 3;
      // WHEN the result cache itself changes THEN the bundle is built again (records made under the old one no longer match)
      write(dir, 'tools/result-cache.cjs', `${fs.readFileSync(path.join(dir, 'tools', 'result-cache.cjs'), 'utf8')}// changed\n`);
      await pastLauncherRaceMargin(dir);
      expect((await launch(dir, ['bin/copy.ts'])).trace).toMatchObject({ bundled: true, result: 'recorded' });
      runs++;
      // WHEN an input changes and the run fails THEN it is not recorded: the next run runs the entry again
      write(dir, 'in/input.txt', 'xyz');
      await pastLauncherRaceMargin(dir);
      expect(await run([], { FAIL: '1' })).toMatchObject({ status: 1, result: 'miss', runs: ++runs });
      expect(await run()).toMatchObject({ stdout: 'wrote xyz\n', status: 0, result: 'recorded', runs: ++runs });
    });
  });

  test('npm run synth, diff, check, watch and npx cdk8s synth start node with the same options, those the launcher keys its code cache by', () => {
    // GIVEN the commands as package.json and cdk8s.yaml declare them
    const scripts = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts as Record<string, string>;
    const app = /^app: (.*)$/m.exec(fs.readFileSync(path.join(ROOT, 'cdk8s.yaml'), 'utf8'))![1];
    const nodeOptions = (command: string) => /^node((?: --\S+)*) tools\/launch\.cjs /.exec(command)?.[1].trim();
    // THEN each starts node with the initial old-generation size (a synth without a full collection)
    // and a young generation of at most 2 MB per semi-space (a third less memory touched)
    const options = ['synth', 'diff', 'check', 'watch'].map((s) => nodeOptions(scripts[s]));
    expect(new Set([...options, nodeOptions(app)])).toEqual(new Set(['--initial-old-space-size=32 --max-semi-space-size=2']));
  });

  test.concurrent('node\'s own options have a code cache of their own: switching between them does not make V8 refuse the other\'s', () => withBuiltProject(async (dir) => {
    // GIVEN a project run (since its code cache was removed) with and without a heap option, each once
    removeCodeCache(dir);
    const heap = ['--initial-old-space-size=32'];
    await launch(dir, ['bin/hello.ts']);
    await launch(dir, ['bin/hello.ts'], {}, heap);
    // WHEN they take turns THEN each finds its own cache and V8 accepts it
    const turns = [];
    for (const nodeArgs of [[], heap, []]) turns.push((await launch(dir, ['bin/hello.ts'], {}, nodeArgs)).trace.codeCache);
    expect(turns).toEqual(['hit', 'hit', 'hit']);
  }));
});
