/**
 * Class 1 of issue 14: a multi-environment write is all or nothing, leftovers never break later
 * runs, replaced directories get the usual permissions, and the exit code says whether the
 * output is what was asked. Faults are injected for real: immutable directories and files
 * (chattr, root only), and read-only or foreign directories for a non-root user (the CLI runs
 * as nobody through setpriv when the tests run as root, since root ignores permission bits).
 */
import * as fs from 'fs';
import * as path from 'path';
import { editReference } from '../helpers';
import { canMakeImmutable, chattr, fixtureCopy, isRoot, NON_ROOT, runCli, runCliAsNonRoot, scratchDir, treeOf } from './support';

/** A spec whose output differs from the fixture's in every environment. */
const CHANGED = editReference(['notification-service:1.1.0', 'notification-service:1.1.1']);

/** A fixture spec in a scratch directory, and the output directory beside it (not made). */
function scratchProject(): { spec: string; out: string } {
  const dir = scratchDir();
  return { spec: fixtureCopy(undefined, dir), out: path.join(dir, 'dist') };
}

/** A fixture spec, and an output directory into which the CLI wrote its output for dev, staging and prod. */
async function firstOutput(): Promise<{ spec: string; out: string }> {
  const { spec, out } = scratchProject();
  const first = await runCli(['--config', spec, '--out', out]);
  expect(first.code).toBe(0);
  expect(fs.readdirSync(out).sort()).toEqual(['dev', 'prod', 'staging']);
  return { spec, out };
}

let written: Promise<{ spec: string; out: string }> | undefined;

/**
 * A fixture spec, and an output directory holding its previous output for dev, staging and prod:
 * a copy of what the CLI wrote once for this file (the tests are about the next write).
 */
async function previousOutput(): Promise<{ spec: string; out: string }> {
  const { out: original } = await (written ??= firstOutput());
  const { spec, out } = scratchProject();
  fs.cpSync(original, out, { recursive: true });
  return { spec, out };
}

const hiddenEntries = (out: string) => fs.readdirSync(out).filter((n) => n.startsWith('.'));
const withImmutable = canMakeImmutable ? test : test.skip;
const asRootOnly = isRoot ? test : test.skip;

describe('all environments or none', () => {
  withImmutable('an environment that cannot be replaced (immutable directory) rolls back those already replaced; exit 2', async () => {
    // GIVEN the previous output of three environments, the last of which (prod) cannot be renamed
    const { out } = await previousOutput();
    const before = treeOf(out);
    chattr('+i', path.join(out, 'prod'));
    try {
      // WHEN a changed spec is synthesized for all of them
      fs.writeFileSync(path.join(path.dirname(out), 'platform.yaml'), CHANGED);
      const run = await runCli(['--config', path.join(path.dirname(out), 'platform.yaml'), '--out', out]);
      // THEN it fails with exit 2, saying the previous output is intact, and it is: byte for byte, no leftovers
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/could not replace the output in .*prod.*\nthe previous output is unchanged\n/s);
      expect(treeOf(out)).toEqual(before);
    } finally {
      chattr('-i', path.join(out, 'prod'));
    }
  });

  asRootOnly('as a non-root user, a directory it may not rename (sticky output directory) rolls back the others; exit 2', () => {
    // GIVEN an output directory anyone may write to but only owners rename in (mode 1777), where
    // dev and staging belong to the user and prod to root
    const dir = scratchDir();
    const spec = fixtureCopy(CHANGED, dir);
    const out = path.join(dir, 'dist');
    fs.mkdirSync(out);
    for (const env of ['dev', 'staging', 'prod']) {
      fs.mkdirSync(path.join(out, env));
      fs.writeFileSync(path.join(out, env, 'old.yaml'), `${env}\n`);
    }
    fs.chmodSync(out, 0o1777);
    for (const env of ['dev', 'staging']) {
      fs.chownSync(path.join(out, env), NON_ROOT.uid, NON_ROOT.gid);
      fs.chownSync(path.join(out, env, 'old.yaml'), NON_ROOT.uid, NON_ROOT.gid);
    }
    const before = treeOf(out);
    // WHEN the user synthesizes every environment
    const run = runCliAsNonRoot(['--config', spec, '--out', out], dir);
    // THEN nothing changed: dev and staging were swapped back
    expect(run.stderr).toMatch(/could not replace the output in .*prod.*\nthe previous output is unchanged\n/s);
    expect(run.code).toBe(2);
    expect(treeOf(out)).toEqual(before);
  });
});

describe('leftovers never break later runs', () => {
  withImmutable('a previous output that cannot be removed (an immutable file in it): the new output is in place, exit 0 with a warning; later runs succeed and tidy up', async () => {
    // GIVEN a previous dev output holding a file that cannot be deleted
    const { spec, out } = await previousOutput();
    const stuck = path.join(out, 'dev', '00-namespace.yaml');
    chattr('+i', stuck);
    try {
      fs.writeFileSync(spec, CHANGED);
      // WHEN a changed spec is synthesized
      const run = await runCli(['--config', spec, '--out', out]);
      // THEN the output is the new one (exit 0) and the warning names what was left behind
      expect(run.code).toBe(0);
      expect(run.stderr).toMatch(/^warning: could not remove .*\.dev\.tmp-[A-Za-z0-9]{6}\.old .*the next run tries again\n$/s);
      expect(fs.readFileSync(path.join(out, 'prod', '30-notification-service.yaml'), 'utf8')).toMatch(/notification-service:1\.1\.1/);
      expect(hiddenEntries(out)).toHaveLength(1);
      // AND a later run, of another environment, still succeeds
      expect((await runCli(['--config', spec, '--out', out, '--env', 'prod'])).code).toBe(0);
    } finally {
      // The stuck file moved with its directory to the leftover.
      for (const left of hiddenEntries(out)) chattr('-i', path.join(out, left, '00-namespace.yaml'));
      if (fs.existsSync(stuck)) chattr('-i', stuck);
    }
    // AND once the file can be removed, the next run removes the leftover
    expect((await runCli(['--config', spec, '--out', out, '--env', 'staging'])).code).toBe(0);
    expect(hiddenEntries(out)).toEqual([]);
  });

  test('as a non-root user, a read-only previous output: the new output is in place, exit 0 with a warning; the next run succeeds', async () => {
    // GIVEN a previous output the user owns, with prod read-only (its files cannot be deleted)
    const { spec, out } = await previousOutput();
    fs.writeFileSync(spec, CHANGED);
    const chownTree = (p: string) => {
      fs.chownSync(p, NON_ROOT.uid, NON_ROOT.gid);
      if (fs.statSync(p).isDirectory()) fs.readdirSync(p).forEach((n) => chownTree(path.join(p, n)));
    };
    if (isRoot) chownTree(out);
    fs.chmodSync(path.join(out, 'prod'), 0o555);
    try {
      // WHEN the user synthesizes every environment
      const run = runCliAsNonRoot(['--config', spec, '--out', out], path.dirname(out));
      // THEN the output is the new one and the leftover is named
      expect(run.stderr).toMatch(/warning: could not remove .*\.prod\.tmp-[A-Za-z0-9]{6}\.old/);
      expect(run.code).toBe(0);
      expect(fs.readFileSync(path.join(out, 'prod', '30-notification-service.yaml'), 'utf8')).toMatch(/notification-service:1\.1\.1/);
      // AND the next run succeeds despite the leftover
      const again = runCliAsNonRoot(['--config', spec, '--out', out, '--env', 'dev'], path.dirname(out));
      expect(again.code).toBe(0);
    } finally {
      for (const n of fs.readdirSync(out)) fs.chmodSync(path.join(out, n), 0o755);
    }
  });

  test('leftovers of any kind (a file, a directory with content) are removed, and a staging name already taken is skipped', async () => {
    // GIVEN hidden leftovers of interrupted runs
    const { spec, out } = await previousOutput();
    fs.writeFileSync(path.join(out, '.dev.tmp-AAAAAA'), 'a file where a directory was\n');
    fs.mkdirSync(path.join(out, '.prod.tmp-BBBBBB.old', 'x'), { recursive: true });
    // WHEN synth runs THEN it succeeds and only the environments remain
    expect((await runCli(['--config', spec, '--out', out])).code).toBe(0);
    expect(fs.readdirSync(out).sort()).toEqual(['dev', 'prod', 'staging']);
  });
});

describe('replaced directories get the usual permissions', () => {
  test('an environment directory is 0777 less the umask (not 0700 as from mkdtemp)', async () => {
    const umask = process.umask(0o022);
    try {
      // GIVEN umask 022 WHEN synth writes THEN the directories are 0755, like those mkdir makes
      const { out } = await firstOutput();
      for (const env of ['dev', 'staging', 'prod']) expect((fs.statSync(path.join(out, env)).mode & 0o777).toString(8)).toBe('755');
    } finally {
      process.umask(umask);
    }
  });
});
