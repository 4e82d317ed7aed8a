/**
 * Which code the synth CLI runs: the one-file bundle `npm run build` makes (lib/bundle/cli.js,
 * see scripts/bundle.mjs), loaded with a code cache, or, when there is no current bundle, the
 * modules tsc compiled into lib/src. Both are built from the same src/; the bundle starts faster.
 */
import * as fs from 'fs';
import * as path from 'path';
import type * as Cli from './cli';
import { requireWithCodeCache } from './code-cache';

/** Whether the bundle exists and was built after tsc last wrote lib/. */
export type BundleState = 'current' | 'missing' | 'stale';

/**
 * `tsc` alone (a watch, an editor) updates lib/ and its build info but not the bundle, which
 * would then run yesterday's code; such a bundle is stale.
 */
export function bundleState(bundle: string, tscBuildInfo: string): BundleState {
  const mtime = (file: string) => {
    try {
      return fs.statSync(file).mtimeMs;
    } catch {
      return undefined;
    }
  };
  const bundleTime = mtime(bundle);
  if (bundleTime === undefined) return 'missing';
  const tscTime = mtime(tscBuildInfo);
  return tscTime === undefined || bundleTime >= tscTime ? 'current' : 'stale';
}

/** The CLI module, from the bundle when it is current; `libDir` is the build's lib/ directory. */
export function loadCli(libDir: string, cacheDir: string): typeof Cli {
  const bundle = path.join(libDir, 'bundle', 'cli.js');
  const state = bundleState(bundle, path.join(libDir, '.tsbuildinfo'));
  if (state === 'current') return requireWithCodeCache(bundle, { dir: cacheDir }) as typeof Cli;
  if (state === 'stale') {
    process.stderr.write(`note: ${bundle} is older than the last tsc build, so the slower-starting lib/src/cli.js runs; npm run build rebuilds the bundle\n`);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only without a current bundle
  return require('./cli') as typeof Cli;
}
