'use strict';
/**
 * V8's tiering tuned for a command that is over in a second or two (PLATFORM_V8_TUNING=off:
 * V8's defaults). V8 hands a function to its optimizing compilers once it has run a while; most
 * of what a synth runs, it runs a few hundred times, and the compile (on threads of its own, which
 * a busy machine does not have to spare) costs more than the optimized code saves before the
 * synth ends. Sixteen times V8's threshold leaves to them only what runs long: measured
 * (docs/performance.md), 17% less CPU for the reference synth on Node 20 (7% on Node 24, where
 * V8 12+ counts invocations instead of bytecode budget); at 1000 services it saved 13% on a loaded
 * machine but costs 5-10% on an idle one.
 * Shared by the launcher and the unit tests' environment (test/support/node-environment.cjs).
 */
const V8_FLAGS = process.env.PLATFORM_V8_TUNING === 'off' ? ''
  : Number(process.versions.v8.split('.')[0]) < 12 ? '--interrupt-budget=1081344'
    : '--invocation-count-for-maglev=6400 --invocation-count-for-turbofan=48000';

/** Sets the flags in this process (before anything is compiled) and returns them ('' when off). */
function applyV8Tuning() {
  if (V8_FLAGS) require('node:v8').setFlagsFromString(V8_FLAGS);
  return V8_FLAGS;
}

module.exports = { V8_FLAGS, applyV8Tuning };
