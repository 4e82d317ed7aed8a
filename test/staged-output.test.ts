/** Output directories are replaced whole, only on commit. */
import * as fs from 'fs';
import * as path from 'path';
import { StagedOutput } from '../src/staged-output';
import { tempDir } from './support/temp-dirs';

function outDirWithPrevious(): string {
  const out = tempDir('staged-');
  fs.mkdirSync(path.join(out, 'dev'));
  fs.writeFileSync(path.join(out, 'dev', 'old.yaml'), 'old\n');
  return out;
}

describe('StagedOutput', () => {
  test('commit replaces each environment directory with exactly the files written', () => {
    // GIVEN a previous dev output
    const out = outDirWithPrevious();
    // WHEN two files are written and committed
    const staged = new StagedOutput(out);
    staged.write('dev', '00-namespace.yaml', 'a\n');
    staged.write('dev', 'reports/REPORT.md', 'b\n');
    staged.commit(['dev']);
    // THEN dev holds only the new files and no temporary directory is left
    expect(fs.readdirSync(path.join(out, 'dev')).sort()).toEqual(['00-namespace.yaml', 'reports']);
    expect(fs.readFileSync(path.join(out, 'dev', 'reports', 'REPORT.md'), 'utf8')).toBe('b\n');
    expect(fs.readdirSync(out)).toEqual(['dev']);
  });

  test('abort leaves the previous output untouched and removes what was staged', () => {
    const out = outDirWithPrevious();
    const staged = new StagedOutput(out);
    staged.write('dev', '00-namespace.yaml', 'a\n');
    staged.abort();
    expect(fs.readdirSync(out)).toEqual(['dev']);
    expect(fs.readdirSync(path.join(out, 'dev'))).toEqual(['old.yaml']);
  });

  test('a failed write fails the commit, which replaces nothing', () => {
    // GIVEN a file name that cannot be written (a directory of that name exists)
    const out = outDirWithPrevious();
    const staged = new StagedOutput(out);
    staged.write('dev', 'reports/x.md', 'x\n');
    staged.write('dev', 'reports', 'not a directory\n');
    // WHEN committed THEN it throws and the previous output stays
    expect(() => staged.commit(['dev'])).toThrow(/EISDIR/);
    expect(fs.readdirSync(out)).toEqual(['dev']);
    expect(fs.readdirSync(path.join(out, 'dev'))).toEqual(['old.yaml']);
  });

  test('an environment with nothing written still replaces its directory (it is empty now)', () => {
    const out = outDirWithPrevious();
    new StagedOutput(out).commit(['dev']);
    expect(fs.readdirSync(path.join(out, 'dev'))).toEqual([]);
  });
});

test('committed names each directory put in place with the inode it has there: what this run wrote', () => {
  // GIVEN a previous dev output WHEN dev and prod are written and committed
  const out = outDirWithPrevious();
  const staged = new StagedOutput(out);
  staged.write('dev', 'a.yaml', 'a\n');
  staged.write('prod', 'a.yaml', 'a\n');
  staged.commit(['dev', 'prod']);
  // THEN each is named with its inode; a directory another process put there since would have another
  expect([...staged.committed]).toEqual(['dev', 'prod'].map((env) => [path.join(out, env), fs.lstatSync(path.join(out, env)).ino]));
});

describe('StagedOutput failures and leftovers', () => {
  test('a directory that cannot be created fails the commit, not the write (spec problems are reported first)', () => {
    // GIVEN an output directory below a regular file
    const base = tempDir('staged-');
    fs.writeFileSync(path.join(base, 'file'), 'x');
    const staged = new StagedOutput(path.join(base, 'file', 'dist'));
    // WHEN a file is written THEN nothing throws yet; commit throws
    expect(() => staged.write('dev', 'a.yaml', 'a\n')).not.toThrow();
    expect(() => staged.commit(['dev'])).toThrow(/ENOTDIR|EEXIST/);
  });

  test('what an interrupted synth left behind is removed by the next one', () => {
    // GIVEN a leftover staging directory and a leftover replaced output
    const out = outDirWithPrevious();
    fs.mkdirSync(path.join(out, '.dev.tmp-AbC123'));
    fs.mkdirSync(path.join(out, '.prod.tmp-XyZ789.old'));
    fs.mkdirSync(path.join(out, '.keep'));
    // WHEN a synth writes and commits
    const staged = new StagedOutput(out);
    staged.write('dev', 'a.yaml', 'a\n');
    staged.commit(['dev']);
    // THEN only its own output and unrelated entries remain
    expect(fs.readdirSync(out).sort()).toEqual(['.keep', 'dev']);
  });

  test('abort removes an output directory it created and left empty', () => {
    const out = path.join(tempDir('staged-'), 'dist');
    const staged = new StagedOutput(out);
    staged.write('dev', 'a.yaml', 'a\n');
    staged.abort();
    expect(fs.existsSync(out)).toBe(false);
  });
});
