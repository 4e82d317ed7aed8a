/**
 * Helpers for the cluster simulation (`npm run test:cluster`, scripts/cluster/run.sh): kubectl,
 * polling that reports what it saw, the test's own spec and its synthesis with the real CLI.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments, parseDocument } from 'yaml';

/** Set by scripts/cluster/run.sh; absent when jest runs this directory by itself. */
export const SIM_WORK = process.env.SIM_WORK ?? '';
export const REPO = process.env.SIM_REPO ?? path.join(__dirname, '..', '..');
const KUBECTL = process.env.SIM_KUBECTL ?? 'kubectl';
const ARGO_PLUGIN = process.env.SIM_ARGO_PLUGIN ?? 'kubectl-argo-rollouts';
export const PROMETHEUS = process.env.SIM_PROMETHEUS ?? '';

/** A Kubernetes object as read from YAML or the API. */
export interface KObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; generation?: number; [k: string]: unknown };
  spec?: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- test-only access to arbitrary fields
  status?: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  data?: Record<string, string>;
  [k: string]: unknown;
}

export interface Run { code: number; stdout: string; stderr: string }

/** Runs kubectl (the pinned build) against the simulated cluster. */
export function kubectl(args: readonly string[], input?: string): Run {
  const r = spawnSync(KUBECTL, ['--cache-dir', path.join(SIM_WORK, 'kube-cache'), ...args], { input, encoding: 'utf8', maxBuffer: 64 << 20 });
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** kubectl that must succeed; throws with its output otherwise. */
export function kubectlOk(args: readonly string[], input?: string): string {
  const r = kubectl(args, input);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/**
 * Runs a command line as a user types it in a shell (what `npm run diff` prints under "how:"),
 * with the pinned kubectl as `kubectl` and the Argo Rollouts plugin as `kubectl argo rollouts`.
 */
export function shell(command: string): Run {
  const bin = path.join(SIM_WORK, 'shell-bin');
  if (!fs.existsSync(bin)) {
    fs.mkdirSync(bin, { recursive: true });
    fs.symlinkSync(path.resolve(KUBECTL), path.join(bin, 'kubectl'));
    fs.symlinkSync(path.resolve(ARGO_PLUGIN), path.join(bin, 'kubectl-argo-rollouts'));
  }
  const r = spawnSync('bash', ['-c', command], { encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH}` }, timeout: 180_000 });
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** The Argo Rollouts kubectl plugin. */
export function argo(args: readonly string[]): Run {
  const r = spawnSync(ARGO_PLUGIN, args, { encoding: 'utf8', env: process.env });
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

export function getJson<T = KObject>(args: readonly string[]): T {
  return JSON.parse(kubectlOk(['get', ...args, '-o', 'json'])) as T;
}

export function list(kind: string, namespace?: string, selector?: string): KObject[] {
  const args = [kind, ...(namespace ? ['-n', namespace] : ['-A']), ...(selector ? ['-l', selector] : [])];
  return getJson<{ items: KObject[] }>(args).items;
}

export function tryGet(kind: string, name: string, namespace: string): KObject | undefined {
  const r = kubectl(['get', kind, name, '-n', namespace, '-o', 'json']);
  return r.code === 0 ? (JSON.parse(r.stdout) as KObject) : undefined;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `check` until it returns true. On timeout the error carries `describe()`: what the
 * cluster looked like, never just "timeout".
 */
export async function waitFor(what: string, check: () => boolean, describe: () => string, timeoutMs: number, everyMs = 1000): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    let ok = false;
    try {
      ok = check();
    } catch {
      ok = false;
    }
    if (ok) return Date.now() - t0;
    if (Date.now() - t0 > timeoutMs) {
      let seen: string;
      try {
        seen = describe();
      } catch (e) {
        seen = `(could not describe: ${String(e)})`;
      }
      throw new Error(`${what}: not reached after ${Math.round(timeoutMs / 1000)}s. Observed:\n${seen}`);
    }
    await sleep(everyMs);
  }
}

/** Recent events of a namespace (optionally about one object), one line each. */
export function events(namespace: string, name?: string, last = 25): string {
  const items = list('events', namespace).filter((e) => !name || (e.involvedObject as { name?: string })?.name === name);
  items.sort((a, b) => String(a.lastTimestamp ?? a.eventTime ?? '').localeCompare(String(b.lastTimestamp ?? b.eventTime ?? '')));
  return items.slice(-last).map((e) => {
    const io = e.involvedObject as { kind: string; name: string };
    return `  ${String(e.lastTimestamp ?? e.eventTime ?? '')} ${io.kind}/${io.name} ${String(e.reason)}: ${String(e.message ?? '').slice(0, 200)}`;
  }).join('\n');
}

/** Conditions of an object, `Type=Status (Reason)` each. */
export function conditions(o: KObject | undefined): string {
  const cs = (o?.status?.conditions ?? []) as Array<{ type: string; status: string; reason?: string; message?: string }>;
  return cs.map((c) => `${c.type}=${c.status}${c.reason ? ` (${c.reason})` : ''}`).join(', ');
}

/** All objects in the YAML files of one generated environment directory. */
export function objectsIn(dir: string): KObject[] {
  return fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()
    .flatMap((f) => parseAllDocuments(fs.readFileSync(path.join(dir, f), 'utf8')).map((d) => d.toJS() as KObject).filter(Boolean));
}

/** Writes a copy of the test fixture spec (+ sql/) with `edit` applied to its YAML document. */
export function writeSpec(dir: string, edit: (doc: ReturnType<typeof parseDocument>) => void): string {
  const fixture = path.join(REPO, 'test', 'fixtures', 'platform');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.cpSync(fixture, dir, { recursive: true });
  const file = path.join(dir, 'platform.yaml');
  const doc = parseDocument(fs.readFileSync(file, 'utf8'));
  edit(doc);
  fs.writeFileSync(file, doc.toString());
  return file;
}

/** Synthesizes a spec with the real CLI (`npm run synth`'s launcher and entry) into `out`. */
export function synthCli(specFile: string, out: string): void {
  fs.rmSync(out, { recursive: true, force: true });
  const r = spawnSync(process.execPath, [path.join(REPO, 'tools', 'launch.cjs'), 'bin/synth.ts', '--config', specFile, '--out', out], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`synth of ${specFile} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
}

/** Controls the fake Prometheus: success rate per destination_service_name (null: no traffic). */
export async function setRates(rates: Record<string, number | null>): Promise<void> {
  const r = await fetch(`${PROMETHEUS}/sim/rates`, { method: 'PUT', body: JSON.stringify(rates) });
  if (!r.ok) throw new Error(`fake prometheus: ${r.status}`);
}

export async function promQueries(): Promise<Array<{ at: string; service: string | null; query: string; answer: unknown }>> {
  return (await (await fetch(`${PROMETHEUS}/sim/queries`)).json()) as Array<{ at: string; service: string | null; query: string; answer: unknown }>;
}

/** Pods of a namespace per zone, e.g. "order-service: zone-a=4 zone-b=3 zone-c=3". */
export function podsPerZone(namespace: string): Map<string, Map<string, number>> {
  const zoneOf = new Map(list('nodes').map((n) => [n.metadata.name, n.metadata.labels?.['topology.kubernetes.io/zone'] ?? '?']));
  const out = new Map<string, Map<string, number>>();
  for (const p of list('pods', namespace)) {
    if (p.metadata.deletionTimestamp) continue;
    const app = p.metadata.labels?.['app.kubernetes.io/name'] ?? p.metadata.name;
    const zone = p.spec?.nodeName ? zoneOf.get(p.spec.nodeName) ?? '?' : 'unscheduled';
    const m = out.get(app) ?? new Map<string, number>();
    m.set(zone, (m.get(zone) ?? 0) + 1);
    out.set(app, m);
  }
  return out;
}

/** Registers a process the test started, so run.sh stops it (by PID) even if the test crashes. */
export function registerPid(name: string, pid: number): void {
  fs.writeFileSync(path.join(SIM_WORK, 'pids', name), String(pid));
}

/** The log line of the test: everything observed goes to stdout, visible in CI. */
export function say(...lines: string[]): void {
  process.stdout.write(lines.map((l) => `[cluster] ${l}\n`).join(''));
}
