// Bundles the synth CLI into lib/bundle/cli.js, which lib/src/main.js loads (part of `npm run build`).
// One file instead of 365 modules: no module resolution, one read, one code cache entry, and
// the unused parts of the ES-module dependencies and of imports/ left out.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';

await build({
  entryPoints: ['src/cli.ts'],
  outfile: 'lib/bundle/cli.js',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true, // `node --enable-source-maps lib/src/main.js` points stack traces at src/*.ts
  sourcesContent: false,
  logLevel: 'warning',
});
// cdk8s loads URLs for `Include` through a script beside its own code (path.join(__dirname, ...)).
mkdirSync('lib/bundle', { recursive: true });
copyFileSync(createRequire(import.meta.url).resolve('cdk8s/lib/_loadurl.mjs'), 'lib/bundle/_loadurl.mjs');
