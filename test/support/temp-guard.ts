/**
 * Jest globalSetup and globalTeardown: the run gets a temporary directory of its own (TMPDIR,
 * which os.tmpdir() and the workers inherit), and a run that leaves anything in it fails,
 * naming what was left. The directory is removed either way, so /tmp stays clean.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const RUN_DIR = 'PLATFORM_TEST_TMPDIR';
const ORIGINAL = 'PLATFORM_TEST_ORIGINAL_TMPDIR';
const CACHE_DIR = 'PLATFORM_TEST_CACHE_DIR';

export async function setup(): Promise<void> {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'platform-constructs-jest-')));
  // Traversable, not listable, by others: tests that run the CLI as an unprivileged user
  // (test/hostile/) reach their own directories below it, as they would under /tmp.
  fs.chmodSync(dir, 0o711);
  process.env[ORIGINAL] = process.env.TMPDIR ?? '';
  process.env[RUN_DIR] = dir;
  // What test files of this run share (test/support/shared-synth.ts): beside the guarded directory, not in it.
  process.env[CACHE_DIR] = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'platform-constructs-jest-cache-')));
  process.env.TMPDIR = dir;
}

export async function teardown(): Promise<void> {
  const dir = process.env[RUN_DIR];
  if (!dir) return;
  const original = process.env[ORIGINAL];
  if (original) process.env.TMPDIR = original;
  else delete process.env.TMPDIR;
  delete process.env[RUN_DIR];
  delete process.env[ORIGINAL];
  const cache = process.env[CACHE_DIR];
  delete process.env[CACHE_DIR];
  if (cache) fs.rmSync(cache, { recursive: true, force: true });
  const left = fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
  fs.rmSync(dir, { recursive: true, force: true });
  if (left.length) {
    throw new Error(`tests left ${left.length} temporary entr${left.length === 1 ? 'y' : 'ies'} (${left.join(', ')}); create them with tempDir() from test/support/temp-dirs.ts, which removes them`);
  }
}
