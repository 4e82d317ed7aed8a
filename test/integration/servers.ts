/**
 * Running real servers for the integration tests: temporary directories, free ports,
 * commands as the server's own system user where the server refuses root, and the
 * Kubernetes $(VAR) expansion of a container's env, so tests start servers the way pods do.
 */
import { ChildProcess, execFileSync, spawn, SpawnOptions } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import type { k8s } from 'cdk8s-plus-27';

const isRoot = process.getuid?.() === 0;

/** The command prefix that runs as `user` (keeping the environment) when the tests run as root. */
export function asUser(user: string): string[] {
  return isRoot ? ['runuser', '--preserve-environment', '-u', user, '--'] : [];
}

/** A temporary directory the given system user owns (when running as root). */
export function tempDirFor(user: string, prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
  if (isRoot) {
    const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
    fs.chownSync(dir, uid, gid);
  }
  return dir;
}

/** Writes a file the given system user owns. */
export function writeFileFor(user: string, file: string, text: string, mode = 0o644): void {
  fs.writeFileSync(file, text, { mode });
  if (isRoot) {
    const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
    fs.chownSync(file, uid, gid);
  }
}

/**
 * Where scripts/integration/install-servers.sh caches the servers it installs from registries
 * (the same default as the script: $PLATFORM_SERVERS_CACHE, else $XDG_CACHE_HOME or ~/.cache).
 */
export function serversCache(): string {
  return process.env.PLATFORM_SERVERS_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'platform-servers');
}

/**
 * A directory tree that `user` can execute from: `dir` itself, or when the tests run as root (the
 * cache is under root's 0700 home) a copy in `under`, a directory `user` owns. Hard links where
 * the file system allows, so the copy costs nothing; the files stay root's and read-only to `user`.
 */
export function reachableBy(user: string, dir: string, under: string): string {
  if (!isRoot) return dir;
  const copy = path.join(under, path.basename(dir));
  if (tryRun(['cp', '-al', dir, copy]).status !== 0) {
    fs.rmSync(copy, { recursive: true, force: true });
    run(['cp', '-a', dir, copy]);
  }
  run([...asUser(user), 'test', '-x', copy]);
  return copy;
}

/** A TCP port nothing listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Runs a command to completion; returns stdout, throws with stderr on failure. */
export function run(argv: readonly string[], opts: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {}): string {
  try {
    return execFileSync(argv[0], argv.slice(1), {
      encoding: 'utf8', env: opts.env ?? process.env, input: opts.input, timeout: opts.timeoutMs ?? 60_000, stdio: ['pipe', 'pipe', 'pipe'],
      // Commands run as a server's user, who may not be able to enter the checkout (a 0700 temp clone in CI).
      cwd: '/',
    });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; status?: number; message: string };
    throw new Error(`${argv.join(' ')} failed (${err.status ?? err.message}):\n${err.stdout ?? ''}${err.stderr ?? ''}`);
  }
}

/** Runs a command; returns its exit status and output instead of throwing. */
export function tryRun(argv: readonly string[], opts: { env?: NodeJS.ProcessEnv } = {}): { status: number; output: string } {
  try {
    return { status: 0, output: run(argv, opts) };
  } catch (e) {
    return { status: 1, output: (e as Error).message };
  }
}

/** Starts a long-running server in its own process group; its output collects in `log`. */
export function startServer(argv: readonly string[], opts: SpawnOptions = {}): StartedServer {
  let log = '';
  const child = spawn(argv[0], argv.slice(1), { cwd: '/', ...opts, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (d) => { log += String(d); });
  child.stderr?.on('data', (d) => { log += String(d); });
  return { child, log: () => log };
}

/** Stops a server started by startServer: SIGTERM to its process group, SIGKILL after a grace period. */
export async function stopServer(child: ChildProcess | undefined, graceMs = 10_000): Promise<void> {
  if (!child?.pid || child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    return;
  }
  const timer = setTimeout(() => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ } }, graceMs);
  await exited;
  clearTimeout(timer);
}

/** A server started by startServer. */
export interface StartedServer {
  readonly child: ChildProcess;
  /** Its output so far. */
  log(): string;
}

/** Polls until `check` returns true; fails at the deadline, or at once when the server has exited. */
export async function waitFor(what: string, check: () => boolean, timeoutMs: number, server?: StartedServer): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const output = () => (server ? `\n${server.log()}` : '');
  while (Date.now() < deadline) {
    if (check()) return;
    if (server && server.child.exitCode !== null) throw new Error(`the server exited (${server.child.exitCode}) while waiting for ${what}${output()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${output()}`);
}

/** Secret values by Secret name and key, standing in for the cluster's Secrets. */
export type Secrets = Readonly<Record<string, Readonly<Record<string, string>>>>;

/**
 * A container's environment as the kubelet builds it: values and secretKeyRefs in order,
 * `$(NAME)` replaced by variables defined earlier in the list, `$$` an escaped `$`,
 * unknown references left as they are. fieldRefs come from `fields`; secretKeyRefs from `secrets`.
 */
export function expandContainerEnv(env: readonly k8s.EnvVar[], secrets: Secrets, fields: Readonly<Record<string, string>> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of env) {
    const from = v.valueFrom;
    if (from?.secretKeyRef) {
      // Secrets the test gives no value for stay undefined; references to them stay literal.
      const value = secrets[from.secretKeyRef.name ?? '']?.[from.secretKeyRef.key];
      if (value !== undefined) out[v.name] = value;
    } else if (from?.fieldRef) {
      out[v.name] = fields[from.fieldRef.fieldPath] ?? '';
    } else {
      out[v.name] = expand(v.value ?? '', out);
    }
  }
  return out;
}

/** Kubernetes' $(VAR) expansion of one string (container args, env values). */
export function expand(text: string, vars: Readonly<Record<string, string>>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, name?: string) => {
    if (m === '$$') return '$';
    return name !== undefined && name in vars ? (vars[name] as string) : m;
  });
}
