/**
 * Temporary directories that tests create and jest removes. `tempDir()` registers each
 * directory; test/support/temp-dirs-cleanup.ts (setupFilesAfterEnv) removes them after each
 * test file. The guard (test/support/temp-guard.ts) points TMPDIR at a directory of the run's
 * own and fails the run if anything is left in it, so a forgotten directory is caught too.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const created: string[] = [];

/** A new empty directory under os.tmpdir(), removed after the current test file. */
export function tempDir(prefix = 'test-'): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  created.push(dir);
  return dir;
}

/** Removes every directory tempDir() created so far. */
export function removeTempDirs(): void {
  for (const dir of created.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}
