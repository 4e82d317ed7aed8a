/**
 * Class 6 of issue 14: values echoed in messages are escaped (control characters, terminal
 * escapes, invisible reordering characters) and truncated; --help prints the usage and exits 0.
 */
import * as path from 'path';
import { printable, quote } from '../../src/spec/escape';
import { editReference } from '../helpers';
import { fixtureCopy, runCli, scratchDir } from './support';

async function cliOn(text: string, ...extra: string[]) {
  const dir = scratchDir();
  return runCli(['--config', fixtureCopy(text, dir), '--out', path.join(dir, 'dist'), ...extra]);
}

// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('echoed values are escaped and truncated', () => {
  test('a terminal escape in a service name is shown escaped, never sent to the terminal', async () => {
    // GIVEN a service whose name holds an escape sequence that would clear the screen
    const text = editReference(['  user-service:\n', '  "evil\\e[2J\\e[31m":\n    image: x:1.0.0\n    port: 9999\n  user-service:\n']);
    // WHEN synth runs THEN exit 1 and stderr holds the escaped form only
    const run = await cliOn(text);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('services.evil\\x1b[2J\\x1b[31m: name "evil\\x1b[2J\\x1b[31m" is not allowed');
    expect(run.stderr).not.toMatch(RAW_CONTROL);
  });

  test('a key of white space is shown quoted in the path', async () => {
    // Found by npm run fuzz -- --cases 2000 --seed 777 (case 735): "file:79:  : unknown key" had no visible path
    const run = await cliOn(`${editReference()}" ": 1\n`);
    expect(run.stderr).toMatch(/platform\.yaml:\d+: " ": unknown key " "; allowed keys: /);
  });

  test('bidirectional overrides and carriage returns are escaped too', () => {
    expect(printable('a\u202eb\rc\u0000d\u2066')).toBe('a\\u202eb\\rc\\x00d\\u2066');
  });

  test('a long value is cut and says how much was left out; a whole message line is bounded', async () => {
    const key = 'k'.repeat(100_000);
    expect(quote(key)).toBe(`"${'k'.repeat(80)}… (99920 more characters)"`);
    const run = await cliOn(editReference(['    replicas: 3\n', `    replicas: 3\n    ? ${key}\n    : 1\n`]));
    expect(run.code).toBe(1);
    const lines = run.stderr.split('\n');
    // file (300) + line + path (300) + message (1500): each part cut on its own, so the message survives the long path
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(2200);
    expect(lines[1]).toMatch(/^.+:\d+: services\.user-service\.k{200,}.*: unknown key "k{80}… \(99920 more characters\)"; allowed keys: image, port/);
  });

  test('an unknown argument and an odd --config path are echoed escaped', async () => {
    const bad = await runCli(['--\u001b]0;pwned\u0007']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^unknown argument "--\\x1b]0;pwned\\x07"\nusage: synth/);
    const missing = await runCli(['--config', '/nonexistent/a\nb.yaml', '--out', path.join(scratchDir(), 'dist')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^1 problem\(s\) in the platform spec:\n\/nonexistent\/a\\nb\.yaml:0: \(root\): cannot read the spec file: it does not exist\n/);
  });
});

describe('arguments', () => {
  test('a flag is not taken as the value of the flag before it', async () => {
    // Found by npm run fuzz -- --cases 1000 --seed 4242: "--config --env=nope" read a spec file named "--env=nope"
    const run = await runCli(['--config', '--env=nope']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^"--config" needs a value\nusage: synth/);
  });
});

describe('--help', () => {
  test.each([['--help'], ['-h'], ['--env', 'dev', '--help']])('%j prints the usage and the exit codes on stdout, exits 0, writes nothing', async (...argv) => {
    const out = path.join(scratchDir(), 'dist');
    const run = await runCli([...argv, '--out', out]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^usage: synth \[--env NAME\]\.\.\. \[--config FILE\] \[--out DIR\] \[--files-root DIR\] \[--help\]\n/);
    expect(run.stdout).toMatch(/Exit codes: 0 the output is what was asked; 1 the spec has problems/);
    expect(run.stderr).toBe('');
    expect(require('fs').existsSync(out)).toBe(false);
  });
});
