/**
 * tools/result-cache.cjs, in process: what makes a recorded run current and what does not. The
 * launcher's use of it (a replayed run, a failed run) is in launch.test.ts, the synth's in
 * synth-up-to-date.test.ts.
 */
import * as fs from 'fs';
import * as path from 'path';
import { tempDir } from '../support/temp-dirs';

interface Request { inputs: string[]; inputDirs: string[]; outputs: string[]; replay: string }
interface ResultCache {
  runKey(args: string[], bundleIds: unknown[], env?: NodeJS.ProcessEnv): string;
  recordFile(cacheDir: string, entryName: string, cwd: string): string;
  replayIfCurrent(file: string, key: string): string | undefined;
  writeRecord(file: string, key: string, request: Request, started: number, racyMs: number, writeAtomically: (f: string, text: string) => void): boolean;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports -- CommonJS of the launcher, without types
const results = require('../../tools/result-cache.cjs') as ResultCache;

const RACY_MS = 100;
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
  const record = () => results.writeRecord(file, key, request, Date.now() + 2 * RACY_MS, RACY_MS, write);
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
    expect(results.writeRecord(file, key, request, Date.now() + 2 * RACY_MS, RACY_MS, write)).toBe(true);
    // WHEN the link points at the other file
    fs.rmSync(path.join(dir, 'in', 'link.sql'));
    fs.symlinkSync('b.sql', path.join(dir, 'in', 'link.sql'));
    // THEN the record no longer holds
    expect(results.replayIfCurrent(file, key)).toBeUndefined();
  });

  test('a run whose input changed within the race margin of its start, or after it, is not recorded', () => {
    // GIVEN a run WHEN its input was written as it started, or while it ran
    const { dir, file, key, request } = recordedRun();
    fs.rmSync(file);
    write(path.join(dir, 'in', 'input.txt'), 'abc');
    // THEN no record is written (the run may have read either version)
    expect(results.writeRecord(file, key, request, Date.now(), RACY_MS, write)).toBe(false);
    expect(results.writeRecord(file, key, request, Date.now() - 60_000, RACY_MS, write)).toBe(false);
    expect(fs.existsSync(file)).toBe(false);
  });

  test('the key: node, the directory, the arguments, PLATFORM_ and CDK8S_ variables (not the trace\'s), the bundles', () => {
    const key = (args: string[], bundles: unknown[], env: NodeJS.ProcessEnv) => results.runKey(args, bundles, env);
    const base = key(['--env', 'dev'], ['b1', 'p1'], { PLATFORM_DIRECT_RENDER: 'off', HOME: '/a' });
    // THEN what the output can depend on changes it
    expect(key(['--env', 'prod'], ['b1', 'p1'], { PLATFORM_DIRECT_RENDER: 'off', HOME: '/a' })).not.toBe(base);
    expect(key(['--env', 'dev'], ['b2', 'p1'], { PLATFORM_DIRECT_RENDER: 'off', HOME: '/a' })).not.toBe(base);
    expect(key(['--env', 'dev'], ['b1', 'p1'], { PLATFORM_DIRECT_RENDER: 'off', CDK8S_DISABLE_SORT: '1', HOME: '/a' })).not.toBe(base);
    expect(key(['--env', 'dev'], ['b1', 'p1'], { HOME: '/a' })).not.toBe(base);
    // AND what it cannot does not
    expect(key(['--env', 'dev'], ['b1', 'p1'], { PLATFORM_DIRECT_RENDER: 'off', HOME: '/b', PLATFORM_LAUNCH_TRACE: '1' })).toBe(base);
    expect(JSON.parse(base)).toEqual(expect.arrayContaining([process.version, process.cwd()]));
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
