/** Starting node in a child process without blocking the test's worker (tests run concurrently). */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

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

/** The launcher's race margin (tools/launch.cjs RACY_MS): inputs changed this close before its start make a racy build. */
const LAUNCHER_RACY_MS = 100;

/**
 * Waits until files written in `dir` before the call are past the launcher's race margin for a
 * launcher started afterwards: the margin and 50 ms, more when the file system's clock runs ahead
 * of this machine's (a mount with a clock of its own), as a probe file's time tells. A timer never
 * fires early; file times from the kernel's coarse clock lag, if anything.
 */
export function pastLauncherRaceMargin(dir: string): Promise<void> {
  const probe = path.join(dir, `.clock-probe.${process.pid}.${Math.random().toString(36).slice(2)}`);
  fs.writeFileSync(probe, '');
  const ahead = Math.max(0, fs.lstatSync(probe).ctimeMs - Date.now());
  fs.rmSync(probe);
  return new Promise((resolve) => setTimeout(resolve, LAUNCHER_RACY_MS + 50 + Math.ceil(ahead)));
}
