#!/usr/bin/env node
// `npm test [-- JEST_ARGS]`: the type check (scripts/typecheck.cjs) and the unit tests (jest, with
// JEST_ARGS) side by side instead of one after the other. With nothing changed the type check is
// 0.3 s that jest's own start covers; after an edit it is seconds of a core that the tests share.
// The type check's output is held back and printed after jest's, so the two never interleave
// (under --watch, as soon as it is there); `npm test` fails when either fails (the type check's
// exit code first).
'use strict';
const { spawn } = require('node:child_process');
const path = require('node:path');

const root = path.join(__dirname, '..');

/**
 * The environment of the type check and jest, and so of every process a test starts: this one's
 * without NODE_EXTRA_CA_CERTS. Node 20 reads and parses that bundle of certificates when it starts
 * (Node 22 and later when a TLS connection first needs it): 50 ms of CPU for each of the 60 node
 * processes of a run, on a machine that sets it for all. No unit test opens a TLS connection.
 */
function testEnvironment(env) {
  const tests = { ...env };
  delete tests.NODE_EXTRA_CA_CERTS;
  return tests;
}

/** Runs node with `args` in the project; resolves to its exit code (1 when killed by a signal) and its piped output. */
function run(args, stdio) {
  const child = spawn(process.execPath, args, { cwd: root, stdio, env: testEnvironment(process.env) });
  const output = [];
  if (child.stdout) child.stdout.on('data', (b) => output.push(b));
  if (child.stderr) child.stderr.on('data', (b) => output.push(b));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, output: Buffer.concat(output) }));
  });
}

async function main() {
  // tsc itself, with typecheck.cjs's arguments (one node start less than running that script).
  const typecheck = run(require('./typecheck.cjs').tscArgs(), ['ignore', 'pipe', 'pipe']);
  // Semi-spaces of up to 128 MB and a 512 MB old generation before the first full collection: fewer
  // collections in the workers, which inherit node's options (every test file leaves a context's
  // worth of garbage). Against 32 MB semi-spaces: 0.5 s less CPU over the suite in three
  // interleaved runs (2 s in band), for 0.8 GB instead of 0.7 GB at the largest process's peak.
  const jest = run(['--max-semi-space-size=128', '--initial-old-space-size=512', path.join(root, 'node_modules', 'jest', 'bin', 'jest.js'), ...process.argv.slice(2)], 'inherit');
  const report = (checked) => {
    if (checked.output.length) process.stdout.write(checked.output);
    if (checked.code !== 0) process.stderr.write(`type check failed (exit ${checked.code}): npm run typecheck\n`);
  };
  // Under --watch jest does not end: the type check's answer is printed as soon as it is there.
  const watching = process.argv.slice(2).some((a) => /^--watch(All)?(=|$)/.test(a));
  if (watching) typecheck.then(report);
  const [checked, tested] = await Promise.all([typecheck, jest]);
  if (!watching) report(checked);
  process.exitCode = checked.code || tested.code;
}

if (require.main === module) {
  main().catch((e) => {
    process.stderr.write(`${e.stack}\n`);
    process.exitCode = 2;
  });
}

module.exports = { testEnvironment, run };
