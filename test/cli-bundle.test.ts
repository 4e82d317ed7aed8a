/** The CLI runs the bundle only while it is at least as new as the last tsc build. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { bundleState } from '../src/cli-bundle';

function files(): { bundle: string; buildInfo: string; touch(file: string, secondsAgo: number): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-bundle-'));
  const touch = (file: string, secondsAgo: number) => {
    fs.writeFileSync(file, '');
    const t = new Date(Date.now() - secondsAgo * 1000);
    fs.utimesSync(file, t, t);
  };
  return { bundle: path.join(dir, 'cli.js'), buildInfo: path.join(dir, '.tsbuildinfo'), touch };
}

describe('bundleState', () => {
  test('a bundle built after tsc (as npm run build does) is current', () => {
    const f = files();
    f.touch(f.buildInfo, 60);
    f.touch(f.bundle, 59);
    expect(bundleState(f.bundle, f.buildInfo)).toBe('current');
  });

  test('a bundle older than the last tsc build (tsc ran alone) is stale', () => {
    // GIVEN a bundle, then a later tsc build
    const f = files();
    f.touch(f.bundle, 60);
    f.touch(f.buildInfo, 10);
    // THEN the bundle must not run: it holds older code than lib/src
    expect(bundleState(f.bundle, f.buildInfo)).toBe('stale');
  });

  test('no bundle is missing; a bundle without tsc build info is current', () => {
    const f = files();
    expect(bundleState(f.bundle, f.buildInfo)).toBe('missing');
    f.touch(f.bundle, 1);
    expect(bundleState(f.bundle, f.buildInfo)).toBe('current');
  });
});
