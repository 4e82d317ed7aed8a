'use strict';
/**
 * The launcher's result cache: a command run again with nothing changed prints what it printed
 * last time and does nothing else, as `make` and `tsc -b` do. `npm run synth` with nothing changed
 * then costs the launcher's checks (about 0.1 s), not a synth (about 0.25 s).
 *
 * An entry opts in by calling, during a run that succeeds, the function the launcher puts at
 * `globalThis[Symbol.for('platform-constructs.launch.result')]` with what its result depends on:
 * - `inputs`: the files it read (the spec, the files the spec names), as named: size, mtime,
 *   ctime and inode, links followed, so that a link pointed elsewhere counts as a change;
 * - `inputDirs`: directories whose identity counts (a files root given as a link): inode only;
 * - `outputs`: directories it wrote: every entry below them, listed and stamped (not followed),
 *   so that an edited, added, removed or renamed output file counts as a change;
 * - `replay`: what to print on stdout when the run is skipped.
 * The record also holds the run's key: node's version, the working directory, the arguments,
 * every PLATFORM_* and CDK8S_* variable, and the identity of the bundles (rebuilt on every change
 * of the code or the packages). One record per entry and working directory: the last successful
 * run's (alternating two commands, each misses).
 *
 * Not recorded: a failed run (exit code not 0), and a run whose inputs changed less than the race
 * margin before it started or while it ran.
 * PLATFORM_RESULT_CACHE=off neither uses nor writes records.
 */
const fs = require('fs');
const path = require('path');

/** What an entry calls to have its run recorded (see above). */
const RESULT_HOOK = Symbol.for('platform-constructs.launch.result');
/** Changes to the record's layout make older records unreadable, not wrong. */
const FORMAT = 1;
const IF_PRESENT = { throwIfNoEntry: false };

/** Whether records are used and written (PLATFORM_RESULT_CACHE=off: not). */
function resultCacheEnabled(env = process.env) {
  return env.PLATFORM_RESULT_CACHE !== 'off';
}

/** [file, size, mtimeMs, ctimeMs, ino] of what is at `file` (links followed unless `noFollow`), or [file] when nothing is. */
function stampOf(file, noFollow = false) {
  const s = noFollow ? fs.lstatSync(file, IF_PRESENT) : fs.statSync(file, IF_PRESENT);
  return s ? [file, s.size, s.mtimeMs, s.ctimeMs, s.ino] : [file];
}

function sameStamp(a, b) {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * The stamps of `dir` and of everything below it, links not followed: [dir, names...] for each
 * directory (sorted), stampOf for each other entry. Throws when `dir` cannot be read.
 */
function treeOf(dir, dirs = [], files = []) {
  const entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  dirs.push([dir, ...entries.map((e) => e.name)]);
  for (const e of entries) {
    const at = path.join(dir, e.name);
    if (e.isDirectory()) treeOf(at, dirs, files);
    else files.push(stampOf(at, true));
  }
  return { dirs, files };
}

/** The file of the record of `entryName` run in `cwd`. */
function recordFile(cacheDir, entryName, cwd) {
  const hash = require('crypto').createHash('sha256').update(cwd).digest('hex').slice(0, 12);
  return path.join(cacheDir, `${entryName}.${hash}.result.json`);
}

/** The key a record must match: node, the working directory, the arguments, the variables that count, the bundles. */
function runKey(args, bundleIds, env = process.env) {
  const vars = Object.keys(env).filter((k) => /^(PLATFORM|CDK8S)_/.test(k) && k !== 'PLATFORM_LAUNCH_TRACE').sort().map((k) => [k, env[k]]);
  return JSON.stringify([FORMAT, process.version, process.cwd(), args, vars, bundleIds]);
}

/**
 * The recorded run's stdout when `key` is the record's and every file and directory it names is as
 * it was; else undefined. A record of this key that no longer holds is removed (it never will
 * again: ctimes only grow); one of another key stays until a successful run replaces it.
 */
function replayIfCurrent(file, key) {
  let record;
  try {
    record = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined; // none yet, or unreadable
  }
  if (record.key !== key) return undefined;
  const current = record.inputs.every((stamp) => sameStamp(stampOf(stamp[0]), stamp))
    && record.inputDirs.every(([dir, ino]) => fs.statSync(dir, IF_PRESENT)?.ino === ino)
    && record.trees.every((recorded) => {
      let now;
      try {
        now = treeOf(recorded.dir);
      } catch {
        return false; // the output directory is gone
      }
      return sameStamps(now.dirs, recorded.dirs) && sameStamps(now.files, recorded.files);
    });
  if (current) return record.replay;
  fs.rmSync(file, { force: true });
  return undefined;
}

function sameStamps(now, recorded) {
  return now.length === recorded.length && now.every((stamp, i) => sameStamp(stamp, recorded[i]));
}

/**
 * Writes the record of a successful run that asked for one (`request`, see above) and removes the
 * records of working directories that are gone. `started` is when the run started (Date.now()),
 * `racyMs` the margin of the file system's coarse clock: nothing is written when an input changed
 * from `racyMs` before the start on (the run may have read either version). Returns whether it wrote.
 */
function writeRecord(file, key, request, started, racyMs, writeAtomically) {
  const inputs = request.inputs.map((f) => stampOf(path.resolve(f)));
  if (inputs.some((stamp) => stamp.length > 1 && Math.max(stamp[2], stamp[3]) >= started - racyMs)) return false;
  const inputDirs = request.inputDirs.map((d) => [path.resolve(d), fs.statSync(path.resolve(d)).ino]);
  const trees = request.outputs.map((d) => ({ dir: path.resolve(d), ...treeOf(path.resolve(d)) }));
  writeAtomically(file, `${JSON.stringify({ cwd: process.cwd(), key, inputs, inputDirs, trees, replay: String(request.replay) })}\n`);
  pruneRecords(file);
  return true;
}

/** Removes the records beside `kept` (of any entry) whose working directory no longer exists. */
function pruneRecords(kept) {
  const dir = path.dirname(kept);
  for (const name of fs.readdirSync(dir)) {
    const file = path.join(dir, name);
    if (!name.endsWith('.result.json') || file === kept) continue;
    try {
      if (!fs.existsSync(JSON.parse(fs.readFileSync(file, 'utf8')).cwd)) fs.rmSync(file, { force: true });
    } catch {
      fs.rmSync(file, { force: true }); // unreadable: of no use
    }
  }
}

module.exports = { RESULT_HOOK, resultCacheEnabled, recordFile, runKey, replayIfCurrent, writeRecord };
