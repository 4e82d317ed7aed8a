/** `npm run check`: validates a spec the way synth does, writes nothing, exits like synth. */
import * as fs from 'fs';
import * as path from 'path';
import { CHECK_EXIT, runCheckCli } from '../src/check-cli';
import { CONFIG_DIR, editReference, lineIn, REFERENCE_FILE, referenceText } from './helpers';
import { tempDir } from './support/temp-dirs';

/** Runs the check in process; returns its exit code and what it printed. */
function check(...argv: string[]): { code: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const code = runCheckCli(argv, {}, { write: (t) => { stdout += t; }, error: (t) => { stderr += t; } });
  return { code, stdout, stderr };
}

/** A directory holding `text` as platform.yaml beside a copy of the fixture's sql/. */
function specDir(text: string): { dir: string; spec: string } {
  const dir = tempDir('check-');
  fs.cpSync(path.join(CONFIG_DIR, 'sql'), path.join(dir, 'sql'), { recursive: true });
  const spec = path.join(dir, 'platform.yaml');
  fs.writeFileSync(spec, text);
  return { dir, spec };
}

/** Every file under dir, relative, sorted. */
function tree(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).sort();
}

describe('npm run check', () => {
  test('a valid spec exits 0 with a one-line summary of what was checked', () => {
    // GIVEN the fixture spec WHEN checked
    const r = check('--config', REFERENCE_FILE);
    // THEN it exits 0, prints one line naming the file and every environment, and nothing on stderr
    expect(r).toEqual({ code: CHECK_EXIT.valid, stdout: expect.stringMatching(/^[^\n]+\n$/), stderr: '' });
    expect(r.stdout).toMatch(new RegExp(`^${REFERENCE_FILE.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: valid: 3 environment\\(s\\) \\(dev, staging, prod\\), \\d+ objects, checked in \\d+ ms; nothing written\\n$`));
  });

  test('writes nothing: no dist/, no staging directory, nothing beside the spec', () => {
    // GIVEN a spec in a directory of its own, and the process run from there
    const { dir, spec } = specDir(referenceText());
    const before = tree(dir);
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      // WHEN checked
      expect(check('--config', spec).code).toBe(0);
    } finally {
      process.chdir(cwd);
    }
    // THEN the directory holds exactly what it held
    expect(tree(dir)).toEqual(before);
  });

  test('every problem is printed as file:line: path: message, then a summary, and it exits 1', () => {
    // GIVEN a spec with two mistakes
    const text = editReference(['port: 3003', 'port: 0'], ['notification-service:1.1.0', 'notification-service:latest']);
    const { spec } = specDir(text);
    // WHEN checked
    const r = check('--config', spec);
    // THEN both are reported where they are, and the last line counts them
    expect(r.code).toBe(CHECK_EXIT.problems);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toContain(`${spec}:${lineIn(text, 'port: 0')}: services.inventory-service.port: must be an integer from 1 to 65535`);
    expect(lines.some((l) => l.startsWith(`${spec}:${lineIn(text, 'notification-service:latest')}: services.notification-service.image: `))).toBe(true);
    expect(lines[lines.length - 1]).toBe(`${spec}: ${lines.length - 1} problem(s); nothing written`);
  });

  test('an environment the spec does not have is a problem (exit 1), as in synth', () => {
    // GIVEN the fixture spec WHEN an environment it does not have is checked
    const r = check('--config', REFERENCE_FILE, '--env', 'qa');
    // THEN it exits 1 and lists the environments there are
    expect(r.code).toBe(CHECK_EXIT.problems);
    expect(r.stderr).toMatch(/environments: no environment "qa"; environments: dev, staging, prod/);
  });

  test('--env checks only the environments named', () => {
    const r = check('--config', REFERENCE_FILE, '--env', 'staging');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/: valid: 1 environment\(s\) \(staging\), /);
  });

  test('a missing spec file is a problem of the spec (exit 1), as in synth', () => {
    const r = check('--config', '/nonexistent/platform.yaml');
    expect(r.code).toBe(CHECK_EXIT.problems);
    expect(r.stderr).toMatch(/^\/nonexistent\/platform\.yaml:0: \(root\): cannot read the spec file/);
  });

  test('an unknown argument prints the usage and exits 2', () => {
    const r = check('--out', 'dist');
    expect(r.code).toBe(CHECK_EXIT.other);
    expect(r.stderr).toBe('unknown argument "--out"\nusage: check [--config FILE] [--env NAME]... [--files-root DIR]\n');
  });

  test('arguments are read as synth reads them: a following flag is no value, and what is echoed is escaped', () => {
    // GIVEN a --config without its file, and an argument with a terminal escape
    // WHEN check runs with each
    const missing = check('--config', '--env=dev');
    const hostile = check('--\x1b]0;pwned\x07');
    // THEN both are usage errors naming the argument, escaped, and nothing is checked
    expect([missing.code, hostile.code]).toEqual([CHECK_EXIT.other, CHECK_EXIT.other]);
    expect(missing.stderr).toMatch(/^"--config" needs a value\nusage: check/);
    expect(hostile.stderr).toMatch(/^unknown argument "--\\x1b]0;pwned\\x07"\nusage: check/);
  });

  test('--files-root lets the spec name files above its own directory, as synth does', () => {
    // GIVEN a spec in a subdirectory whose schema file lies in the directory above it
    const root = tempDir('check-root-');
    fs.cpSync(path.join(CONFIG_DIR, 'sql'), path.join(root, 'sql'), { recursive: true });
    fs.mkdirSync(path.join(root, 'spec'));
    const spec = path.join(root, 'spec', 'platform.yaml');
    fs.writeFileSync(spec, referenceText().replace(/schema: sql\//g, 'schema: ../sql/'));
    // WHEN checked without and with --files-root
    const confined = check('--config', spec);
    const rooted = check('--config', spec, '--files-root', root);
    // THEN the file is refused outside the spec's tree, and accepted under the named root
    expect(confined.code).toBe(CHECK_EXIT.problems);
    expect(rooted).toMatchObject({ code: CHECK_EXIT.valid, stderr: '' });
  });
});
