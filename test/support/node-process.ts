/** Starting node in a child process without blocking the test's worker (tests run concurrently). */
import { spawn } from 'child_process';

/** What a node process printed, and how it ended. */
export interface NodeRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs node with `args` in `cwd`, `env` added to this process's; resolves to its exit status and output. */
export function runNode(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<NodeRun> {
  const child = spawn(process.execPath, args, { cwd, env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (t: string) => { stdout += t; });
  child.stderr.setEncoding('utf8').on('data', (t: string) => { stderr += t; });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** The launcher's race margin, and the file system's clock as the result cache reads it. */
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { RACY_MS } = require('../../tools/launch.cjs') as { RACY_MS: number };
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { fileSystemNow } = require('../../tools/result-cache.cjs') as { fileSystemNow(dir: string): number };

/**
 * Waits until files written in `dir` before the call are past the launcher's race margin for a
 * launcher started afterwards: the margin and 50 ms, more when the file system's clock runs ahead
 * of this machine's (a mount with a clock of its own). A timer never fires early; file times from
 * the kernel's coarse clock lag, if anything.
 */
export function pastLauncherRaceMargin(dir: string): Promise<void> {
  const ahead = Math.max(0, fileSystemNow(dir) - Date.now());
  return new Promise((resolve) => setTimeout(resolve, RACY_MS + 50 + Math.ceil(ahead)));
}
