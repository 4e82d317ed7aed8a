/**
 * Which code the synth CLI runs: the one-file bundle `npm run build` makes (lib/bundle/cli.js,
 * see scripts/bundle.mjs), loaded with a code cache, or, when there is no current bundle, the
 * modules tsc compiled into lib/src. Both are built from the same src/; the bundle starts faster.
 */
import * as fs from 'fs';
import * as path from 'path';
import type * as Cli from './cli';
import { requireWithCodeCache } from './code-cache';

/** Whether the bundle exists and was built from the lib/ and node_modules/ there are now. */
export type BundleState = 'current' | 'missing' | 'stale';

/** Size and modification time of each build input, null for one that is absent. */
type Stamp = Record<string, { size: number; mtimeMs: number } | null>;

const BUNDLE = 'bundle/cli.js';
const STAMP = 'bundle/cli.stamp.json';

/**
 * What a bundle is built from, besides src/: tsc's output (its build info changes with every
 * emit) and the installed packages (npm rewrites node_modules/.package-lock.json on install).
 */
function inputsOf(libDir: string): Record<string, string> {
  return { tsc: path.join(libDir, '.tsbuildinfo'), packages: path.join(libDir, '..', 'node_modules', '.package-lock.json') };
}

function stampOf(libDir: string): Stamp {
  const stamp: Stamp = {};
  for (const [name, file] of Object.entries(inputsOf(libDir))) {
    try {
      const stat = fs.statSync(file);
      stamp[name] = { size: stat.size, mtimeMs: stat.mtimeMs };
    } catch {
      stamp[name] = null;
    }
  }
  return stamp;
}

/** Records what the bundle in `libDir` was built from; scripts/bundle.mjs calls it after esbuild. */
export function writeBundleStamp(libDir: string): void {
  fs.writeFileSync(path.join(libDir, STAMP), `${JSON.stringify(stampOf(libDir))}\n`);
}

/**
 * A bundle is current while its build inputs are exactly as they were when it was built. `tsc`
 * alone (a watch, an editor) or a package update without `npm run build` makes it stale: it
 * would run yesterday's code or yesterday's dependencies.
 */
export function bundleState(libDir: string): BundleState {
  if (!fs.existsSync(path.join(libDir, BUNDLE))) return 'missing';
  try {
    const recorded = fs.readFileSync(path.join(libDir, STAMP), 'utf8').trim();
    return recorded === JSON.stringify(stampOf(libDir)) ? 'current' : 'stale';
  } catch {
    return 'stale'; // no stamp: not built by scripts/bundle.mjs as it is now
  }
}

/**
 * The CLI module: from the bundle when it is current, else from lib/src (with a note on stderr
 * when a bundle is there but cannot be used). `libDir` is the build's lib/ directory.
 */
export function loadCli(libDir: string, cacheDir: string, env: NodeJS.ProcessEnv = process.env): typeof Cli {
  const state = bundleState(libDir);
  const bundle = path.join(libDir, BUNDLE);
  if (state === 'current') {
    try {
      return requireWithCodeCache(bundle, { dir: cacheDir, env }) as typeof Cli;
    } catch (e) {
      process.stderr.write(`note: ${bundle} could not be loaded (${(e as Error).message}), so the slower-starting lib/src/cli.js runs; npm run build rebuilds the bundle\n`);
    }
  } else if (state === 'stale') {
    process.stderr.write(`note: ${bundle} was built from an older lib/ or node_modules/, so the slower-starting lib/src/cli.js runs; npm run build rebuilds the bundle\n`);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only without a usable bundle
  return require('./cli') as typeof Cli;
}
