/**
 * tools/launch.cjs, through which every command runs: it bundles an entry (the project's code,
 * and apart from it the packages it imports) only when a file the bundle was built from changed, runs it in its own process with the entry's exit code, and
 * keeps a V8 code cache that it ignores when damaged. Each test uses a small project of its own.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** A project with the launcher, an entry bin/hello.ts, the module src/message.ts it imports, and a package (yaml). */
function project(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'launch-'));
  dirs.push(dir);
  fs.mkdirSync(path.join(dir, 'tools'));
  for (const f of ['launch.cjs', 'v8-flags.cjs']) fs.copyFileSync(path.join(ROOT, 'tools', f), path.join(dir, 'tools', f));
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
  // The launcher leaves a bundle unstamped when an input changed within its 100 ms race margin of
  // the build (tools/launch.cjs RACY_MS); files written just now would make the first run's
  // stamps depend on how fast the machine is. Let the project age past that margin.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250);
  return dir;
}

function write(dir: string, file: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
  fs.writeFileSync(path.join(dir, file), text);
}

interface Trace { bundled: boolean; packagesBundled: boolean; codeCache: string; packagesCodeCache: string; v8Flags: string }
interface Run { status: number | null; stdout: string; stderr: string; trace: Trace }

function launch(dir: string, args: string[], env: NodeJS.ProcessEnv = {}): Run {
  const r = spawnSync(process.execPath, [path.join(dir, 'tools', 'launch.cjs'), ...args], {
    cwd: dir, encoding: 'utf8', env: { ...process.env, NODE_DISABLE_COMPILE_CACHE: '', PLATFORM_V8_TUNING: '', ...env, PLATFORM_LAUNCH_TRACE: '1' },
  });
  const trace = /^platform-launch (\{.*\})$/m.exec(r.stderr);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.replace(/^platform-launch .*\n/m, ''), trace: trace ? JSON.parse(trace[1]) : undefined };
}

describe('tools/launch.cjs', () => {
  test('bundles on the first run only, and runs the entry with its arguments', () => {
    // GIVEN a project never run
    const dir = project();
    // WHEN the entry runs twice
    const first = launch(dir, ['bin/hello.ts', 'a', 'b']);
    const second = launch(dir, ['bin/hello.ts', 'c', '--yaml']);
    // THEN both print from the current source, the package works; only the first bundled
    expect([first.stdout, first.status, first.trace.bundled, first.trace.packagesBundled]).toEqual(['one a b\n', 0, true, true]);
    expect([second.stdout, second.status, second.trace.bundled, second.trace.packagesBundled]).toEqual(['one c --yaml\na:\n  - 1\n', 0, false, false]);
  });

  test('a changed source file makes the next run bundle again, and it runs the new code', () => {
    // GIVEN a project that has run
    const dir = project();
    launch(dir, ['bin/hello.ts']);
    // WHEN a module the entry imports changes (same size, so only its times tell)
    write(dir, 'src/message.ts', "export const message = 'two';\n");
    const r = launch(dir, ['bin/hello.ts']);
    // THEN the run bundled the project's code again (not the packages) and printed the new message
    expect([r.stdout, r.trace.bundled, r.trace.packagesBundled]).toEqual(['two \n', true, false]);
  });

  test('an install (npm rewrites node_modules/.package-lock.json) makes the next run bundle the packages again', () => {
    // GIVEN a project that has run
    const dir = project();
    launch(dir, ['bin/hello.ts']);
    // WHEN npm installs something THEN the next run bundles the packages again
    fs.writeFileSync(path.join(dir, 'node_modules', '.package-lock.json'), '{}\n');
    expect(launch(dir, ['bin/hello.ts', '--yaml'])).toMatchObject({ stdout: 'one --yaml\na:\n  - 1\n', trace: { packagesBundled: true } });
  });

  test('a file no entry imports does not make a bundle stale', () => {
    // GIVEN a project that has run
    const dir = project();
    launch(dir, ['bin/hello.ts']);
    // WHEN an unrelated file is added THEN the next run does not bundle
    write(dir, 'src/unused.ts', 'export const unused = 1;\n');
    expect(launch(dir, ['bin/hello.ts']).trace.bundled).toBe(false);
  });

  test('the entry\'s exit code is the exit code; bundling errors exit 2 with esbuild\'s message', () => {
    const dir = project();
    // GIVEN an entry that sets exit code 3 WHEN it runs THEN the launcher exits 3
    expect(launch(dir, ['bin/hello.ts', '--fail']).status).toBe(3);
    // GIVEN a syntax error in a module WHEN the entry runs THEN exit 2, and esbuild names the file
    write(dir, 'src/message.ts', "export const message = 'one;\n");
    const broken = launch(dir, ['bin/hello.ts']);
    expect(broken.status).toBe(2);
    expect(broken.stderr).toMatch(/src\/message\.ts/);
    // GIVEN an entry that does not exist THEN exit 2 with what is allowed
    expect(launch(dir, ['bin/nothing.ts'])).toMatchObject({ status: 2, stderr: expect.stringMatching(/no entry point bin\/nothing\.ts \(a \.ts file/) });
  });

  test('the code cache: written after a successful run, used on the next, ignored when damaged, off on request', () => {
    // GIVEN a project whose first run was successful
    const dir = project();
    expect(launch(dir, ['bin/hello.ts']).trace.codeCache).toBe('miss');
    // WHEN it runs again THEN V8 accepted the cached code of both bundles
    expect(launch(dir, ['bin/hello.ts']).trace).toMatchObject({ codeCache: 'hit', packagesCodeCache: 'hit' });
    // WHEN the cache file is damaged THEN it is not used, and the output is still right
    const cacheDir = path.join(dir, 'node_modules', '.cache', 'platform-constructs');
    const cache = fs.readdirSync(cacheDir).find((f) => f.startsWith('bin-hello') && f.endsWith('.v8cache'))!;
    const bytes = fs.readFileSync(path.join(cacheDir, cache));
    bytes[bytes.length - 10] ^= 0xff;
    fs.writeFileSync(path.join(cacheDir, cache), bytes);
    expect(launch(dir, ['bin/hello.ts'])).toMatchObject({ stdout: 'one \n', trace: { codeCache: 'miss', packagesCodeCache: 'hit' } });
    // WHEN NODE_DISABLE_COMPILE_CACHE is set THEN no cache is used
    expect(launch(dir, ['bin/hello.ts'], { NODE_DISABLE_COMPILE_CACHE: '1' }).trace).toMatchObject({ codeCache: 'off', packagesCodeCache: 'off' });
  });

  test('V8 tuned for a short run, off on request; each keeps its own code cache', () => {
    // GIVEN a project that has run once
    const dir = project();
    launch(dir, ['bin/hello.ts']);
    // WHEN it runs THEN the launcher set V8's tiering flags, and the cache made under them is used
    const tuned = launch(dir, ['bin/hello.ts']);
    expect(tuned.trace).toMatchObject({ v8Flags: expect.stringMatching(/^--(interrupt-budget|invocation-count-for-maglev)=\d+/), codeCache: 'hit' });
    // WHEN PLATFORM_V8_TUNING=off THEN no flag is set, the output is the same, and its cache is its own
    expect(launch(dir, ['bin/hello.ts'], { PLATFORM_V8_TUNING: 'off' })).toMatchObject({ stdout: tuned.stdout, trace: { v8Flags: '', codeCache: 'miss' } });
    expect(launch(dir, ['bin/hello.ts'], { PLATFORM_V8_TUNING: 'off' }).trace.codeCache).toBe('hit');
    // AND the tuned run's cache was not replaced meanwhile
    expect(launch(dir, ['bin/hello.ts']).trace.codeCache).toBe('hit');
  });

  test('bundles are ASCII without comments; names stay as written, set again only where esbuild may change them', () => {
    // GIVEN a project whose packages are CommonJS (yaml), and one that also imports an ES module
    // package in which two modules declare a class Greeter (esbuild renames one of them)
    const cjs = project();
    const esm = project();
    write(esm, 'node_modules/greeter/package.json', '{ "name": "greeter", "type": "module", "exports": "./index.js" }\n');
    write(esm, 'node_modules/greeter/other.js', 'export class Greeter {}\n');
    write(esm, 'node_modules/greeter/index.js', "import { Greeter as Other } from './other.js';\nexport class Greeter {}\nexport const other = new Other(); // “quoted”\n");
    write(esm, 'bin/hello.ts', "import { Greeter, other } from 'greeter';\nprocess.stdout.write(`${other.constructor.name} ${new Greeter().constructor.name}\\n`);\n");
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250); // past the race margin, as in project()
    // WHEN each runs
    const cjsRun = launch(cjs, ['bin/hello.ts', '--yaml']);
    const esmRun = launch(esm, ['bin/hello.ts']);
    // THEN both print what they did before, the ES module's classes with the names they were given
    expect(cjsRun.stdout).toBe('one --yaml\na:\n  - 1\n');
    expect(esmRun.stdout).toBe('Greeter Greeter\n');
    // AND every bundle is ASCII (the launcher reads it as latin1) without the packages' comments
    const bundles = (dir: string) => {
      const cacheDir = path.join(dir, 'node_modules', '.cache', 'platform-constructs');
      return fs.readdirSync(cacheDir).filter((f) => f.endsWith('.js')).map((f) => fs.readFileSync(path.join(cacheDir, f), 'latin1'));
    };
    for (const text of [...bundles(cjs), ...bundles(esm)]) {
      expect(text).not.toMatch(/[^\x00-\x7f]/);
      expect(text).not.toMatch(/\n\s*\/\/ /);
    }
    // AND names are set again (keepNames) in the project's code, and in the packages only when one is an ES module
    const packagesOf = (dir: string) => bundles(dir).find((text) => !text.includes('process.stdout.write'))!;
    expect(packagesOf(cjs)).not.toContain('__name(');
    expect(packagesOf(esm)).toContain('__name(');
  });

  test('npm run synth, diff, check, watch and npx cdk8s synth start node with the same options, those the launcher keys its code cache by', () => {
    // GIVEN the commands as package.json and cdk8s.yaml declare them
    const scripts = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts as Record<string, string>;
    const app = /^app: (.*)$/m.exec(fs.readFileSync(path.join(ROOT, 'cdk8s.yaml'), 'utf8'))![1];
    const nodeOptions = (command: string) => /^node((?: --\S+)*) tools\/launch\.cjs /.exec(command)?.[1].trim();
    // THEN each starts node with the initial old-generation size (a synth without a full collection)
    const options = ['synth', 'diff', 'check', 'watch'].map((s) => nodeOptions(scripts[s]));
    expect(new Set([...options, nodeOptions(app)])).toEqual(new Set(['--initial-old-space-size=32']));
  });

  test('node\'s own options have a code cache of their own: switching between them does not make V8 refuse the other\'s', () => {
    // GIVEN a project run with and without a heap option, each once
    const dir = project();
    const heap = (args: string[]) => {
      const r = spawnSync(process.execPath, ['--initial-old-space-size=32', path.join(dir, 'tools', 'launch.cjs'), ...args], {
        cwd: dir, encoding: 'utf8', env: { ...process.env, NODE_DISABLE_COMPILE_CACHE: '', PLATFORM_V8_TUNING: '', PLATFORM_LAUNCH_TRACE: '1' },
      });
      return JSON.parse(/^platform-launch (\{.*\})$/m.exec(r.stderr)![1]) as Trace;
    };
    launch(dir, ['bin/hello.ts']);
    heap(['bin/hello.ts']);
    // WHEN they take turns THEN each finds its own cache and V8 accepts it
    expect([launch(dir, ['bin/hello.ts']).trace.codeCache, heap(['bin/hello.ts']).codeCache, launch(dir, ['bin/hello.ts']).trace.codeCache]).toEqual(['hit', 'hit', 'hit']);
  });

  test('a failed run writes no code cache (it may have run little of the code)', () => {
    const dir = project();
    // GIVEN a first run that fails WHEN it runs again THEN there was no cache to use
    launch(dir, ['bin/hello.ts', '--fail']);
    expect(launch(dir, ['bin/hello.ts']).trace.codeCache).toBe('miss');
  });
});
