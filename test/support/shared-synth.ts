/**
 * The fixture's synthesized manifests, shared by the test files of one jest run: most test files
 * synthesize the unchanged fixture, and each did it again (about 0.2 s of CPU per file). The first
 * file that synthesizes an environment writes its manifests as JSON into the run's cache directory
 * (PLATFORM_TEST_CACHE_DIR, made and removed by test/support/temp-guard.ts); later files read them.
 * Only data that JSON gives back exactly is written. Without that variable (a run without the
 * guard) nothing is shared.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { isDeepStrictEqual } from 'util';
import type { ManifestFile } from '../../src/synth';

const CACHE_DIR = process.env.PLATFORM_TEST_CACHE_DIR;

function entry(...key: string[]): string | undefined {
  if (!CACHE_DIR) return undefined;
  return path.join(CACHE_DIR, `${createHash('sha256').update(key.join('\0')).digest('hex')}.json`);
}

function read<T>(file: string | undefined): T | undefined {
  if (!file) return undefined;
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** Writes whole or not at all (workers may write the same entry at once). */
function write(file: string | undefined, value: unknown): void {
  if (!file) return;
  const json = JSON.stringify(value);
  if (!isDeepStrictEqual(JSON.parse(json), value)) return;
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(temporary, json);
    fs.renameSync(temporary, file);
  } catch {
    fs.rmSync(temporary, { force: true });
  }
}

/** The manifests of `env` of spec `text` that a test file of this run synthesized, if any. */
export function sharedFiles(text: string, env: string): ManifestFile[] | undefined {
  return read(entry('files', text, env));
}

/** Shares the manifests of `env` of spec `text` with the later test files of this run. */
export function shareFiles(text: string, env: string, files: readonly ManifestFile[]): void {
  write(entry('files', text, env), files);
}

/** The environment names of spec `text`, if a test file of this run loaded it. */
export function sharedEnvironmentNames(text: string): string[] | undefined {
  return read(entry('environments', text));
}

/** Shares the environment names of spec `text`. */
export function shareEnvironmentNames(text: string, names: readonly string[]): void {
  write(entry('environments', text), names);
}
