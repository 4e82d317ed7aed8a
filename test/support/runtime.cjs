/**
 * jest's module runtime, with each module's transformed code kept for the later test files of a
 * worker (jest.config.js `runtime`). jest makes a runtime per test file, and for each module the
 * file loads it read the source again, hashed it (2.3 MB for imports/argo-argoproj.io.ts) and read
 * swc's output back from jest's cache directory: 3.8 s of 43 s of CPU for the unit tests. Here a
 * module whose file has the same size, modification time and inode as when a test file of this
 * worker transformed it, with the same transform options, gets that result again: an edited file
 * (jest --watch) is transformed anew. What runs is unchanged: each test file still runs every
 * module in its own context. Removing this file from jest.config.js changes nothing but the time.
 */
'use strict';
const fs = require('node:fs');
const JestRuntime = require('jest-runtime').default;

/** By file name: what identified the file and the options, and jest's transform result. */
const transformed = new Map();

class RuntimeWithSharedTransforms extends JestRuntime {
  constructor(...args) {
    super(...args);
    const cache = this.transformCache;
    // jest-runtime's internals: a runtime whose transform cache is not the expected one transforms as jest does.
    if (typeof cache?.transform !== 'function' || !(cache.transforms instanceof Map) || !(cache.sourceMaps instanceof Map)
      || typeof this._getFullTransformationOptions !== 'function') return;
    const transform = cache.transform.bind(cache);
    cache.transform = (filename, options) => {
      if (options?.isInternalModule) return transform(filename, options);
      let stat;
      try {
        stat = fs.statSync(filename);
      } catch {
        return transform(filename, options);
      }
      const key = `${stat.size}:${stat.mtimeMs}:${stat.ino}:${JSON.stringify(this._getFullTransformationOptions(options))}`;
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
}

module.exports = RuntimeWithSharedTransforms;
