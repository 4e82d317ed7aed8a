/**
 * jest's node environment, with V8's code cache for the modules test files load (jest.config.js
 * `testEnvironment`). Every test file gets a fresh module registry, so each one compiled
 * cdk8s-plus-27 (2.5 MB of JavaScript), the generated imports/, zod and src/ again, and every
 * function it ran: about a fifth of the unit tests' CPU. jest compiles each module with
 * vm.compileFunction; this compiles the same function as a vm.Script instead (small modules
 * too: yaml, zod and src/ are many files of a few kB; caching them saved 3 s of 49 s of CPU),
 * and after each test file keeps V8's code for it, the functions the file ran included
 * (Script#createCachedData), to hand back when a later file of this worker compiles the same
 * source. V8 checks cached code against the source and its own version and flags, and compiles
 * normally when it does not fit; here the source must also be equal, character for character.
 * Only compilation is skipped: each test file still runs every module in its own context.
 * Removing this file from jest.config.js changes nothing but the time.
 */
'use strict';
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

/** By file name: the source, and V8's code for it after a test file ran it. */
const codeCache = new Map();
/** Scripts compiled without usable cached code during the current test file. */
const compiledNow = [];
const compileFunction = vm.compileFunction;

function compileWithCodeCache(code, params, options) {
  const file = options?.filename;
  if (typeof code !== 'string' || code.startsWith('#!') || !file || !options.parsingContext
    || options.cachedData || options.produceCachedData || options.contextExtensions?.length) {
    return compileFunction.call(this, code, params, options);
  }
  const cached = codeCache.get(file);
  const usable = cached?.code === code ? cached.data : undefined;
  // The same function compileFunction makes: the parameters, then the module's code as its body.
  const script = new vm.Script(`(function (${params.join(', ')}) {${code}\n})`, {
    filename: file,
    cachedData: usable,
    importModuleDynamically: options.importModuleDynamically,
  });
  if (!usable || script.cachedDataRejected) compiledNow.push({ file, code, script });
  return script.runInContext(options.parsingContext);
}

if (vm.compileFunction.name !== 'compileWithCodeCache') {
  vm.compileFunction = compileWithCodeCache;
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

class NodeEnvironmentWithCodeCache extends TestEnvironment {
  async setup() {
    this.enabledBeforeSetup = new Set(enabledStorages ?? []);
    return super.setup();
  }

  async teardown() {
    for (const { file, code, script } of compiledNow.splice(0)) codeCache.set(file, { code, data: script.createCachedData() });
    for (const storage of enabledStorages ?? []) {
      if (this.enabledBeforeSetup?.has(storage)) continue;
      storage.disable();
      enabledStorages.delete(storage);
    }
    return super.teardown();
  }
}

module.exports = NodeEnvironmentWithCodeCache;
