/**
 * jest's node environment, compiling each module once per worker (jest.config.js `testEnvironment`).
 * Every test file gets a fresh module registry, so each one compiled cdk8s-plus-27 (2.5 MB of
 * JavaScript), the generated imports/, zod and src/ again, and every function it ran. jest compiles
 * each module with vm.compileFunction, which V8 compiles anew each time; this compiles the same
 * function as a vm.Script instead and keeps the script, so that when a later test file of the worker
 * compiles the same code, V8 finds the compiled script in its compilation cache (isolate-wide, keyed
 * by source and file name; the functions earlier files ran come compiled with it). The script's
 * source is one string per module: V8 hashes and compares the source for each lookup, about 4 ms for
 * the 2.3 MB of imports/argo-argoproj.io.ts if it were a new string, nothing for the same one.
 * Measured: a test file that loads the library, 45 ms of CPU before, 34 ms with this (35 ms with
 * V8's code cache data handed back instead, which this replaces). Only compilation is shared: each
 * test file still runs every module in its own context. Removing this file from jest.config.js
 * changes nothing but the time.
 */
'use strict';
const path = require('node:path');
const vm = require('node:vm');
const { TestEnvironment } = require('jest-environment-node');

/**
 * V8's tiering as tools/launch.cjs tunes it for a synth (PLATFORM_V8_TUNING=off: V8's defaults).
 * Every test file runs the library in a context of its own, so V8 optimizes the same functions
 * again for each file, on threads of its own, and most of them run a few hundred times per file:
 * with sixteen times V8's threshold only what runs long is optimized. Measured: a fifth less CPU
 * for the unit tests (CONTRIBUTING.md, Speed).
 */
require('../../tools/v8-flags.cjs').applyV8Tuning();

/**
 * By file name: the module's code as jest gave it (the same string while the file is unchanged,
 * test/support/runtime.cjs), its parameters, the source of the function made of them, and the
 * script last compiled from it (kept, so that V8 keeps it in its compilation cache).
 */
const compiled = new Map();
const compileFunction = vm.compileFunction;
/** Set by the environment when jest collects V8's coverage (sharesCompiledScripts). */
let compileAnew = false;

/**
 * Whether scripts are shared under jest's `globalConfig`: not when jest collects coverage with V8's
 * own (`coverageProvider: 'v8'`), whose byte offsets jest maps as compileFunction's, without the
 * line this adds before each module.
 */
function sharesCompiledScripts(globalConfig) {
  return !(globalConfig?.collectCoverage && globalConfig.coverageProvider === 'v8');
}

function compileSharingScripts(code, params, options) {
  const file = options?.filename;
  if (compileAnew || typeof code !== 'string' || code.startsWith('#!') || !file || !options.parsingContext
    || options.cachedData || options.produceCachedData || options.contextExtensions?.length || options.lineOffset || options.columnOffset) {
    return compileFunction.call(this, code, params, options);
  }
  const parameters = params.join(', ');
  let entry = compiled.get(file);
  if (entry?.code !== code || entry.parameters !== parameters) {
    // The function compileFunction makes: the parameters, then the module's code as its body. The
    // code starts a line of its own, counted as line 1 (lineOffset), so that stack traces give
    // the lines and columns compileFunction gives.
    entry = { code, parameters, source: `(function (${parameters}) {\n${code}\n})`, script: undefined };
    compiled.set(file, entry);
  }
  entry.script = new vm.Script(entry.source, { filename: file, lineOffset: -1, importModuleDynamically: options.importModuleDynamically });
  return entry.script.runInContext(options.parsingContext);
}

if (vm.compileFunction.name !== 'compileSharingScripts') {
  vm.compileFunction = compileSharingScripts;
}

/**
 * The AsyncLocalStorage instances enabled in this worker (and not disabled here since). jest-circus
 * makes one per test file (its test execution context) and never disables it. On Node 20 and 22
 * node keeps every enabled instance in one list, which it walks for each promise (and other async
 * resource) made from then on, and which keeps the instance, and with it the test file's context,
 * alive: a worker's 45th test file paid for the 44 before it. A file's environment disables those
 * enabled between its setup and its teardown. One set per worker, kept on the wrapper itself, so a
 * second copy of this module (a test of it) shares it. Node 24 keeps the stores in the async
 * context frame instead and has no `_enable`: nothing to do there.
 */
function enabledStoragesOfWorker() {
  const { AsyncLocalStorage } = require('node:async_hooks');
  const enable = AsyncLocalStorage.prototype._enable;
  if (typeof enable !== 'function') return undefined;
  // Not `instanceof Set`: a copy of this module in a test file has a Set class of its own.
  if (enable.enabledInWorker) return enable.enabledInWorker;
  const enabledInWorker = new Set();
  AsyncLocalStorage.prototype._enable = Object.assign(function _enable() {
    if (!this.enabled) enabledInWorker.add(this);
    return enable.call(this);
  }, { enabledInWorker });
  return enabledInWorker;
}
const enabledStorages = enabledStoragesOfWorker();

/**
 * How a test support module asks for a module of test/support/ loaded once per worker, outside the
 * test files' contexts (test/support/worker-module.ts: ajv's compiled validators and the TypeScript
 * compiler then serve every test file of the worker). Only plain JavaScript files of test/support/;
 * what such a module returns belongs to the worker's context, which the asking module accounts for.
 */
const WORKER_MODULE = Symbol.for('platform-constructs.test.workerModule');
function workerModule(file) {
  if (typeof file !== 'string' || path.dirname(file) !== __dirname || !file.endsWith('.cjs')) {
    throw new Error(`workerModule: only a .cjs file of ${__dirname}, not ${file}`);
  }
  return require(file);
}

class NodeEnvironmentSharingCompiledCode extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    compileAnew = !sharesCompiledScripts(config.globalConfig);
  }

  async setup() {
    this.enabledBeforeSetup = new Set(enabledStorages ?? []);
    // PLATFORM_TEST_SHARING=off (as for test/support/runtime.cjs): each test file loads them itself.
    if (process.env.PLATFORM_TEST_SHARING !== 'off') this.global[WORKER_MODULE] = workerModule;
    return super.setup();
  }

  async teardown() {
    for (const storage of enabledStorages ?? []) {
      if (this.enabledBeforeSetup?.has(storage)) continue;
      storage.disable();
      enabledStorages.delete(storage);
    }
    return super.teardown();
  }
}

module.exports = NodeEnvironmentSharingCompiledCode;
module.exports.sharesCompiledScripts = sharesCompiledScripts;
