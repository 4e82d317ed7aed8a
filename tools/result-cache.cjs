'use strict';
/**
 * The launcher's result cache: a command run again with nothing changed prints what it printed
 * last time and does nothing else, as `make` and `tsc -b` do. `npm run synth` with nothing changed
 * then costs the launcher's checks (about 0.1 s), not a synth (about 0.25 s).
 *
 * An entry opts in by calling, right after it wrote its output in a run that then succeeds, the
 * function the launcher puts at `globalThis[Symbol.for('platform-constructs.launch.result')]`
 * with what its result depends on:
 * - `inputs`: the files it read (the spec, the files the spec names), as it named them: size,
 *   mtime, ctime, inode and mode, links followed, and the real path (a link pointed elsewhere, or
 *   a file now reached through a directory outside the files root, is a change); with
 *   `inputsAsRead`, what each was when read ({ size, mtimeMs, ctimeMs, ino } of the open file):
 *   a file changed since is not recorded, whatever the clocks say;
 * - `inputDirs`: directories whose real path counts (the files root, given as a link);
 * - `outputs`: directories it wrote: every entry below them and the directories themselves,
 *   listed and stamped, links not followed (an output edited, added, removed, renamed or
 *   chmodded is a change); with `outputsMade`, the inode each had when the run made it (one
 *   another process put there since is not the run's);
 * - `listed`: directories whose entries count by name only, and whose own real path, inode,
 *   mode and ctime count (the output directory: a leftover staging directory is a change, a .git in it is
 *   not walked);
 * - `replay`: what to print on stdout when the run is skipped.
 * The record also holds the run's key: node's version, the user and umask, the working directory,
 * the arguments, every PLATFORM_* and CDK8S_* variable, and the identity of the bundles (rebuilt
 * on every change of the code, the packages, the launcher or this file). One record per entry and
 * working directory: the last successful run's (alternating two commands, each misses).
 *
 * Not recorded: a failed run (exit code not 0); a run that read an input other than it is now, or
 * whose output directory is not the one it made; a run whose inputs or outputs changed again by its
 * exit, or are gone; a run whose inputs changed less than the race margin before it started (by the
 * clock of the cache's file system: an edit in the same tick of that clock as the read keeps size
 * and times).
 * PLATFORM_RESULT_CACHE=off neither uses nor writes records.
 */
const fs = require('fs');
const path = require('path');

/** What an entry calls to have its run recorded (see above). */
const RESULT_HOOK = Symbol.for('platform-constructs.launch.result');
/** Changes to the record's layout make older records unreadable, not wrong. */
const FORMAT = 3;
const IF_PRESENT = { throwIfNoEntry: false };

/** Whether records are used and written (PLATFORM_RESULT_CACHE=off: not). */
function resultCacheEnabled(env = process.env) {
  return env.PLATFORM_RESULT_CACHE !== 'off';
}

/** [size, mtimeMs, ctimeMs, ino, mode] of `s`. */
const stampOfStat = (s) => [s.size, s.mtimeMs, s.ctimeMs, s.ino, s.mode];

/** The names in `dir`, sorted (by code unit: the same on every machine). */
const namesIn = (dir) => fs.readdirSync(dir).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

/**
 * Every entry below `dir` and `dir` itself, links not followed, in a fixed order: [path, stamp...,
 * names...] of each directory, [path, ...stamp] of every other entry. Throws when `dir` cannot be read.
 */
function treeOf(dir, out = []) {
  const entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  out.push([dir, ...stampOfStat(fs.lstatSync(dir)), ...entries.map((e) => e.name)]);
  for (const e of entries) {
    const at = path.join(dir, e.name);
    if (e.isDirectory()) treeOf(at, out);
    else out.push([at, ...stampOfStat(fs.lstatSync(at))]);
  }
  return out;
}

/**
 * What a run's result depends on, as it is now (see the file comment): each input's stamp (links
 * followed) and real path, each input directory's real path, and each output tree. Undefined when
 * an input or an output directory is gone: no record holds then (the run would report it).
 */
function snapshot(paths) {
  try {
    return {
      inputs: paths.inputs.map((f) => [f, ...stampOfStat(fs.statSync(f)), fs.realpathSync.native(f)]),
      inputDirs: paths.inputDirs.map((d) => [d, fs.realpathSync.native(d)]),
      trees: paths.outputs.map((d) => treeOf(d)),
      listed: paths.listed.map((d) => {
        const s = fs.statSync(d);
        // ctime too: an owner, ACL or flag changed on it changes only that (what lies below does not).
        return [d, fs.realpathSync.native(d), s.ino, s.mode, s.ctimeMs, ...namesIn(d)];
      }),
    };
  } catch {
    return undefined;
  }
}

/** A path made absolute from the working directory as it stands (`..` after a link included, as the system resolves it). */
const absolute = (p) => (path.isAbsolute(p) ? p : `${process.cwd()}${path.sep}${p}`);

/** The paths a request names, absolute. */
function pathsOf(request) {
  return { inputs: request.inputs.map(absolute), inputDirs: request.inputDirs.map(absolute), outputs: request.outputs.map(absolute), listed: (request.listed ?? []).map(absolute) };
}

/** The file of the record of `entryName` run in `cwd`. */
function recordFile(cacheDir, entryName, cwd) {
  const hash = require('crypto').createHash('sha256').update(cwd).digest('hex').slice(0, 12);
  return path.join(cacheDir, `${entryName}.${hash}.result.json`);
}

/**
 * The key a record must match: node, the user and umask (they decide who may write the output and
 * the modes it gets), the working directory, the arguments, the variables that count, the bundles.
 */
function runKey(args, bundleIds, env = process.env) {
  const vars = Object.keys(env).filter((k) => /^(PLATFORM|CDK8S)_/.test(k) && k !== 'PLATFORM_LAUNCH_TRACE').sort().map((k) => [k, env[k]]);
  return JSON.stringify([FORMAT, process.version, process.getuid?.() ?? null, process.umask(), process.cwd(), args, vars, bundleIds]);
}

/**
 * "Now" by the clock of the file system that holds `dir` (the ctime of a file made there), which
 * is what file times are compared with: a network or VM mount's clock may differ from this machine's.
 */
function fileSystemNow(dir) {
  const probe = path.join(dir, `.clock.${process.pid}`);
  fs.writeFileSync(probe, '');
  try {
    return fs.lstatSync(probe).ctimeMs;
  } finally {
    fs.rmSync(probe, { force: true });
  }
}

/**
 * The recorded run's stdout when `key` is the record's and everything it depends on is as it was;
 * else undefined. A record of this key that no longer holds is removed (it never will again:
 * ctimes only grow); one of another key stays until a successful run replaces it.
 */
function replayIfCurrent(file, key) {
  let record;
  try {
    record = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined; // none yet, or unreadable
  }
  if (record.key !== key) return undefined;
  const now = snapshot(record.paths);
  if (now && JSON.stringify(now) === JSON.stringify(record.snapshot)) return record.replay;
  fs.rmSync(file, { force: true });
  return undefined;
}

/**
 * What the launcher takes when the entry asks for its run to be recorded: the paths it names and
 * what they are at that moment (the entry asks right after writing its output).
 */
function takeRequest(request) {
  const paths = pathsOf(request);
  const now = snapshot(paths);
  // An input changed since it was read (or was not read): its stamp now against its fstat then.
  const asRead = request.inputsAsRead;
  const sameAsRead = (i) => {
    const [, size, mtimeMs, ctimeMs, ino] = now?.inputs[i] ?? [];
    const read = asRead[i];
    return !!read && read.size === size && read.mtimeMs === mtimeMs && read.ctimeMs === ctimeMs && read.ino === ino;
  };
  const changedSinceRead = asRead !== undefined && paths.inputs.some((_, i) => !sameAsRead(i));
  // An output directory that is not the one the run made: each tree starts with [dir, size, mtimeMs, ctimeMs, ino, ...].
  const made = new Map(Object.entries(request.outputsMade ?? {}).map(([dir, ino]) => [absolute(dir), ino]));
  const notMade = now !== undefined && now.trees.some(([[dir, , , , ino]]) => made.has(dir) && made.get(dir) !== ino);
  return { paths, snapshot: changedSinceRead || notMade ? undefined : now, replay: String(request.replay) };
}

/**
 * Writes the record of a successful run that asked for one (`taken`, see takeRequest) and removes
 * the records of working directories that are gone. Writes nothing when an input or output is gone
 * or changed since the entry asked (another process wrote the output meanwhile), or an input
 * changed from `racyMs` before `started` (fileSystemNow at the start) on: the run may have read
 * either version. Returns whether it wrote.
 */
function writeRecord(file, key, taken, started, racyMs, writeAtomically) {
  if (!taken.snapshot || JSON.stringify(snapshot(taken.paths)) !== JSON.stringify(taken.snapshot)) return false;
  // [path, size, mtimeMs, ctimeMs, ...]
  if (taken.snapshot.inputs.some((stamp) => Math.max(stamp[2], stamp[3]) >= started - racyMs)) return false;
  writeAtomically(file, `${JSON.stringify({ cwd: process.cwd(), key, paths: taken.paths, snapshot: taken.snapshot, replay: taken.replay })}\n`);
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

module.exports = { RESULT_HOOK, resultCacheEnabled, recordFile, runKey, fileSystemNow, replayIfCurrent, takeRequest, writeRecord };
