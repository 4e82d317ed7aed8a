/**
 * test/support/runtime.cjs: what jest did for a module in one test file of a worker is handed to
 * the later ones only while the module's file and the options are unchanged.
 */
import * as fs from 'fs';
import * as path from 'path';
import { withEnvironmentVariables } from './environment-variables';
import { tempDir } from './temp-dirs';
import { testChart } from './test-chart';

interface TransformResult { code: string }
/** The part of jest-runtime's TransformCache that the runtime shares: one per test file. */
interface TransformCache {
  transforms: Map<string, TransformResult>;
  sourceMaps: Map<string, string>;
  transform(filename: string, options?: object): string;
}
interface Resolution { resolver: object; cjsConditions: string[]; cjsCache: Map<string, string> }
/** The part of jest-runtime's Runtime that the packages' bundle takes over. */
interface ModuleRuntime {
  requireModuleOrMock(from: string, moduleName: string): unknown;
  mockState?: { shouldMockCjs(from: string, moduleName: string): { shouldMock: boolean } };
}
interface Runtime {
  shareTransforms(cache: TransformCache, fullOptions: (options?: object) => object): void;
  shareResolutions(resolution: Resolution): void;
  usePackagesBundle(runtime: ModuleRuntime, shared: { bundle: string; packages: string[] }): void;
  sharePackages(root: string): Promise<void>;
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

test('the project\'s files get the library\'s packages from their bundle; packages, mocks and other names get jest\'s own', () => {
  // GIVEN a test file's runtime, in which zod is mocked, and a bundle of yaml and zod
  const bundle = '/project/node_modules/.cache/platform-constructs/packages-0123456789ab.js';
  const loaded: string[] = [];
  const runtime: ModuleRuntime = {
    requireModuleOrMock(_from, moduleName) {
      loaded.push(moduleName);
      return moduleName === bundle ? { yaml: 'yaml from the bundle' } : `${moduleName} as jest loads it`;
    },
    mockState: { shouldMockCjs: (_from, moduleName) => ({ shouldMock: moduleName === 'zod' }) },
  };
  freshRuntime().usePackagesBundle(runtime, { bundle, packages: ['yaml', 'zod'] });
  // WHEN a file of the project requires yaml THEN it gets the bundle's
  expect(runtime.requireModuleOrMock('/project/src/spec/source.ts', 'yaml')).toBe('yaml from the bundle');
  expect(loaded).toEqual([bundle]);
  // WHEN a package requires it, a test mocks the package, or the name is another package's THEN jest loads it as always
  expect(runtime.requireModuleOrMock('/project/node_modules/some-package/index.js', 'yaml')).toBe('yaml as jest loads it');
  expect(runtime.requireModuleOrMock('/project/src/spec/schema.ts', 'zod')).toBe('zod as jest loads it');
  expect(runtime.requireModuleOrMock('/project/test/x.test.ts', 'ajv')).toBe('ajv as jest loads it');
  // AND a runtime without the mock state this relies on is left as jest made it
  const plain: ModuleRuntime = { requireModuleOrMock: (_from, moduleName) => `${moduleName} as jest loads it` };
  freshRuntime().usePackagesBundle(plain, { bundle, packages: ['yaml'] });
  expect(plain.requireModuleOrMock('/project/src/a.ts', 'yaml')).toBe('yaml as jest loads it');
});

test('in this run the library\'s packages are one instance each, from the bundle the global setup made (unless PLATFORM_TEST_SHARING=off)', () => {
  const setup = process.env.PLATFORM_TEST_PACKAGES;
  if (process.env.PLATFORM_TEST_SHARING === 'off') {
    expect(setup).toBeUndefined();
    return;
  }
  // GIVEN the bundle the global setup named, of package.json's dependencies and peerDependencies
  const { bundle, packages } = JSON.parse(setup ?? '{}') as { bundle: string; packages: string[] };
  expect(packages).toEqual(['cdk8s', 'cdk8s-plus-27', 'constructs', 'yaml', 'zod']);
  expect(path.basename(path.dirname(bundle))).toBe('platform-constructs');
  // WHEN this file requires each package THEN it gets the bundle's
  const bundled = require(bundle) as Record<string, unknown>;
  for (const name of packages) expect(require(name)).toBe(bundled[name]);
  // AND cdk8s-plus-27's Kubernetes objects are cdk8s's ApiObjects, as a user's app sees them
  const { ApiObject } = require('cdk8s') as typeof import('cdk8s');
  const { k8s } = require('cdk8s-plus-27') as typeof import('cdk8s-plus-27');
  expect(new k8s.KubeNamespace(testChart(), 'ns')).toBeInstanceOf(ApiObject);
});

test('the global setup names the bundle of the dependencies and peer dependencies; when it cannot be built the tests go on without it', async () => {
  // GIVEN projects whose launcher builds a bundle, or fails to (a read-only node_modules, say)
  const project = (launcher: string) => {
    const root = tempDir('runtime-project-');
    fs.writeFileSync(path.join(root, 'package.json'), JSON.stringify({ dependencies: { zod: '1', yaml: '2' }, peerDependencies: { cdk8s: '2', yaml: '2' } }));
    fs.mkdirSync(path.join(root, 'tools'));
    fs.writeFileSync(path.join(root, 'tools', 'launch.cjs'), `module.exports = { packagesBundle: ${launcher} };\n`);
    return root;
  };
  const written: string[] = [];
  const write = jest.spyOn(process.stderr, 'write').mockImplementation((text) => { written.push(String(text)); return true; });
  // Both variables are put back as they were (the test sets and removes them).
  await withEnvironmentVariables({ PLATFORM_TEST_SHARING: undefined, PLATFORM_TEST_PACKAGES: process.env.PLATFORM_TEST_PACKAGES }, async () => {
    // WHEN the setup runs THEN it names the bundle and the packages, sorted, once each
    await freshRuntime().sharePackages(project("async (packages) => `/bundles/${packages.join('+')}.js`"));
    expect(JSON.parse(process.env.PLATFORM_TEST_PACKAGES!)).toEqual({ bundle: '/bundles/cdk8s+yaml+zod.js', packages: ['cdk8s', 'yaml', 'zod'] });
    // WHEN the bundle cannot be built THEN the setup names none and says so, and does not fail
    delete process.env.PLATFORM_TEST_PACKAGES;
    await freshRuntime().sharePackages(project("async () => { throw new Error('EROFS: read-only file system'); }"));
    expect(process.env.PLATFORM_TEST_PACKAGES).toBeUndefined();
    expect(written).toEqual(['note: the tests load cdk8s, yaml, zod without their bundle (EROFS: read-only file system)\n']);
    // WHEN sharing is off THEN it builds and names nothing
    process.env.PLATFORM_TEST_SHARING = 'off';
    await freshRuntime().sharePackages(project("async () => { throw new Error('not to be called'); }"));
    expect([process.env.PLATFORM_TEST_PACKAGES, written.length]).toEqual([undefined, 1]);
  }).finally(() => write.mockRestore());
});
