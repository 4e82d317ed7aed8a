/**
 * jest's module runtime, sharing what does not change between the test files of a worker (jest.config.js
 * `runtime`). jest makes a runtime per test file, and for each module the file loads it resolved the
 * name again, read the source, hashed it (2.3 MB for imports/argo-argoproj.io.ts) and read swc's
 * output back from jest's cache directory: 3.8 s of 43 s of CPU for the unit tests. Here:
 * - a module whose file has the same size, modification time and inode as when a test file of this
 *   worker transformed it, with the same transform options, gets that result again (a file edited
 *   under jest --watch is transformed anew);
 * - a require of the same name from the same file resolves to what it did for an earlier test file,
 *   for as long as jest keeps the same resolver (it makes a new one when files are added or removed).
 * What runs is unchanged: each test file still runs every module in its own context.
 * PLATFORM_TEST_SHARING=off (or removing this file from jest.config.js) leaves jest's runtime as it is,
 * which changes nothing but the time (test/support/runtime.test.ts).
 */
'use strict';
const fs = require('node:fs');
const JestRuntime = require('jest-runtime').default;

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

class RuntimeWithSharedWork extends JestRuntime {
  constructor(...args) {
    super(...args);
    if (process.env.PLATFORM_TEST_SHARING === 'off') return;
    // jest-runtime's internals: what is not as expected is left as jest made it.
    shareResolutions(this._resolution);
    if (typeof this._getFullTransformationOptions === 'function') shareTransforms(this.transformCache, (options) => ({ project: this._config?.id, ...this._getFullTransformationOptions(options) }));
  }
}

module.exports = RuntimeWithSharedWork;
module.exports.shareResolutions = shareResolutions;
module.exports.shareTransforms = shareTransforms;
