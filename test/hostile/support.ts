/** Helpers of the hostile-input tests: scratch directories, output trees, the CLI in and out of process. */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildSync } from 'esbuild';
import { runSynthCli } from '../../src/cli';
import { captured, Run } from '../support/captured';
import { CONFIG_DIR, referenceText } from '../helpers';
import { tempDir } from '../support/temp-dirs';

/** A scratch directory anyone may enter (the tests run the CLI as another user too), removed after the test file. */
export function scratchDir(prefix = 'hostile-'): string {
  const dir = tempDir(prefix);
  fs.chmodSync(dir, 0o755);
  return dir;
}

/** A scratch directory inside another one, so that files "above" it (../x) are removed with it too. */
export function nestedScratchDir(prefix = 'hostile-'): string {
  const dir = path.join(scratchDir(prefix), 'spec');
  fs.mkdirSync(dir, { mode: 0o755 });
  return dir;
}

/** A copy of the fixture spec (and its sql/) in a scratch directory; returns the spec path. */
export function fixtureCopy(text: string = referenceText(), dir: string = scratchDir()): string {
  fs.cpSync(path.join(CONFIG_DIR, 'sql'), path.join(dir, 'sql'), { recursive: true });
  const spec = path.join(dir, 'platform.yaml');
  fs.writeFileSync(spec, text);
  return spec;
}

/** Every entry below `dir` (hidden ones too), with the bytes of each file: to compare outputs byte for byte. */
export function treeOf(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        out[`${p}/`] = '';
        walk(p);
      } else {
        out[p] = fs.readFileSync(path.join(dir, p)).toString('base64');
      }
    }
  };
  walk('');
  return out;
}

/** What one in-process CLI run printed and returned. */
export type CliRun = Run;

/** Runs the synth CLI in this process, capturing what it prints. */
export function runCli(argv: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return captured(() => runSynthCli(argv, env));
}

let bundled: string | undefined;

/** The synth CLI as one JavaScript file anyone may read, for running it as another user. */
export function cliBundle(): string {
  if (bundled) return bundled;
  const dir = scratchDir('hostile-cli-');
  const outfile = path.join(dir, 'cli.js');
  buildSync({
    stdin: {
      contents: "require('./src/cli').runSynthCli(process.argv.slice(2), process.env).then((c) => { process.exitCode = c; });",
      resolveDir: path.join(__dirname, '..', '..'),
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outfile,
    logLevel: 'error',
  });
  fs.chmodSync(outfile, 0o644);
  bundled = outfile;
  return outfile;
}

/** Whether this process runs as root (which ignores permission bits). */
export const isRoot = process.getuid?.() === 0;
/** The user the permission tests run the CLI as: nobody when root, else this user. */
export const NON_ROOT = isRoot ? { uid: 65534, gid: 65534 } : { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };

/** Runs the bundled CLI as a user without root's powers (setpriv as nobody when this process is root). */
export function runCliAsNonRoot(argv: readonly string[], cwd: string): CliRun {
  const command = isRoot
    ? ['setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, cliBundle(), ...argv]] as const
    : [process.execPath, [cliBundle(), ...argv]] as const;
  const r = spawnSync(command[0], [...command[1]], { cwd, encoding: 'utf8', timeout: 60_000, env: { PATH: process.env.PATH } });
  if (r.error) throw r.error;
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Whether `chattr +i` works here (root with CAP_LINUX_IMMUTABLE on a file system that has the flag). */
export const canMakeImmutable: boolean = (() => {
  if (!isRoot) return false;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hostile-chattr-'));
  try {
    const r = spawnSync('chattr', ['+i', dir]);
    if (r.status !== 0) return false;
    spawnSync('chattr', ['-i', dir]);
    return true;
  } catch {
    return false;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
})();

/** Sets or clears the immutable flag. */
export function chattr(flag: '+i' | '-i', target: string): void {
  const r = spawnSync('chattr', [flag, target], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`chattr ${flag} ${target}: ${r.stderr}`);
}
