/**
 * `npx cdk8s synth` as cdk8s.yaml configures it: cdk8s-cli deletes its output directory before it
 * runs the app, so that directory is only a scratch directory; dist/ is written by the app like
 * `npm run synth` writes it, and survives a failed synth.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CONFIG_DIR, editReference } from '../helpers';

const ROOT = path.join(__dirname, '..', '..');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** A user's project directory: this cdk8s.yaml, the tools, a spec in config/, and a dist/ from an earlier synth. */
function userProject(spec: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-synth-'));
  dirs.push(dir);
  fs.copyFileSync(path.join(ROOT, 'cdk8s.yaml'), path.join(dir, 'cdk8s.yaml'));
  fs.symlinkSync(path.join(ROOT, 'tools'), path.join(dir, 'tools'));
  fs.cpSync(CONFIG_DIR, path.join(dir, 'config'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'config', 'platform.yaml'), spec);
  fs.mkdirSync(path.join(dir, 'dist', 'prod'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'dist', 'prod', '00-namespace.yaml'), 'from the previous synth\n');
  return dir;
}

function cdk8sSynth(dir: string): { status: number | null; stderr: string } {
  const cli = path.join(ROOT, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s');
  const r = spawnSync(process.execPath, [cli, 'synth', '--no-check-upgrade'], { cwd: dir, encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}

describe('npx cdk8s synth', () => {
  test('a failing synth leaves dist/ as it was, as the message says', () => {
    // GIVEN a project with a dist/ and a spec with a mistake
    const dir = userProject(editReference(['replicas: 2', 'replicas: two']));
    // WHEN cdk8s synth runs
    const r = cdk8sSynth(dir);
    // THEN it fails, says the previous output is unchanged, and it is
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/replicas[\s\S]*nothing was written; the previous output is unchanged/);
    expect(fs.readFileSync(path.join(dir, 'dist', 'prod', '00-namespace.yaml'), 'utf8')).toBe('from the previous synth\n');
  });

  test('a good synth replaces dist/, and cdk8s-cli lists links to its files', () => {
    // GIVEN a project with a dist/ and a valid spec WHEN cdk8s synth runs
    const dir = userProject(editReference());
    expect(cdk8sSynth(dir).status).toBe(0);
    // THEN dist/ holds every environment, and the scratch directory only links to those files
    expect(fs.readdirSync(path.join(dir, 'dist')).sort()).toEqual(['dev', 'prod', 'staging']);
    const namespace = path.join(dir, 'dist', 'prod', '00-namespace.yaml');
    expect(fs.readFileSync(namespace, 'utf8')).toMatch(/^apiVersion: v1\nkind: Namespace/);
    const link = path.join(dir, '.cdk8s-out', 'prod', '00-namespace.yaml');
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.realpathSync(link)).toBe(fs.realpathSync(namespace));
  });
});
