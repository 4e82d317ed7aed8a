// Bundles the synth CLI into lib/bundle/cli.js, which lib/src/main.js loads (part of `npm run build`,
// after tsc). One file instead of 365 modules: no module resolution, one read, one code cache
// entry, and the unused parts of the ES-module dependencies and of imports/ left out.
import { build } from 'esbuild';
import { createRequire } from 'node:module';

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

// Records what the bundle was built from, so that lib/src/main.js never runs a stale one.
require('../lib/src/cli-bundle.js').writeBundleStamp('lib');
