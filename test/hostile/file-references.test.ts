/**
 * Class 2 of issue 14: files the spec names are confined to the spec's directory tree after
 * resolving symbolic links (or to --files-root), must be regular files below a size cap and valid
 * UTF-8; the spec itself must be a regular file below a size cap.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { MAX_REFERENCED_FILE_BYTES, MAX_SPEC_BYTES } from '../../src/spec/files';
import { formatProblem, SpecError } from '../../src/spec/errors';
import { loadPlatformFile, LoadOptions } from '../../src/spec/load';
import { synthPlatform } from '../../src/synth';
import { referenceText } from '../helpers';
import { fixtureCopy, runCli, scratchDir, treeOf } from './support';

/** The fixture spec with order-service's schema pointing at `schema`, in a scratch directory. */
function specWithSchema(schema: string, dir = scratchDir()): string {
  return fixtureCopy(referenceText().replace('schema: sql/order_service.sql', `schema: ${JSON.stringify(schema)}`), dir);
}

/** The problems of loading and synthesizing a spec file, with the file's base name. */
function problemsOfFile(spec: string, options?: LoadOptions): string[] {
  try {
    synthPlatform(loadPlatformFile(spec, options));
    return [];
  } catch (e) {
    if (e instanceof SpecError) return e.problems.map((p) => formatProblem({ ...p, file: path.basename(p.file) }));
    throw e;
  }
}

const AT = 'platform.yaml:51: services.order-service.database.schema: schema file';

describe('files the spec names stay in its directory tree', () => {
  test.each([
    ['an absolute path', '/etc/passwd'],
    ['a path out of the directory', '../outside.sql'],
    ['the process environment (CI secrets)', '/proc/self/environ'],
  ])('%s is refused, naming where it resolves to', (_, schema) => {
    const dir = scratchDir();
    fs.writeFileSync(path.join(path.dirname(dir), 'outside.sql'), 'create table t (id int);\n');
    const problems = problemsOfFile(specWithSchema(schema, dir));
    expect(problems).toEqual([expect.stringMatching(new RegExp(`^${AT} "[^"]+" resolves to "/[^"]+", outside "${fs.realpathSync(dir)}"; files the spec names must lie in the spec file's directory tree`))]);
  });

  test('a symbolic link inside the tree to a file outside it is refused; one to a file inside is followed', () => {
    // GIVEN two links in sql/, one to /etc/passwd and one to a schema beside it
    const dir = scratchDir();
    const spec = specWithSchema('sql/passwd.sql', dir);
    fs.symlinkSync('/etc/passwd', path.join(dir, 'sql', 'passwd.sql'));
    fs.symlinkSync('order_service.sql', path.join(dir, 'sql', 'inside.sql'));
    // WHEN loaded THEN the outside one is a problem
    expect(problemsOfFile(spec)).toEqual([expect.stringMatching(/schema file "sql\/passwd\.sql" resolves to "\/etc\/passwd", outside/)]);
    // AND the inside one is fine
    expect(problemsOfFile(specWithSchema('sql/inside.sql', dir))).toEqual([]);
  });

  test('nothing of a refused file reaches the output, and the CLI exits 1 leaving the previous output as it was', async () => {
    // GIVEN a previous output and a spec naming /proc/self/environ, with a secret in the environment
    const dir = scratchDir();
    const out = path.join(dir, 'dist');
    expect((await runCli(['--config', fixtureCopy(undefined, dir), '--out', out])).code).toBe(0);
    const before = treeOf(out);
    process.env.HOSTILE_TEST_SECRET = 'hunter2-secret-value';
    try {
      const run = await runCli(['--config', specWithSchema('/proc/self/environ', dir), '--out', out]);
      // THEN exit 1, located, output unchanged, the secret nowhere
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/platform\.yaml:51: services\.order-service\.database\.schema: schema file "\/proc\/self\/environ" resolves to/);
      expect(treeOf(out)).toEqual(before);
      expect(run.stderr + run.stdout).not.toMatch(/hunter2/);
    } finally {
      delete process.env.HOSTILE_TEST_SECRET;
    }
  });

  test('--files-root admits shared SQL above the spec directory, and still refuses what is outside the root', async () => {
    // GIVEN shared/schema.sql beside the spec's directory, and /etc/passwd
    const root = scratchDir();
    const dir = path.join(root, 'specs');
    fs.mkdirSync(path.join(root, 'shared'));
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(root, 'shared', 'orders.sql'), 'create table orders (id int);\n');
    const spec = specWithSchema('../shared/orders.sql', dir);
    // WHEN loaded without a root THEN it is refused; with the root THEN it is read into the output
    expect(problemsOfFile(spec)).toHaveLength(1);
    expect(problemsOfFile(spec, { filesRoot: root })).toEqual([]);
    const run = await runCli(['--config', spec, '--out', path.join(root, 'dist'), '--env', 'dev', '--files-root', root]);
    expect(run.code).toBe(0);
    expect(fs.readFileSync(path.join(root, 'dist', 'dev', '20-data.yaml'), 'utf8')).toContain('create table orders (id int);');
    expect(problemsOfFile(specWithSchema('/etc/passwd', dir), { filesRoot: root })).toEqual([expect.stringMatching(/outside/)]);
  });
});

describe('files the spec names are regular, bounded, UTF-8', () => {
  test('a FIFO is refused without blocking on it', () => {
    const dir = scratchDir();
    execFileSync('mkfifo', [path.join(dir, 'sql', 'fifo.sql')].map((p) => (fs.mkdirSync(path.dirname(p), { recursive: true }), p)));
    expect(problemsOfFile(specWithSchema('sql/fifo.sql', dir))).toEqual([`${AT} "sql/fifo.sql" is not a regular file (a FIFO); name an SQL file relative to the spec file's directory`]);
  });

  test('a file above the cap is refused', () => {
    const dir = scratchDir();
    const spec = specWithSchema('sql/huge.sql', dir);
    fs.writeFileSync(path.join(dir, 'sql', 'huge.sql'), Buffer.alloc(MAX_REFERENCED_FILE_BYTES + 1, 0x20));
    expect(problemsOfFile(spec)).toEqual([`${AT} "sql/huge.sql" is ${MAX_REFERENCED_FILE_BYTES + 1} bytes, more than the ${MAX_REFERENCED_FILE_BYTES} allowed`]);
  });

  test('invalid UTF-8 is refused with its position (not replaced by U+FFFD)', () => {
    const dir = scratchDir();
    const spec = specWithSchema('sql/latin1.sql', dir);
    fs.writeFileSync(path.join(dir, 'sql', 'latin1.sql'), Buffer.concat([Buffer.from('create table t (\n  n'), Buffer.from([0xe9]), Buffer.from(' text);\n')]));
    expect(problemsOfFile(spec)).toEqual([`${AT} "sql/latin1.sql" is not valid UTF-8: byte 0xe9 at line 2, column 4 (byte offset 20); save the file as UTF-8`]);
  });
});

describe('the spec file itself', () => {
  test.each([
    ['/dev/zero', /cannot read the spec file: it is not a regular file \(a character device\)/],
    ['/tmp', /cannot read the spec file: it is not a regular file \(a directory\)/],
  ])('%s is refused at once', async (config, message) => {
    const run = await runCli(['--config', config, '--out', path.join(scratchDir(), 'dist')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(message);
  });

  test('a FIFO is refused without blocking on it', async () => {
    const fifo = path.join(scratchDir(), 'platform.yaml');
    execFileSync('mkfifo', [fifo]);
    const run = await runCli(['--config', fifo, '--out', path.join(scratchDir(), 'dist')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/platform\.yaml:0: \(root\): cannot read the spec file: it is not a regular file \(a FIFO\)/);
  });

  test('a spec above the size cap is refused', async () => {
    const spec = path.join(scratchDir(), 'platform.yaml');
    fs.writeFileSync(spec, Buffer.alloc(MAX_SPEC_BYTES + 1, 0x0a));
    const run = await runCli(['--config', spec, '--out', path.join(scratchDir(), 'dist')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`cannot read the spec file: it is ${MAX_SPEC_BYTES + 1} bytes, more than the ${MAX_SPEC_BYTES} allowed`));
  });

  test('a spec with invalid UTF-8 is refused with the line of the bad byte', async () => {
    const spec = path.join(scratchDir(), 'platform.yaml');
    fs.writeFileSync(spec, Buffer.concat([Buffer.from('platform:\n  name: caf'), Buffer.from([0xe9]), Buffer.from('\n')]));
    const run = await runCli(['--config', spec, '--out', path.join(scratchDir(), 'dist')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/platform\.yaml:2: \(root\): cannot read the spec file: it is not valid UTF-8: byte 0xe9 at line 2, column 12/);
  });
});
