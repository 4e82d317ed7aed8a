/**
 * tools/result-cache.cjs, in process: what makes a recorded run current and what does not. The
 * launcher's use of it (a replayed run, a failed run) is in launch.test.ts, the synth's in
 * synth-up-to-date.test.ts.
 */
import * as fs from 'fs';
import * as path from 'path';
import { tempDir } from '../support/temp-dirs';

interface Request {
  inputs: string[];
  inputsAsRead?: Array<{ size: number; mtimeMs: number; ctimeMs: number; ino: number } | undefined>;
  inputDirs: string[];
  outputs: string[];
  outputsMade?: Record<string, number>;
  listed?: string[];
  replay: string;
}
/** What the launcher took when the entry asked (opaque here). */
interface Taken { readonly taken: true }
interface ResultCache {
  runKey(args: string[], bundleIds: unknown[], env?: NodeJS.ProcessEnv): string;
  recordFile(cacheDir: string, entryName: string, cwd: string): string;
  fileSystemNow(dir: string): number;
  replayIfCurrent(file: string, key: string): string | undefined;
  takeRequest(request: Request): Taken;
  writeRecord(file: string, key: string, taken: Taken, started: number, racyMs: number, writeAtomically: (f: string, text: string) => void): boolean;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports -- CommonJS of the launcher, without types
const results = require('../../tools/result-cache.cjs') as ResultCache;

const RACY_MS = 100;
/** A start of the run, by the file system's clock, well after the files of `dir` were written. */
const later = (dir: string) => results.fileSystemNow(dir) + 2 * RACY_MS;
const write = (file: string, text: string) => {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
};

/**
 * A run that read in/input.txt, whose files had to lie below root/ (a link to in/), and wrote out/;
 * and its record (the run started after the files were written).
 */
function recordedRun(): { dir: string; file: string; key: string; request: Request; record: () => boolean } {
  const dir = tempDir('result-cache-');
  write(path.join(dir, 'in', 'input.txt'), 'abc');
  write(path.join(dir, 'out', 'result.txt'), 'ABC');
  write(path.join(dir, 'out', 'env', 'nested.txt'), 'n');
  fs.symlinkSync('in', path.join(dir, 'root'));
  const file = results.recordFile(path.join(dir, 'cache'), 'bin-run', process.cwd());
  fs.mkdirSync(path.dirname(file));
  const key = results.runKey(['--flag'], ['bundle 1', 'packages 1'], {});
  const request = { inputs: [path.join(dir, 'in', 'input.txt')], inputDirs: [path.join(dir, 'root')], outputs: [path.join(dir, 'out')], replay: 'replayed\n' };
  const record = () => results.writeRecord(file, key, results.takeRequest(request), later(dir), RACY_MS, write);
  expect(record()).toBe(true);
  return { dir, file, key, request, record };
}

describe('the result cache', () => {
  test('a record holds while nothing changes; one of another key is neither used nor removed', () => {
    // GIVEN a recorded run
    const { file, key } = recordedRun();
    // WHEN its key asks THEN it is replayed, again and again
    expect([results.replayIfCurrent(file, key), results.replayIfCurrent(file, key)]).toEqual(['replayed\n', 'replayed\n']);
    // WHEN another key asks THEN nothing is replayed, and the record stays for its own key
    expect(results.replayIfCurrent(file, results.runKey(['--other'], ['bundle 1', 'packages 1'], {}))).toBeUndefined();
    expect(results.replayIfCurrent(file, key)).toBe('replayed\n');
  });

  test.each<[string, (dir: string) => void]>([
    ['the input written again, same bytes', (dir) => write(path.join(dir, 'in', 'input.txt'), 'abc')],
    ['the input removed', (dir) => fs.rmSync(path.join(dir, 'in', 'input.txt'))],
    ['the input\'s directory replaced by a link to a copy', (dir) => {
      fs.cpSync(path.join(dir, 'in'), path.join(dir, 'in-copy'), { recursive: true, preserveTimestamps: true });
      fs.rmSync(path.join(dir, 'in'), { recursive: true });
      fs.symlinkSync('in-copy', path.join(dir, 'in'));
    }],
    ['the files root, a link, pointed at another directory (the input itself unchanged)', (dir) => {
      fs.rmSync(path.join(dir, 'root'));
      fs.symlinkSync('out', path.join(dir, 'root'));
    }],
    ['an output edited', (dir) => write(path.join(dir, 'out', 'result.txt'), 'ABd')],
    ['an output nested deeper edited', (dir) => write(path.join(dir, 'out', 'env', 'nested.txt'), 'm')],
    ['a file added beside the outputs', (dir) => write(path.join(dir, 'out', 'env', '.staging'), '')],
    ['an output renamed', (dir) => fs.renameSync(path.join(dir, 'out', 'result.txt'), path.join(dir, 'out', 'result.yaml'))],
    ['an output replaced by a link to the same bytes', (dir) => {
      write(path.join(dir, 'elsewhere.txt'), 'ABC');
      fs.rmSync(path.join(dir, 'out', 'result.txt'));
      fs.symlinkSync(path.join(dir, 'elsewhere.txt'), path.join(dir, 'out', 'result.txt'));
    }],
    ['the output directory removed', (dir) => fs.rmSync(path.join(dir, 'out'), { recursive: true })],
    ['an output directory\'s mode changed', (dir) => fs.chmodSync(path.join(dir, 'out', 'env'), 0o700)],
  ])('%s: the record no longer holds, and is removed', (_change, change) => {
    // GIVEN a recorded run WHEN something it depends on changes
    const { dir, file, key } = recordedRun();
    change(dir);
    // THEN its key gets no replay, and the record is gone (it never holds again: ctimes only grow)
    expect(results.replayIfCurrent(file, key)).toBeUndefined();
    expect(fs.existsSync(file)).toBe(false);
  });

  test('an input named through a link pointed elsewhere is a change, though the link itself is unchanged in size', () => {
    // GIVEN a run whose input is a link to one of two files of the same size
    const { dir, file, key, request } = recordedRun();
    write(path.join(dir, 'in', 'a.sql'), 'aaa');
    write(path.join(dir, 'in', 'b.sql'), 'bbb');
    fs.symlinkSync('a.sql', path.join(dir, 'in', 'link.sql'));
    request.inputs.push(path.join(dir, 'in', 'link.sql'));
    expect(results.writeRecord(file, key, results.takeRequest(request), later(dir), RACY_MS, write)).toBe(true);
    // WHEN the link points at the other file
    fs.rmSync(path.join(dir, 'in', 'link.sql'));
    fs.symlinkSync('b.sql', path.join(dir, 'in', 'link.sql'));
    // THEN the record no longer holds
    expect(results.replayIfCurrent(file, key)).toBeUndefined();
  });

  test('an input whose directory was moved elsewhere and linked back is a change (its real path moved, its stamp did not)', () => {
    // GIVEN a run whose input lies in in/sub/
    const { dir, file, key, request } = recordedRun();
    write(path.join(dir, 'in', 'sub', 'input.txt'), 'sub');
    request.inputs = [path.join(dir, 'in', 'sub', 'input.txt')];
    expect(results.writeRecord(file, key, results.takeRequest(request), later(dir), RACY_MS, write)).toBe(true);
    // WHEN in/sub moves out of the files root and a link takes its place (same inode, size and times by the input's name)
    fs.mkdirSync(path.join(dir, 'outside'));
    fs.renameSync(path.join(dir, 'in', 'sub'), path.join(dir, 'outside', 'sub'));
    fs.symlinkSync(path.join(dir, 'outside', 'sub'), path.join(dir, 'in', 'sub'));
    // THEN the record no longer holds: a synth would check the file's place again
    expect(results.replayIfCurrent(file, key)).toBeUndefined();
  });

  test('an input that is not what the run read, or an output directory the run did not make, is not recorded', () => {
    // GIVEN a run that read in/input.txt and made out/
    const { dir, file, key, request } = recordedRun();
    fs.rmSync(file);
    const s = fs.statSync(path.join(dir, 'in', 'input.txt'));
    const asRead = { size: s.size, mtimeMs: s.mtimeMs, ctimeMs: s.ctimeMs, ino: s.ino };
    const made = { [path.join(dir, 'out')]: fs.lstatSync(path.join(dir, 'out')).ino };
    expect(results.writeRecord(file, key, results.takeRequest({ ...request, inputsAsRead: [asRead], outputsMade: made }), later(dir), RACY_MS, write)).toBe(true);
    fs.rmSync(file);
    // WHEN the input read was another version (its stamp then) THEN no record, whatever the clocks say
    const other = { ...asRead, mtimeMs: s.mtimeMs - 1, ctimeMs: s.ctimeMs - 1 };
    expect(results.writeRecord(file, key, results.takeRequest({ ...request, inputsAsRead: [other], outputsMade: made }), later(dir), RACY_MS, write)).toBe(false);
    expect(results.writeRecord(file, key, results.takeRequest({ ...request, inputsAsRead: [undefined], outputsMade: made }), later(dir), RACY_MS, write)).toBe(false);
    // WHEN another process put its own out/ in place THEN no record: the output is not the run's
    fs.renameSync(path.join(dir, 'out'), path.join(dir, 'out-mine'));
    fs.cpSync(path.join(dir, 'out-mine'), path.join(dir, 'out'), { recursive: true });
    expect(results.writeRecord(file, key, results.takeRequest({ ...request, inputsAsRead: [asRead], outputsMade: made }), later(dir), RACY_MS, write)).toBe(false);
    expect(fs.existsSync(file)).toBe(false);
  });

  test('a listed directory counts by its entries\' names, its real path, inode, mode and ctime: what lies below them is not walked', () => {
    // GIVEN a run whose output directory dist/ (reached through a link) is listed, its environment dev/ walked, a .git beside it
    const { dir, file, key, request } = recordedRun();
    write(path.join(dir, 'dist-real', 'dev', 'a.yaml'), 'a');
    write(path.join(dir, 'dist-real', '.git', 'HEAD'), 'ref');
    fs.symlinkSync('dist-real', path.join(dir, 'dist'));
    const listed = { ...request, outputs: [path.join(dir, 'dist', 'dev')], listed: [path.join(dir, 'dist')] };
    const record = () => expect(results.writeRecord(file, key, results.takeRequest(listed), later(dir), RACY_MS, write)).toBe(true);
    record();
    // WHEN git writes below .git THEN the record holds
    write(path.join(dir, 'dist-real', '.git', 'HEAD'), 'other');
    expect(results.replayIfCurrent(file, key)).toBe('replayed\n');
    // WHEN an entry is added beside the environments, or the directory behind the link is made read-only THEN it does not
    write(path.join(dir, 'dist-real', '.dev.tmp-abcdef'), '');
    expect(results.replayIfCurrent(file, key)).toBeUndefined();
    fs.rmSync(path.join(dir, 'dist-real', '.dev.tmp-abcdef'));
    record();
    fs.chmodSync(path.join(dir, 'dist-real'), 0o555);
    expect(results.replayIfCurrent(file, key)).toBeUndefined();
    // WHEN only its ctime changes (an owner, an ACL or a flag set: here a chmod to the same mode) THEN it does not
    record();
    fs.chmodSync(path.join(dir, 'dist-real'), 0o555);
    expect(results.replayIfCurrent(file, key)).toBeUndefined();
    fs.chmodSync(path.join(dir, 'dist-real'), 0o755);
    // WHEN the link points at a copy with the same names, or the directory is replaced by one THEN it does not
    record();
    fs.cpSync(path.join(dir, 'dist-real'), path.join(dir, 'dist-copy'), { recursive: true, preserveTimestamps: true });
    fs.rmSync(path.join(dir, 'dist'));
    fs.symlinkSync('dist-copy', path.join(dir, 'dist'));
    expect(results.replayIfCurrent(file, key)).toBeUndefined();
    // WHEN (nothing below it walked) the directory is replaced by a copy of the same names at the same place THEN it does not
    fs.rmSync(path.join(dir, 'dist'));
    fs.symlinkSync('dist-real', path.join(dir, 'dist'));
    const listedOnly = { ...listed, outputs: [] };
    expect(results.writeRecord(file, key, results.takeRequest(listedOnly), later(dir), RACY_MS, write)).toBe(true);
    fs.renameSync(path.join(dir, 'dist-real'), path.join(dir, 'dist-before'));
    fs.renameSync(path.join(dir, 'dist-copy'), path.join(dir, 'dist-real'));
    fs.chmodSync(path.join(dir, 'dist-real'), fs.statSync(path.join(dir, 'dist-before')).mode);
    expect(results.replayIfCurrent(file, key)).toBeUndefined();
  });

  test('a run whose input changed within the race margin of its start, or after it, is not recorded', () => {
    // GIVEN a run WHEN its input was written as it started, or while it ran
    const { dir, file, key, request } = recordedRun();
    fs.rmSync(file);
    write(path.join(dir, 'in', 'input.txt'), 'abc');
    // THEN no record is written (the run may have read either version)
    expect(results.writeRecord(file, key, results.takeRequest(request), results.fileSystemNow(dir), RACY_MS, write)).toBe(false);
    expect(results.writeRecord(file, key, results.takeRequest(request), results.fileSystemNow(dir) - 60_000, RACY_MS, write)).toBe(false);
    expect(fs.existsSync(file)).toBe(false);
  });

  test.each<[string, (dir: string) => void]>([
    ['another process wrote the output', (dir) => write(path.join(dir, 'out', 'result.txt'), 'ABD')],
    ['another process left a file beside the output', (dir) => write(path.join(dir, 'out', '.staging-1'), '')],
    ['the input is gone', (dir) => fs.rmSync(path.join(dir, 'in', 'input.txt'))],
  ])('%s between the request and the end of the run: the run is not recorded', (_change, change) => {
    // GIVEN a run that asked to be recorded right after writing its output
    const { dir, file, key, request } = recordedRun();
    fs.rmSync(file);
    const taken = results.takeRequest(request);
    // WHEN something changes before it ends THEN it is not recorded: the output may not be its own
    change(dir);
    expect(results.writeRecord(file, key, taken, later(dir), RACY_MS, write)).toBe(false);
  });

  test('an input named with `..` after a link is stamped where the system finds it, not where path.resolve would', () => {
    // GIVEN a run whose input is named link/../input.txt, the link pointing into another directory
    const { dir, file, key, request } = recordedRun();
    write(path.join(dir, 'real', 'input.txt'), 'real');
    fs.mkdirSync(path.join(dir, 'real', 'sub'));
    fs.symlinkSync(path.join(dir, 'real', 'sub'), path.join(dir, 'in', 'link'));
    request.inputs = [`${path.join(dir, 'in', 'link')}/../input.txt`];
    expect(results.writeRecord(file, key, results.takeRequest(request), later(dir), RACY_MS, write)).toBe(true);
    // WHEN the file the system reads by that name changes (not in/input.txt) THEN the record no longer holds
    write(path.join(dir, 'real', 'input.txt'), 'REAL');
    expect(results.replayIfCurrent(file, key)).toBeUndefined();
  });

  test('the key: node, the user and umask, the directory, the arguments, PLATFORM_ and CDK8S_ variables (not the trace\'s), the bundles', () => {
    const key = (args: string[], bundles: unknown[], env: NodeJS.ProcessEnv) => results.runKey(args, bundles, env);
    const base = key(['--env', 'dev'], ['b1', 'p1'], { PLATFORM_DIRECT_RENDER: 'off', HOME: '/a' });
    // THEN what the output can depend on changes it
    expect(key(['--env', 'prod'], ['b1', 'p1'], { PLATFORM_DIRECT_RENDER: 'off', HOME: '/a' })).not.toBe(base);
    expect(key(['--env', 'dev'], ['b2', 'p1'], { PLATFORM_DIRECT_RENDER: 'off', HOME: '/a' })).not.toBe(base);
    expect(key(['--env', 'dev'], ['b1', 'p1'], { PLATFORM_DIRECT_RENDER: 'off', CDK8S_DISABLE_SORT: '1', HOME: '/a' })).not.toBe(base);
    expect(key(['--env', 'dev'], ['b1', 'p1'], { HOME: '/a' })).not.toBe(base);
    const umask = process.umask(0o077);
    try {
      expect(key(['--env', 'dev'], ['b1', 'p1'], { PLATFORM_DIRECT_RENDER: 'off', HOME: '/a' })).not.toBe(base);
    } finally {
      process.umask(umask);
    }
    // AND what it cannot does not
    expect(key(['--env', 'dev'], ['b1', 'p1'], { PLATFORM_DIRECT_RENDER: 'off', HOME: '/b', PLATFORM_LAUNCH_TRACE: '1' })).toBe(base);
    expect(JSON.parse(base)).toEqual(expect.arrayContaining([process.version, process.getuid!(), process.cwd()]));
  });

  test('writing a record removes the records of directories that no longer exist', () => {
    // GIVEN a record of a directory since removed, and one that cannot be read, beside a run's
    const { file, record } = recordedRun();
    const gone = path.join(path.dirname(file), 'bin-other.0123456789ab.result.json');
    const unreadable = path.join(path.dirname(file), 'bin-other.ba9876543210.result.json');
    write(gone, JSON.stringify({ cwd: path.join(path.dirname(file), 'removed') }));
    write(unreadable, '{');
    // WHEN the run is recorded again THEN both are gone, its own is there
    expect(record()).toBe(true);
    expect(fs.readdirSync(path.dirname(file))).toEqual([path.basename(file)]);
  });
});
