/**
 * jest's module runtime, sharing what does not change between the test files of a worker (jest.config.js
 * `runtime`). jest makes a runtime per test file, and for each module the file loads it resolved the
 * name again, read the source, hashed it (2.3 MB for imports/argo-argoproj.io.ts) and read swc's
 * output back from jest's cache directory: 3.8 s of 43 s of CPU for the unit tests. Here:
 * - a module whose file has the same size, modification time and inode as when a test file of this
 *   worker transformed it, with the same transform options, gets that result again (a file edited
 *   under jest --watch is transformed anew);
 * - a require of the same name from the same file resolves to what it did for an earlier test file,
 *   for as long as jest keeps the same resolver (it makes a new one when files are added or removed);
 * - the packages the library imports at run time (package.json's dependencies and peerDependencies:
 *   cdk8s, cdk8s-plus-27, constructs, yaml, zod) come, for the project's own files, from one bundle
 *   of them: the one `npm run synth` runs (tools/launch.cjs packagesBundle, built by the global setup
 *   when an install made it stale). jest loads that as one module instead of some 300 files, each
 *   resolved, read, wrapped and compiled for every test file. A file inside node_modules, and a
 *   test that mocks the package, get jest's own resolution.
 * What runs is unchanged: each test file still runs every module in its own context.
 * PLATFORM_TEST_SHARING=off (or removing this file from jest.config.js) leaves jest's runtime as it is,
 * which changes nothing but the time (test/support/runtime.test.ts).
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const JestRuntime = require('jest-runtime').default;

/** How the global setup hands the workers the packages' bundle: JSON of { bundle, packages }. */
const PACKAGES_ENV = 'PLATFORM_TEST_PACKAGES';

/** By file name: what identified the file and the options, and jest's transform result. */
const transformed = new Map();
/** By jest resolver and resolve conditions: a module name from a file, and the file it resolved to. */
const resolved = new WeakMap();

/** Makes a runtime's resolution (jest-runtime's Resolution) use the worker's resolutions. */
function shareResolutions(resolution) {
  if (!(resolution?.cjsCache instanceof Map) || typeof resolution.resolver !== 'object') return;
  const byConditions = resolved.get(resolution.resolver) ?? new Map();
  resolved.set(resolution.resolver, byConditions);
  const conditions = JSON.stringify(resolution.cjsConditions ?? null);
  if (!byConditions.has(conditions)) byConditions.set(conditions, new Map());
  resolution.cjsCache = byConditions.get(conditions);
}

/**
 * Makes a runtime's transform cache (jest-runtime's TransformCache) hand back what an earlier
 * runtime of the worker transformed; `fullOptions` gives the options the transform depends on
 * (and the jest project: with several projects a worker serves more than one config).
 */
function shareTransforms(cache, fullOptions) {
  if (typeof cache?.transform !== 'function' || !(cache.transforms instanceof Map) || !(cache.sourceMaps instanceof Map)) return;
  const transform = cache.transform.bind(cache);
  /** The full transform options as text, by the options object jest passes (a few constants). */
  const optionKeys = new Map();
  cache.transform = (filename, options) => {
    if (options?.isInternalModule) return transform(filename, options);
    let stat;
    try {
      stat = fs.statSync(filename);
    } catch {
      return transform(filename, options);
    }
    let optionsKey = optionKeys.get(options);
    if (optionsKey === undefined) optionKeys.set(options, optionsKey = JSON.stringify(fullOptions(options)));
    const key = `${stat.size}:${stat.mtimeMs}:${stat.ino}:${optionsKey}`;
    const kept = transformed.get(filename);
    if (kept?.key === key) {
      cache.transforms.set(filename, kept.file);
      if (kept.file.sourceMapPath) cache.sourceMaps.set(filename, kept.file.sourceMapPath);
      return kept.file.code;
    }
    const code = transform(filename, options);
    const file = cache.transforms.get(filename);
    if (file?.code === code) transformed.set(filename, { key, file });
    return code;
  };
}

/**
 * Builds, when stale, the bundle of the packages the project imports at run time and names it
 * to the workers (jest globalSetup, in jest's own process; the workers start after it).
 */
async function sharePackages(root) {
  if (process.env.PLATFORM_TEST_SHARING === 'off') return;
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const packages = [...new Set([...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})])].sort();
  if (packages.length === 0) return;
  try {
    const bundle = await require(path.join(root, 'tools', 'launch.cjs')).packagesBundle(packages);
    process.env[PACKAGES_ENV] = JSON.stringify({ bundle, packages });
  } catch (e) {
    // A read-only node_modules, say: the tests load the packages as jest does, a little slower.
    process.stderr.write(`note: the tests load ${packages.join(', ')} without their bundle (${e.message.split('\n')[0]})\n`);
  }
}

/**
 * Makes a runtime load `shared.packages` from `shared.bundle` (sharePackages) when the project's own
 * files require them by name.
 */
function usePackagesBundle(runtime, shared) {
  const mockState = runtime.mockState;
  if (typeof runtime.requireModuleOrMock !== 'function' || typeof mockState?.shouldMockCjs !== 'function') return;
  const packages = new Set(shared.packages);
  const requireModuleOrMock = runtime.requireModuleOrMock.bind(runtime);
  runtime.requireModuleOrMock = (from, moduleName) => {
    if (packages.has(moduleName) && !from.split(path.sep).includes('node_modules') && !mockState.shouldMockCjs(from, moduleName).shouldMock) {
      return requireModuleOrMock(from, shared.bundle)[moduleName];
    }
    return requireModuleOrMock(from, moduleName);
  };
}

/** The packages' bundle the global setup named, or undefined. */
let sharedPackages;
function packagesFromSetup() {
  const text = process.env[PACKAGES_ENV];
  if (!text) return undefined;
  if (sharedPackages?.text !== text) sharedPackages = { text, shared: JSON.parse(text) };
  return sharedPackages.shared;
}

class RuntimeWithSharedWork extends JestRuntime {
  constructor(...args) {
    super(...args);
    if (process.env.PLATFORM_TEST_SHARING === 'off') return;
    // jest-runtime's internals: what is not as expected is left as jest made it.
    shareResolutions(this._resolution);
    if (typeof this._getFullTransformationOptions === 'function') shareTransforms(this.transformCache, (options) => ({ project: this._config?.id, ...this._getFullTransformationOptions(options) }));
    const shared = packagesFromSetup();
    if (shared) usePackagesBundle(this, shared);
  }
}

module.exports = RuntimeWithSharedWork;
module.exports.shareResolutions = shareResolutions;
module.exports.shareTransforms = shareTransforms;
module.exports.sharePackages = sharePackages;
module.exports.usePackagesBundle = usePackagesBundle;
