// Bundles the synth CLI into lib/bundle/cli.js, which lib/src/main.js loads (part of `npm run build`,
// after tsc). One file instead of 365 modules: no module resolution, one read, one code cache
// entry, and the unused parts of the ES-module dependencies and of imports/ left out.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const common = { bundle: true, platform: 'node', target: 'node20', logLevel: 'warning' };
await build({
  ...common,
  entryPoints: ['src/cli.ts'],
  outfile: 'lib/bundle/cli.js',
  format: 'cjs',
  // Class and function names stay as written: error messages show them ("... in Chart [x]").
  keepNames: true,
  sourcemap: true, // `node --enable-source-maps lib/src/main.js` points stack traces at src/*.ts
  sourcesContent: false,
});
// cdk8s loads URLs for `Include` through a script beside its own code (path.join(__dirname, ...)),
// which now means beside the bundle; it is bundled too, so that its own imports go with it.
await build({
  ...common,
  entryPoints: [require.resolve('cdk8s/lib/_loadurl.mjs')],
  outfile: 'lib/bundle/_loadurl.mjs',
  format: 'esm',
  // Its CommonJS dependencies require Node's modules, which an ES module must do through createRequire.
  banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
});

// Prime the code cache with one synth of a small platform that uses every feature, so that the
// first synth after a build starts warm too. If it fails, that synth compiles from source.
const work = mkdtempSync(join(tmpdir(), 'platform-prime-'));
try {
  writeFileSync(join(work, 'platform.yaml'), require('../lib/src/bench.js').generatedSpec(8));
  writeFileSync(join(work, 'bench.sql'), 'CREATE TABLE IF NOT EXISTS items (id UUID PRIMARY KEY);\n');
  const primed = spawnSync(process.execPath, ['lib/src/main.js', '--config', join(work, 'platform.yaml'), '--out', join(work, 'out')], { encoding: 'utf8' });
  if (primed.status !== 0) console.warn(`bundle: could not prime the code cache:\n${primed.stderr}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
