/**
 * test/support/runtime.cjs: what jest did for a module in one test file of a worker is handed to
 * the later ones only while the module's file and the options are unchanged.
 */
import * as fs from 'fs';
import * as path from 'path';
import { tempDir } from './temp-dirs';

interface TransformResult { code: string }
/** The part of jest-runtime's TransformCache that the runtime shares: one per test file. */
interface TransformCache {
  transforms: Map<string, TransformResult>;
  sourceMaps: Map<string, string>;
  transform(filename: string, options?: object): string;
}
interface Resolution { resolver: object; cjsConditions: string[]; cjsCache: Map<string, string> }
interface Runtime {
  shareTransforms(cache: TransformCache, fullOptions: (options?: object) => object): void;
  shareResolutions(resolution: Resolution): void;
}

/** The runtime module as a worker loads it: its own shared state. */
function freshRuntime(): Runtime {
  let loaded: Runtime | undefined;
  jest.isolateModules(() => { loaded = require('./runtime.cjs') as Runtime; });
  return loaded!;
}

/** A test file's transform cache, sharing with the worker's others; `done` lists what it transformed itself. */
function testFileCache(runtime: Runtime, done: string[]): TransformCache {
  const cache: TransformCache = {
    transforms: new Map(),
    sourceMaps: new Map(),
    transform(filename, options) {
      const code = `${JSON.stringify(options ?? {})} ${fs.readFileSync(filename, 'utf8')}`;
      done.push(code);
      cache.transforms.set(filename, { code });
      return code;
    },
  };
  runtime.shareTransforms(cache, (options) => ({ ...options, coverage: false }));
  return cache;
}

test('a module is transformed once per worker while its file and the options stay the same', () => {
  // GIVEN a module and a worker whose first test file transformed it
  const file = path.join(tempDir('runtime-'), 'module.ts');
  fs.writeFileSync(file, 'export const a = 1;\n');
  const runtime = freshRuntime();
  const done: string[] = [];
  const first = testFileCache(runtime, done).transform(file);
  // WHEN a later test file loads it THEN it gets the same code, in its own transform cache, without transforming it again
  const later = testFileCache(runtime, done);
  expect(later.transform(file)).toBe(first);
  expect(later.transforms.get(file)?.code).toBe(first);
  expect(done).toHaveLength(1);
  // WHEN the options differ THEN it is transformed for them
  expect(testFileCache(runtime, done).transform(file, { supportsStaticESM: true })).toContain('supportsStaticESM');
  expect(done).toHaveLength(2);
});

test('an edited module is transformed again, also when its size stays the same', () => {
  // GIVEN a module a test file of the worker transformed
  const file = path.join(tempDir('runtime-'), 'module.ts');
  fs.writeFileSync(file, 'export const a = 1;\n');
  const runtime = freshRuntime();
  const done: string[] = [];
  testFileCache(runtime, done).transform(file);
  // WHEN it is edited (jest --watch), to another text of the same length THEN the next test file gets the new code
  fs.writeFileSync(file, 'export const a = 2;\n');
  fs.utimesSync(file, new Date(), new Date(Date.now() + 5_000));
  expect(testFileCache(runtime, done).transform(file)).toContain('a = 2');
  // WHEN it grows THEN too
  fs.writeFileSync(file, 'export const a = 33;\n');
  expect(testFileCache(runtime, done).transform(file)).toContain('a = 33');
  expect(done).toHaveLength(3);
});

test('resolutions are shared by the test files of one resolver and conditions, not of another', () => {
  // GIVEN a worker where a test file resolved a name
  const runtime = freshRuntime();
  const resolver = {};
  const resolution = (r: object, conditions = ['require', 'node']): Resolution => ({ resolver: r, cjsConditions: conditions, cjsCache: new Map() });
  const first = resolution(resolver);
  runtime.shareResolutions(first);
  first.cjsCache.set('/a.ts\0./b', '/b.ts');
  // WHEN a later test file with the same resolver resolves it THEN it finds the answer
  const later = resolution(resolver);
  runtime.shareResolutions(later);
  expect(later.cjsCache.get('/a.ts\0./b')).toBe('/b.ts');
  // WHEN jest made a new resolver (files added or removed), or the conditions differ THEN nothing is shared
  for (const other of [resolution({}), resolution(resolver, ['import'])]) {
    runtime.shareResolutions(other);
    expect(other.cjsCache.size).toBe(0);
  }
});
