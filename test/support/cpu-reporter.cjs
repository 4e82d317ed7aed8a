/**
 * A jest reporter that prints the CPU seconds of each test file, the processes it started
 * included (kubectl, esbuild, the CLI as another user): with `--runInBand` every file runs in
 * this process, so the difference of /proc/self/stat (utime + stime + cutime + cstime) between
 * a file's start and its result is that file's. Linux only.
 *   npx jest [FILES] --runInBand --reporters=default --reporters=./test/support/cpu-reporter.cjs
 * (test files first: the option takes the arguments after it).
 * CPU seconds hardly depend on the load of the machine, unlike wall times.
 */
'use strict';
const fs = require('node:fs');

function cpuSeconds() {
  const fields = fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  // After "pid (comm) ": state is field 0, utime 11, stime 12, cutime 13, cstime 14 (clock ticks, 100 a second).
  return (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / 100;
}

class CpuReporter {
  constructor() {
    this.started = new Map();
    this.rows = [];
  }

  onTestFileStart(test) {
    this.started.set(test.path, { cpu: cpuSeconds(), wall: Date.now() });
  }

  onTestFileResult(test, result) {
    const start = this.started.get(test.path);
    if (!start) return;
    this.rows.push({
      file: test.path.slice(test.context.config.rootDir.length + 1),
      cpu: cpuSeconds() - start.cpu,
      wall: (Date.now() - start.wall) / 1000,
      tests: result.numPassingTests + result.numFailingTests + result.numPendingTests,
    });
  }

  onRunComplete() {
    this.rows.sort((a, b) => b.cpu - a.cpu);
    const total = this.rows.reduce((sum, r) => sum + r.cpu, 0);
    const lines = ['', `CPU seconds per test file (total ${total.toFixed(1)} s; this process ${cpuSeconds().toFixed(1)} s)`, '    cpu    wall  tests  file'];
    for (const r of this.rows) lines.push(`${r.cpu.toFixed(2).padStart(7)} ${r.wall.toFixed(1).padStart(7)} ${String(r.tests).padStart(6)}  ${r.file}`);
    process.stderr.write(`${lines.join('\n')}\n`);
  }
}

module.exports = CpuReporter;
