/**
 * test/support/node-environment.cjs: modules are compiled once per worker, and still run in each
 * test file's own context; a test file's AsyncLocalStorage instances (jest-circus makes one per
 * file and never disables it) are disabled when its environment is torn down, so a worker's later
 * files neither walk them for every promise nor keep the file's context alive.
 */
import { AsyncLocalStorage } from 'async_hooks';
import * as path from 'path';
import * as vm from 'vm';
import { withEnvironmentVariables } from './environment-variables';

interface Environment { setup(): Promise<void>; teardown(): Promise<void> }
type EnvironmentClass = new (config: object, context: object) => Environment;

/** An environment as jest makes one for a test file (the options jest-environment-node reads). */
function testFileEnvironment(): Environment {
  const Env = require('./node-environment.cjs') as EnvironmentClass;
  const projectConfig = { testEnvironmentOptions: {}, globals: {}, fakeTimers: {}, testEnvironment: 'node' };
  return new Env({ projectConfig, globalConfig: {} }, { console, docblockPragmas: {}, testPath: __filename });
}

/** Runs `body` in `storage` with `store`; resolves to what the storage holds after `later` settles. */
function storeSeenAfter(storage: AsyncLocalStorage<string>, store: string, later: Promise<void>): Promise<string | undefined> {
  return storage.run(store, () => later.then(() => storage.getStore()));
}

// Node 24 keeps the stores in the async context frame: no list of enabled instances, nothing to release.
const onNodeWithStorageList = typeof (AsyncLocalStorage.prototype as unknown as { _enable?: unknown })._enable === 'function';

(onNodeWithStorageList ? test : test.skip)('the storages a test file enabled are disabled at its teardown; those enabled before its setup are left alone', async () => {
  // GIVEN a storage enabled before a test file's environment is set up (the worker's own)
  let release!: () => void;
  const later = new Promise<void>((resolve) => { release = resolve; });
  const worker = new AsyncLocalStorage<string>();
  const workerSees = storeSeenAfter(worker, 'worker', later);
  // AND a test file that enables one of its own while its environment is up
  const env = testFileEnvironment();
  await env.setup();
  const file = new AsyncLocalStorage<string>();
  const fileSees = storeSeenAfter(file, 'file', later);
  // WHEN the environment is torn down, and the work the file started goes on afterwards
  await env.teardown();
  release();
  // THEN the file's storage is disabled (its store gone), the worker's holds its store as before
  expect(await fileSees).toBeUndefined();
  expect(await workerSees).toBe('worker');
});

(onNodeWithStorageList ? test : test.skip)('a file\'s storages are disabled at its own teardown, though another environment was set up and torn down in between', async () => {
  // GIVEN a test file's environment, and a storage the file enabled
  let release!: () => void;
  const later = new Promise<void>((resolve) => { release = resolve; });
  const outer = testFileEnvironment();
  await outer.setup();
  const storage = new AsyncLocalStorage<string>();
  const seen = storeSeenAfter(storage, 'outer', later);
  // AND another environment set up and torn down meanwhile (as this test file does with its own)
  const inner = testFileEnvironment();
  await inner.setup();
  await inner.teardown();
  // WHEN the file's environment is torn down THEN its storage is disabled
  await outer.teardown();
  release();
  expect(await seen).toBeUndefined();
});

test('a module compiled for one test file runs in each later file\'s own context; changed code runs as changed', () => {
  // GIVEN the worker's compile (the environment replaced jest's vm.compileFunction), and two test files' contexts
  expect(vm.compileFunction.name).toBe('compileSharingScripts');
  const [first, second] = [vm.createContext({}), vm.createContext({})];
  const code = 'globalThis.runs = (globalThis.runs ?? 0) + step; return [runs, typeof exports];';
  const compile = (source: string, context: vm.Context) => vm.compileFunction(source, ['exports', 'step'], { filename: '/virtual/counter.js', parsingContext: context });
  // WHEN the same module is compiled for each and run
  const inFirst = compile(code, first);
  const inSecond = compile(code, second);
  // THEN each runs against its own globals
  expect([inFirst({}, 1), inFirst({}, 1), inSecond({}, 1)]).toEqual([[1, 'object'], [2, 'object'], [1, 'object']]);
  // WHEN the module's code changes (an edit under jest --watch) THEN the new code runs
  const edited = compile(code.replace('+ step', '+ step * 10'), second);
  expect(edited({}, 1)).toEqual([11, 'object']);
  // AND the unchanged code compiled again still runs as before
  expect(compile(code, first)({}, 1)).toEqual([3, 'object']);
});

test('stack traces of a module give the lines and columns jest\'s own compile gives', () => {
  // GIVEN a module that throws on its first line, and one that throws on its second
  const stackOf = (code: string) => {
    const run = vm.compileFunction(code, ['exports'], { filename: '/virtual/thrower.js', parsingContext: vm.createContext({}) });
    try {
      run({});
    } catch (e) {
      return (e as { stack: string }).stack;
    }
    return '';
  };
  // WHEN each runs THEN the frame is where the error is made, as in the module's own text
  expect(stackOf("const x = 1; throw new Error('here');\n")).toContain('/virtual/thrower.js:1:20');
  expect(stackOf("const x = 1;\n  throw new Error('here');\n")).toContain('/virtual/thrower.js:2:9');
});

test('under V8\'s coverage (jest --coverage --coverageProvider=v8) modules are compiled as jest compiles them', () => {
  // GIVEN jest's configuration WHEN it collects V8's coverage THEN scripts are not shared (jest maps the offsets as compileFunction's)
  const { sharesCompiledScripts } = require('./node-environment.cjs') as { sharesCompiledScripts(globalConfig: object): boolean };
  expect(sharesCompiledScripts({ collectCoverage: true, coverageProvider: 'v8' })).toBe(false);
  expect(sharesCompiledScripts({ collectCoverage: true, coverageProvider: 'babel' })).toBe(true);
  expect(sharesCompiledScripts({ collectCoverage: false, coverageProvider: 'v8' })).toBe(true);
});

const workerModuleOf = (env: Environment) => (env as unknown as { global: Record<symbol, ((file: string) => unknown) | undefined> }).global[Symbol.for('platform-constructs.test.workerModule')]!;

/** Runs `body` with PLATFORM_TEST_SHARING set to `value` (undefined: unset), restoring it afterwards. */
const withSharing = (value: string | undefined, body: () => Promise<void>) => withEnvironmentVariables({ PLATFORM_TEST_SHARING: value }, body);

test('test support modules can be loaded once per worker: the same module for every test file, and only plain JavaScript of test/support/', () => withSharing(undefined, async () => {
  // GIVEN two test files' environments
  const [first, second] = [testFileEnvironment(), testFileEnvironment()];
  await first.setup();
  await second.setup();
  try {
    // WHEN each asks for the kubernetes-models validator
    const validator = path.join(__dirname, 'models-validator.cjs');
    // THEN both get the same module (its compiled validators serve both)
    expect(workerModuleOf(first)(validator)).toBe(workerModuleOf(second)(validator));
    // AND a file elsewhere, or a TypeScript file (no transform there), is refused
    expect(() => workerModuleOf(first)(path.join(__dirname, '..', 'helpers.ts'))).toThrow(/only a \.cjs file of .*test\/support/);
    expect(() => workerModuleOf(first)(path.join(__dirname, 'schema-validator.ts'))).toThrow(/only a \.cjs file/);
  } finally {
    await second.teardown();
    await first.teardown();
  }
}));

test('in this run a worker module comes from outside this test file\'s context, the same each time', () => {
  // GIVEN this file's own environment (jest.config.js), unless sharing is switched off for the run
  const load = (globalThis as Record<symbol, ((file: string) => unknown) | undefined>)[Symbol.for('platform-constructs.test.workerModule')];
  if (process.env.PLATFORM_TEST_SHARING === 'off') {
    expect(load).toBeUndefined();
    return;
  }
  // WHEN the validator is asked for twice
  const validator = load!(path.join(__dirname, 'models-validator.cjs'));
  // THEN it is one module, made in another realm than this file's (no instance of this file's Object)
  expect(load!(path.join(__dirname, 'models-validator.cjs'))).toBe(validator);
  expect(validator instanceof Object).toBe(false);
});

test('PLATFORM_TEST_SHARING=off: no module is offered once per worker; each test file loads its own', () => withSharing('off', async () => {
  // GIVEN sharing switched off WHEN a test file's environment is set up THEN it offers no worker module
  const env = testFileEnvironment();
  await env.setup();
  try {
    expect((env as unknown as { global: Record<symbol, unknown> }).global[Symbol.for('platform-constructs.test.workerModule')]).toBeUndefined();
  } finally {
    await env.teardown();
  }
}));
