/**
 * The platform's behaviour on a simulated cluster: real kube-apiserver, kube-controller-manager,
 * kube-scheduler (1.27.16), KWOK nodes and pods, the Argo Rollouts controller, the Envoy rate limit
 * service and the OpenTelemetry Collector. Run by `npm run test:cluster` (scripts/cluster/run.sh),
 * which starts and stops the processes; docs/cluster-simulation.md says what this proves and what not.
 *
 * The tests run in order and share the cluster: Converge, Idempotent, Upgrade (dev), Canary and
 * Blue-green (prod), Rate limits, Telemetry, GitOps (prod synced the Argo CD way during a canary),
 * Day 2 with kubectl apply -f (staging: what the plan says apply leaves, and its steps).
 * Each prints what it observed.
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { applicationSync, buildKustomization, type ArgoCdSyncStep } from '../../src/gitops';
import type { Manifest } from '../../src/synth';
import { freePort } from '../integration/servers';
import {
  argo, REPO, conditions, events, getJson, KObject, kubectl, kubectlOk, list, objectsIn, podsPerZone, promQueries,
  registerPid, say, setRates, shell, SIM_WORK, sleep, synthCli, tryGet, waitFor, writeSpec,
} from './sim';

const ENVS = ['dev', 'staging', 'prod'];
const NS = (env: string) => `shop-${env}`;
const SPEC_DIR = path.join(SIM_WORK, 'spec');
const DIST = path.join(SIM_WORK, 'dist');
const d = SIM_WORK ? describe : describe.skip;

/**
 * The timing overlay: prod's canary pauses, analysis interval and count and blue-green scale-down
 * delay shortened through the spec (the spec checks still apply: count × interval covers the pauses,
 * and they last an interval past the analysis's verdict on a failing canary: 3 × 5s + 5s = 20s).
 */
const PAUSE = '5s';
const LAST_PAUSE = '10s';
const ANALYSIS = { interval: '5s', count: 4, failureLimit: 2 };
const SCALE_DOWN_DELAY = 10;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Doc = any;
function timingOverlay(doc: Doc): void {
  doc.setIn(['environments', 'prod', 'platform', 'analysis'], doc.createNode(ANALYSIS));
  doc.setIn(['environments', 'prod', 'services', 'order-service', 'delivery'], doc.createNode({
    strategy: 'canary',
    canary: {
      steps: [{ setWeight: 10 }, { pause: { duration: PAUSE } }, { setWeight: 20 }, { pause: { duration: PAUSE } }, { setWeight: 50 }, { pause: { duration: LAST_PAUSE } }, { setWeight: 100 }],
      analysis: ['success-rate'], trafficRouting: 'istio',
    },
  }));
  doc.setIn(['environments', 'prod', 'services', 'user-service', 'delivery'], doc.createNode({
    strategy: 'blueGreen',
    blueGreen: { autoPromotionEnabled: false, scaleDownDelaySeconds: SCALE_DOWN_DELAY, prePromotionAnalysis: ['success-rate'] },
  }));
}

/**
 * Changes the scenarios made to the spec so far, applied in order: each new variant builds on what
 * was last applied, as a user's next change would (re-applying an older image would start a rollout).
 */
const changes: Array<(doc: Doc) => void> = [];

/** Synthesizes the test spec (fixture + timing overlay + every change so far + `edit`) into DIST/<tag>. */
function synthVariant(tag: string, edit?: (doc: Doc) => void, keep = true): string {
  if (edit && keep) changes.push(edit);
  const file = writeSpec(path.join(SPEC_DIR, tag), (doc) => { timingOverlay(doc); changes.forEach((c) => c(doc)); if (edit && !keep) edit(doc); });
  const out = path.join(DIST, tag);
  synthCli(file, out);
  return out;
}

/** `kubectl apply -f dir/` as the README says; returns the output lines. Throws on any rejection. */
function applyDir(dir: string): string[] {
  const r = kubectl(['apply', '-f', `${dir}/`]);
  const lines = (r.stdout + r.stderr).split('\n').filter(Boolean);
  if (r.code !== 0 || lines.some((l) => l.startsWith('Warning:'))) {
    throw new Error(`kubectl apply -f ${dir}/ exited ${r.code}:\n${lines.filter((l) => !/ (unchanged|configured|created)$/.test(l)).join('\n')}`);
  }
  return lines;
}

// ---- prerequisites a cluster has before the platform (never by editing the output) ----------------

/**
 * Namespaces the output writes into but does not create: the ingress gateway's (istio-system, or
 * istio-ingress for the reference's dev and staging), which an Istio or gateway install creates.
 */
function createForeignNamespaces(objects: KObject[]): string[] {
  const own = new Set(objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name));
  const used = [...new Set(objects.map((o) => o.metadata.namespace).filter((ns): ns is string => !!ns && !own.has(ns)))].sort();
  const made: string[] = [];
  for (const ns of used) {
    if (kubectl(['get', 'namespace', ns]).code === 0) continue;
    kubectlOk(['create', 'namespace', ns]);
    made.push(ns);
  }
  return made;
}

/** Secrets the output references (secretKeyRef, and the gateway's TLS credentialName), with dummy values. */
function createSecrets(objects: KObject[]): string[] {
  const wanted = new Map<string, Set<string>>(); // ns/name -> keys
  const add = (ns: string, name: string, key: string) => {
    const k = `${ns}/${name}`;
    wanted.set(k, (wanted.get(k) ?? new Set()).add(key));
  };
  const walk = (node: unknown, ns: string) => {
    if (Array.isArray(node)) return node.forEach((n) => walk(n, ns));
    if (!node || typeof node !== 'object') return;
    const o = node as Record<string, unknown>;
    const ref = o.secretKeyRef as { name?: string; key?: string } | undefined;
    if (ref?.name && ref.key) add(ns, ref.name, ref.key);
    if (typeof o.credentialName === 'string') { add(ns, o.credentialName, 'tls.crt'); add(ns, o.credentialName, 'tls.key'); }
    Object.values(o).forEach((v) => walk(v, ns));
  };
  for (const o of objects) walk(o, o.metadata.namespace ?? 'default');
  const made: string[] = [];
  for (const [k, keys] of wanted) {
    const [ns, name] = k.split('/');
    if (tryGet('secret', name, ns)) continue;
    const args = ['create', 'secret', 'generic', name, '-n', ns, ...[...keys].map((key) => `--from-literal=${key}=sim-${Math.random().toString(36).slice(2)}`)];
    kubectlOk(args);
    made.push(`${k} (${[...keys].join(', ')})`);
  }
  return made;
}

/** One PersistentVolume per claim the StatefulSets will make (data-<sts>-<n>), pre-bound by claimRef. */
function createVolumes(objects: KObject[]): string[] {
  const made: string[] = [];
  for (const sts of objects.filter((o) => o.kind === 'StatefulSet')) {
    for (const vct of (sts.spec.volumeClaimTemplates ?? []) as KObject[]) {
      for (let i = 0; i < (sts.spec.replicas ?? 1); i++) {
        const claim = `${vct.metadata.name}-${sts.metadata.name}-${i}`;
        const ns = sts.metadata.namespace!;
        const pv = {
          apiVersion: 'v1', kind: 'PersistentVolume',
          metadata: { name: `${ns}-${claim}` },
          spec: {
            capacity: { storage: vct.spec.resources.requests.storage },
            accessModes: vct.spec.accessModes ?? ['ReadWriteOnce'],
            storageClassName: vct.spec.storageClassName ?? '',
            persistentVolumeReclaimPolicy: 'Retain',
            claimRef: { namespace: ns, name: claim },
            hostPath: { path: `/sim/${ns}/${claim}` },
          },
        };
        if (kubectl(['get', 'pv', pv.metadata.name]).code === 0) continue;
        kubectlOk(['apply', '-f', '-'], JSON.stringify(pv));
        made.push(`${pv.metadata.name} ${pv.spec.capacity.storage} class "${pv.spec.storageClassName}"`);
      }
    }
  }
  return made;
}

// ---- convergence ---------------------------------------------------------------------------------

interface Health { ok: boolean; lines: string[] }

function health(ns: string): Health {
  const lines: string[] = [];
  let ok = true;
  const bad = (l: string) => { ok = false; lines.push(`NOT READY ${l}`); };
  for (const dep of list('deployments', ns)) {
    const avail = (dep.status?.conditions ?? []).some((c: { type: string; status: string }) => c.type === 'Available' && c.status === 'True');
    const l = `Deployment ${dep.metadata.name}: ${dep.status?.readyReplicas ?? 0}/${dep.spec.replicas} ready; ${conditions(dep)}`;
    if (!avail || (dep.status?.readyReplicas ?? 0) !== dep.spec.replicas) bad(l); else lines.push(l);
  }
  for (const ro of list('rollouts.argoproj.io', ns)) {
    const l = `Rollout ${ro.metadata.name}: phase ${ro.status?.phase ?? '-'}, ${ro.status?.availableReplicas ?? 0}/${ro.spec.replicas ?? '?'} available; ${ro.status?.message ?? ''}`;
    if (ro.status?.phase !== 'Healthy') bad(l); else lines.push(l);
  }
  for (const sts of list('statefulsets', ns)) {
    const l = `StatefulSet ${sts.metadata.name}: ${sts.status?.readyReplicas ?? 0}/${sts.spec.replicas} ready`;
    if ((sts.status?.readyReplicas ?? 0) !== sts.spec.replicas) bad(l); else lines.push(l);
  }
  const slices = list('endpointslices', ns);
  for (const svc of list('services', ns)) {
    const ready = slices.filter((s) => s.metadata.labels?.['kubernetes.io/service-name'] === svc.metadata.name)
      .flatMap((s) => (s.endpoints ?? []) as Array<{ conditions?: { ready?: boolean } }>).filter((e) => e.conditions?.ready).length;
    const l = `Service ${svc.metadata.name}: ${ready} ready endpoint(s)`;
    if (ready < 1) bad(l); else lines.push(l);
  }
  return { ok, lines };
}

function hpaLines(ns: string): { ok: boolean; lines: string[] } {
  let ok = true;
  const lines = list('horizontalpodautoscalers', ns).map((h) => {
    const able = (h.status?.conditions ?? []).find((c: { type: string }) => c.type === 'AbleToScale');
    const good = able?.status === 'True' && h.status?.currentReplicas >= h.spec.minReplicas;
    if (!good) ok = false;
    return `${good ? '' : 'NOT OK '}HPA ${h.metadata.name} -> ${h.spec.scaleTargetRef.kind}/${h.spec.scaleTargetRef.name}: current ${h.status?.currentReplicas ?? '-'}, desired ${h.status?.desiredReplicas ?? '-'}, min ${h.spec.minReplicas}; ${conditions(h)}`;
  });
  return { ok, lines };
}

/** disruptionsAllowed the PDB should report with every pod healthy (the disruption controller's rounding). */
function expectedDisruptions(pdb: KObject): number {
  const expected = pdb.status?.expectedPods ?? 0;
  const scaled = (v: number | string) => typeof v === 'number' ? v : Math.ceil((parseInt(v, 10) / 100) * expected);
  if (pdb.spec.maxUnavailable !== undefined) return Math.max(0, Math.min(expected, scaled(pdb.spec.maxUnavailable)));
  return Math.max(0, expected - scaled(pdb.spec.minAvailable));
}

async function waitConverged(envs: string[], timeoutMs: number): Promise<number> {
  return waitFor(`every workload of ${envs.join(', ')} ready`, () => envs.every((e) => health(NS(e)).ok),
    () => envs.map((e) => `${NS(e)}:\n  ${health(NS(e)).lines.filter((l) => l.startsWith('NOT')).join('\n  ')}\n  pending pods: ${
      list('pods', NS(e)).filter((p) => p.status?.phase !== 'Running').map((p) => `${p.metadata.name} ${p.status?.phase} ${conditions(p)}`).join('; ')}\n${events(NS(e), undefined, 10)}`).join('\n'),
    timeoutMs, 2000);
}

function evict(ns: string, pod: string): Run2 {
  const body = JSON.stringify({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: pod, namespace: ns } });
  const r = kubectl(['create', '--raw', `/api/v1/namespaces/${ns}/pods/${pod}/eviction`, '-f', '-'], body);
  return { code: r.code, out: (r.stdout + r.stderr).trim() };
}
interface Run2 { code: number; out: string }

// ---- rollouts --------------------------------------------------------------------------------------

/** Canary and stable weights of one route of a VirtualService, e.g. {canary: 10, stable: 90}. */
function vsWeights(ns: string, vs: string, route: string): { canary: number; stable: number } | undefined {
  const o = tryGet('virtualservices.networking.istio.io', vs, ns);
  const r = ((o?.spec?.http ?? []) as Array<{ name?: string; route: Array<{ destination: { host: string }; weight?: number }> }>).find((h) => h.name === route);
  if (!r) return undefined;
  const w = (suffix: string) => r.route.find((x) => x.destination.host.split('.')[0].endsWith(suffix))?.weight ?? 0;
  return { canary: w('-canary'), stable: w('-stable') };
}

function rollout(ns: string, name: string): KObject {
  return getJson(['rollouts.argoproj.io', name, '-n', ns]);
}

function rolloutLine(ro: KObject): string {
  const s = ro.status ?? {};
  return `phase ${s.phase}, step ${s.currentStepIndex ?? '-'}, abort ${!!s.abort}, pause [${(s.pauseConditions ?? []).map((p: { reason: string }) => p.reason).join(',')}], ` +
    `canary weight ${s.canary?.weights?.canary?.weight ?? '-'}, stableRS ${s.stableRS}, currentPodHash ${s.currentPodHash}, message "${s.message ?? ''}"`;
}

function analysisRuns(ns: string, rolloutName: string): KObject[] {
  return list('analysisruns.argoproj.io', ns).filter((a) => (a.metadata.ownerReferences as Array<{ name: string }> | undefined)?.some((r) => r.name === rolloutName))
    .sort((a, b) => String(a.metadata.creationTimestamp).localeCompare(String(b.metadata.creationTimestamp)));
}

function runLine(a: KObject): string {
  const ms = (a.status?.metricResults ?? []).flatMap((m: { measurements?: Array<{ phase: string; value?: string }> }) => m.measurements ?? []);
  return `AnalysisRun ${a.metadata.name}: ${a.status?.phase ?? 'Pending'} [${ms.map((m: { phase: string; value?: string }) => `${m.phase}:${m.value ?? ''}`).join(' ')}] ${a.status?.message ?? ''}`;
}

/** Watches one route of a VirtualService (kubectl get -w) and records each new canary weight. */
function watchCanaryWeight(ns: string, vs: string, route: string): { stop: () => number[] } {
  // `-o json` with -w prints one pretty-printed object per change, each closed by "}" on its own line.
  const child = spawn(process.env.SIM_KUBECTL ?? 'kubectl', ['get', 'virtualservices.networking.istio.io', vs, '-n', ns, '-w', '-o', 'json'], { stdio: ['ignore', 'pipe', 'ignore'] });
  registerPid(`watch-${vs}`, child.pid!);
  const weights: number[] = [];
  let buf = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buf += chunk.toString();
    for (let end = buf.indexOf('\n}\n'); end >= 0; end = buf.indexOf('\n}\n')) {
      const text = buf.slice(0, end + 2);
      buf = buf.slice(end + 3);
      try {
        const o = JSON.parse(text) as KObject;
        const r = ((o.spec?.http ?? []) as Array<{ name?: string; route: Array<{ destination: { host: string }; weight?: number }> }>).find((h) => h.name === route);
        const w = r?.route.find((x) => x.destination.host.split('.')[0].endsWith('-canary'))?.weight ?? 0;
        if (weights[weights.length - 1] !== w) weights.push(w);
      } catch { /* a partial object: wait for more */ }
    }
  });
  return { stop: () => { child.kill('SIGTERM'); return weights; } };
}

/** A Rollout's ReplicaSets: hash -> replicas. */
function replicaSets(ns: string, name: string): Map<string, { replicas: number; ready: number; annotations: Record<string, string> }> {
  const m = new Map<string, { replicas: number; ready: number; annotations: Record<string, string> }>();
  for (const rs of list('replicasets', ns, `app.kubernetes.io/name=${name}`)) {
    m.set(rs.metadata.labels?.['rollouts-pod-template-hash'] ?? rs.metadata.name, { replicas: rs.spec.replicas, ready: rs.status?.readyReplicas ?? 0, annotations: rs.metadata.annotations ?? {} });
  }
  return m;
}

function selectorHash(ns: string, svc: string): string | undefined {
  return tryGet('service', svc, ns)?.spec?.selector?.['rollouts-pod-template-hash'];
}

/** The merge patch `kubectl apply` computes for one object of `dir` named in an apply line ("kind.group/name configured"). */
function patchOf(dir: string, line: string): string {
  const [ref] = line.split(' ');
  const [kindGroup, name] = ref.split('/');
  const kind = kindGroup.split('.')[0];
  const o = objectsIn(dir).find((x) => x.kind.toLowerCase() === kind && x.metadata.name === name);
  if (!o) return '(object not found in the output)';
  const r = kubectl(['apply', '--dry-run=server', '-v=8', '-f', '-'], JSON.stringify(o));
  const bodies = (r.stdout + r.stderr).split('\n').filter((l) => l.includes('Request Body'));
  if (bodies.length) {
    const patch = bodies[bodies.length - 1];
    return patch.slice(patch.indexOf('Request Body') + 13, patch.indexOf('Request Body') + 700);
  }
  // No body logged: list the fields where the output and the live object differ.
  const live = tryGet(`${o.kind.toLowerCase()}.${o.apiVersion.split('/')[0]}`, name, o.metadata.namespace ?? 'default');
  const diffs: string[] = [];
  const walk = (want: unknown, have: unknown, at: string) => {
    if (want && typeof want === 'object' && have && typeof have === 'object') {
      for (const [k, v] of Object.entries(want as Record<string, unknown>)) walk(v, (have as Record<string, unknown>)[k], `${at}.${k}`);
      for (const k of Object.keys(have as Record<string, unknown>)) {
        if (!(k in (want as Record<string, unknown>))) diffs.push(`${at}.${k}: only live ${JSON.stringify((have as Record<string, unknown>)[k]).slice(0, 120)}`);
      }
    } else if (JSON.stringify(want) !== JSON.stringify(have)) diffs.push(`${at}: output ${JSON.stringify(want)}, live ${JSON.stringify(have)}`);
  };
  walk(o.spec, live?.spec, 'spec');
  return `output vs live: ${diffs.slice(0, 8).join('; ') || 'no field differs'}`;
}

/**
 * The prune selector the docs give: the platform and environment labels every object of an
 * environment carries (`app.kubernetes.io/part-of` and the `…/environment` label).
 */
function pruneSelector(namespace: KObject): string {
  const labels = namespace.metadata.labels ?? {};
  const env = Object.keys(labels).find((k) => k.endsWith('/environment'));
  return [`app.kubernetes.io/part-of=${labels['app.kubernetes.io/part-of']}`, ...(env ? [`${env}=${labels[env]}`] : [])].join(',');
}

// ---- Argo CD ---------------------------------------------------------------------------------------

/** The Application of dist/gitops/argocd/<env>.yaml. */
function applicationOf(out: string, env: string): Manifest {
  const file = path.join(out, 'gitops', 'argocd', `${env}.yaml`);
  const app = parseAllDocuments(fs.readFileSync(file, 'utf8')).map((d) => d.toJS() as Manifest).find((o) => o?.kind === 'Application');
  if (!app) throw new Error(`${file}: no Application`);
  return app;
}

interface ArgoSyncResult { steps: ArgoCdSyncStep[]; applied: string[]; ms: number; live: Manifest[] }

/**
 * One sync of dist/<env>/ as the generated Application makes Argo CD run it: `kubectl kustomize`
 * (the real kustomize; checked equal to buildKustomization), the live objects read from the API
 * server, `applicationSync` (the Application's ignoreDifferences, ApplyOutOfSyncOnly and
 * RespectIgnoreDifferences) deciding per object, then every object it does not skip sent in one
 * `kubectl apply --server-side --field-manager=argocd-controller --force-conflicts`. Not modelled:
 * Argo CD's kind/wave ordering (kustomize order instead), hooks, prune, health waits.
 */
function argoSync(application: Manifest, dir: string): ArgoSyncResult {
  const t = Date.now();
  const desired = parseAllDocuments(kubectlOk(['kustomize', dir])).map((d) => d.toJS() as Manifest).filter(Boolean);
  expect(desired).toEqual(buildKustomization(dir));
  const file = path.join(SIM_WORK, `argocd-desired-${Date.now()}.json`);
  fs.writeFileSync(file, JSON.stringify({ apiVersion: 'v1', kind: 'List', items: desired }));
  const got = JSON.parse(kubectlOk(['get', '-f', file, '--ignore-not-found', '-o', 'json']) || '{"items":[]}') as { items?: Manifest[] } & Manifest;
  const live = got.items ?? [got];
  const steps = applicationSync(application, desired, live);
  const send = steps.filter((s) => s.action !== 'skip').map((s) => s.object);
  const applied = send.length
    ? kubectlOk(['apply', '--server-side', '--field-manager=argocd-controller', '--force-conflicts', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: send })).split('\n').filter(Boolean)
    : [];
  return { steps, applied, ms: Date.now() - t, live };
}

/** Where an applied object differs from the live one, on the fields it sets (the reason it is OutOfSync). */
function whyApplied(result: ArgoSyncResult, kind: string, name: string): string {
  const step = stepOf(result, kind, name);
  const live = result.live.find((o) => o.kind === kind && o.metadata.name === name);
  if (!step || !live) return 'not live';
  const diffs: string[] = [];
  const walk = (want: unknown, have: unknown, at: string) => {
    if (want && typeof want === 'object' && have && typeof have === 'object') {
      for (const [k, v] of Object.entries(want as Record<string, unknown>)) walk(v, (have as Record<string, unknown>)[k], `${at}.${k}`);
    } else if (JSON.stringify(want) !== JSON.stringify(have)) diffs.push(`${at}: Git ${JSON.stringify(want)}, live ${JSON.stringify(have)}`);
  };
  walk(step.object, live, '');
  return diffs.slice(0, 5).join('; ') || 'no field differs';
}

function stepOf(result: ArgoSyncResult, kind: string, name: string): ArgoCdSyncStep | undefined {
  return result.steps.find((s) => s.object.kind === kind && s.object.metadata.name === name);
}

function syncLine(result: ArgoSyncResult): string {
  const n = (a: string) => result.steps.filter((s) => s.action === a).length;
  const kinds = (a: string) => [...new Set(result.steps.filter((s) => s.action === a).map((s) => `${s.object.kind}/${s.object.metadata.name}`))].join(', ');
  return `${result.steps.length} objects: ${n('create')} create, ${n('apply')} apply (${kinds('apply')}), ${n('skip')} skip; ` +
    `kubectl apply --server-side: ${result.applied.length} lines, ${(result.ms / 1000).toFixed(1)}s`;
}

const retag = (image: string, tag: string) => image.replace(/:[^:/]+$/, `:${tag}`);

// ---- the scenarios -----------------------------------------------------------------------------

d('simulated cluster', () => {
  const t0 = Date.now();
  let base = '';
  const timings: string[] = [];
  const timed = async <T>(name: string, f: () => Promise<T> | T): Promise<T> => {
    const t = Date.now();
    try { return await f(); } finally { timings.push(`${name}: ${((Date.now() - t) / 1000).toFixed(1)}s`); }
  };

  beforeAll(() => {
    fs.mkdirSync(DIST, { recursive: true });
    base = synthVariant('base');
  });
  afterAll(() => {
    say(`timings: ${timings.join(', ')}; total ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  });

  test('1 Converge: every environment applied as the README says becomes ready, spread, scaled and protected', async () => {
    await timed('converge', async () => {
      for (const env of ENVS) {
        const dir = path.join(base, env);
        const objects = objectsIn(dir);
        // The namespace first, so that the Secrets the README lists can be created in it.
        kubectlOk(['apply', '-f', path.join(dir, '00-namespace.yaml')]);
        say(`${env}: gateway namespaces created: ${createForeignNamespaces(objects).join(', ') || 'none (they exist)'}`);
        say(`${env}: secrets created: ${createSecrets(objects).join('; ') || 'none'}`);
        say(`${env}: volumes created: ${createVolumes(objects).join('; ') || 'none'}`);
        const lines = applyDir(dir);
        say(`${env}: kubectl apply -f ${path.relative(SIM_WORK, dir)}/: ${lines.length} objects, ${lines.filter((l) => l.endsWith(' created')).length} created`);
      }
      const ms = await waitConverged(ENVS, 180_000);
      say(`converged after ${(ms / 1000).toFixed(1)}s`);
      // HPAs find their targets (Rollouts through /scale) and hold minReplicas without metrics.
      await waitFor('every HPA resolves its target', () => ENVS.every((e) => hpaLines(NS(e)).ok),
        () => ENVS.flatMap((e) => hpaLines(NS(e)).lines).join('\n'), 90_000, 2000);
      await waitConverged(ENVS, 120_000);
    });
    for (const env of ENVS) {
      const ns = NS(env);
      say(`== ${ns}`, ...health(ns).lines, ...hpaLines(ns).lines);
      const zones = podsPerZone(ns);
      say(...[...zones].map(([app, m]) => `pods per zone ${app}: ${[...m].sort().map(([z, n]) => `${z}=${n}`).join(' ')}`));
      // Zone spread is soft (ScheduleAnyway); on six identical nodes the scheduler uses every zone.
      const zoneSpread = new Set(objectsIn(path.join(base, env)).filter((o) => ((o.spec?.template?.spec?.topologySpreadConstraints ?? []) as Array<{ topologyKey: string }>)
        .some((c) => c.topologyKey === 'topology.kubernetes.io/zone')).map((o) => o.spec.template.metadata?.labels?.['app.kubernetes.io/name'] as string));
      for (const [app, m] of zones) {
        const total = [...m.values()].reduce((a, b) => a + b, 0);
        expect({ app, unscheduled: m.get('unscheduled') ?? 0 }).toEqual({ app, unscheduled: 0 });
        if (total >= 3 && zoneSpread.has(app)) expect({ app, zones: m.size }).toEqual({ app, zones: 3 });
      }
      const pdbs = list('poddisruptionbudgets', ns);
      for (const pdb of pdbs) {
        say(`PDB ${pdb.metadata.name}: healthy ${pdb.status?.currentHealthy}/${pdb.status?.expectedPods}, disruptionsAllowed ${pdb.status?.disruptionsAllowed} (expected ${expectedDisruptions(pdb)})`);
        expect({ pdb: pdb.metadata.name, allowed: pdb.status?.disruptionsAllowed }).toEqual({ pdb: pdb.metadata.name, allowed: expectedDisruptions(pdb) });
      }
    }
    // Evictions in prod: a database pod is protected, one API pod may go.
    const ns = NS('prod');
    const db = evict(ns, 'order-service-db-0');
    say(`evict order-service-db-0: exit ${db.code}: ${db.out.split('\n')[0]}`);
    expect(db.code).not.toBe(0);
    expect(db.out).toMatch(/disruption budget|429|TooManyRequests/i);
    const api = list('pods', ns, 'app.kubernetes.io/name=inventory-service')[0].metadata.name;
    const ev = evict(ns, api);
    say(`evict ${api}: exit ${ev.code}: ${ev.out.split('\n')[0]}`);
    expect(ev.code).toBe(0);
    await waitConverged(['prod'], 120_000);
  });

  /** Fails the scenario on any problem found, after printing it. */
  const none = (what: string, problems: string[]) => {
    if (problems.length) say(`${what}: ${problems.join(' | ')}`);
    expect(problems).toEqual([]);
  };

  test('2 Idempotent: a second apply changes nothing and kubectl diff exits 0', async () => {
    const problems: string[] = [];
    for (const env of ENVS) {
      const ns = NS(env);
      const gens = () => new Map(['deployments', 'statefulsets', 'rollouts.argoproj.io', 'poddisruptionbudgets', 'horizontalpodautoscalers', 'virtualservices.networking.istio.io']
        .flatMap((k) => list(k, ns).map((o) => [`${o.kind}/${o.metadata.name}`, o.metadata.generation] as const)));
      const before = gens();
      const dir = path.join(base, env);
      const lines = applyDir(dir);
      const changed = lines.filter((l) => !l.endsWith(' unchanged'));
      say(`${env}: second apply: ${lines.length - changed.length} unchanged, ${changed.length} not: ${changed.join('; ') || '-'}`);
      // What kubectl sends for each object it calls "configured": the cause, for the report.
      const perKind = [...new Map(changed.map((l) => [l.split('/')[0], l])).values()];
      for (const l of perKind) say(`  ${l}: ${patchOf(dir, l)}`);
      const after = gens();
      const moved = [...after].filter(([k, v]) => before.get(k) !== v).map(([k, v]) => `${k} ${before.get(k)} -> ${v}`);
      say(`${env}: generations moved: ${moved.join('; ') || 'none'}`);
      const diff = kubectl(['diff', '-f', `${dir}/`]);
      say(`${env}: kubectl diff exit ${diff.code}${diff.code ? `:\n${(diff.stdout + diff.stderr).split('\n').filter((x) => /^[-+]|^diff |rror/.test(x)).slice(0, 60).join('\n')}` : ''}`);
      // kubectl's client-side apply always sends a PodDisruptionBudget's selector (its patch strategy
      // is "replace") and a StatefulSet's claim templates (stored with a null creationTimestamp no
      // schema-valid manifest can state: src/data/store-statefulset.ts), so it says "configured" for
      // a patch that changes nothing; the generation check above proves that. Everything else must
      // be "unchanged".
      const real = changed.filter((l) => !l.startsWith('poddisruptionbudget.policy/') && !l.startsWith('statefulset.apps/'));
      if (real.length) problems.push(`${env}: ${real.length} object(s) "configured": ${real.join(', ')}`);
      if (moved.length) problems.push(`${env}: generation moved on ${moved.join(', ')}`);
      if (diff.code !== 0) problems.push(`${env}: kubectl diff exited ${diff.code}`);
    }
    // kubectl diff must be clean whatever else is open.
    expect(problems.filter((p) => p.includes('kubectl diff'))).toEqual([]);
    none('re-apply', problems);
  });

  test('3 Upgrade: new images everywhere and every kind of change apply without rejection; prune removes only a removed service', async () => {
    const env = 'dev';
    const ns = NS(env);
    const upgraded = synthVariant('upgrade', (doc) => {
      for (const svc of ['user-service', 'order-service', 'inventory-service']) {
        doc.setIn(['services', svc, 'image'], retag(doc.getIn(['services', svc, 'image']) as string, 'sim-up'));
      }
      doc.setIn(['platform', 'postgres'], doc.createNode({ image: 'postgres:16.6-bookworm' }));
      doc.setIn(['platform', 'redis'], doc.createNode({ image: 'redis:7.4.2-bookworm' }));
      doc.setIn(['platform', 'rabbitmq'], doc.createNode({ image: 'rabbitmq:3.13.8-management' }));
      doc.setIn(['environments', env, 'services', 'inventory-service', 'replicas'], 2);
      doc.setIn(['environments', env, 'services', 'inventory-service', 'autoscaling', 'minReplicas'], 2);
      doc.setIn(['services', 'order-service', 'resources', 'limits', 'memory'], '768Mi');
      doc.setIn(['services', 'user-service', 'env', 'LOG_LEVEL'], 'debug');
      doc.setIn(['services', 'inventory-service', 'routes'], doc.createNode([{ prefix: '/api/inventory', auth: 'jwt' }, { prefix: '/api/stock', auth: 'jwt' }]));
      doc.setIn(['services', 'review-service'], doc.createNode({
        image: 'ghcr.io/shop-example/review-service:0.1.0', port: 3005, replicas: 2,
        autoscaling: { minReplicas: 2, maxReplicas: 4 }, routes: [{ prefix: '/api/reviews', auth: 'jwt' }],
      }));
      doc.deleteIn(['services', 'notification-service']);
      doc.deleteIn(['environments', env, 'services', 'notification-service']);
    }, false);
    const dir = path.join(upgraded, env);
    // What `npm run diff` says beforehand (the plan against the output last applied).
    const plan = spawnSync(process.execPath, [path.join(REPO, 'tools', 'launch.cjs'), 'bin/diff.ts', '--env', env, '--config', path.join(SPEC_DIR, 'upgrade', 'platform.yaml'), '--out', base], { encoding: 'utf8' });
    say(`npm run diff -- --env ${env} (exit ${plan.status}):`, ...(plan.stdout + plan.stderr).trim().split('\n').slice(0, 60));
    // Data stores are single-writer: the data tier's images change in place (rolling StatefulSet update).
    createVolumes(objectsIn(dir));
    createForeignNamespaces(objectsIn(dir));
    createSecrets(objectsIn(dir));
    const lines = await timed('upgrade apply', () => applyDir(dir));
    say(`${env} upgrade: ${lines.filter((l) => !l.endsWith(' unchanged')).join('; ')}`);
    // The Rollouts now walk their steps (and move the VirtualServices' weights, which a diff would
    // show): finish them as an operator would, then compare.
    for (const ro of list('rollouts.argoproj.io', ns)) {
      await waitFor(`${ro.metadata.name} starts its update`, () => { const st = rollout(ns, ro.metadata.name).status; return !!st?.currentPodHash && st.currentPodHash !== st.stableRS; },
        () => rolloutLine(rollout(ns, ro.metadata.name)), 30_000, 500);
      const r = argo(['promote', ro.metadata.name, '-n', ns, '--full', '--kubeconfig', process.env.KUBECONFIG!]);
      say(`kubectl argo rollouts promote --full ${ro.metadata.name}: exit ${r.code} ${(r.stdout + r.stderr).trim()}`);
    }
    await timed('upgrade converge', () => waitConverged([env], 180_000));
    const diff = kubectl(['diff', '-f', `${dir}/`]);
    say(`${env}: kubectl diff after the upgrade: exit ${diff.code}${diff.code ? `\n${(diff.stdout + diff.stderr).split('\n').filter((l) => /^[-+]|^diff |rror/.test(l)).slice(0, 60).join('\n')}` : ''}`);
    none('kubectl diff after the upgrade', diff.code === 0 ? [] : [`kubectl diff exited ${diff.code}`]);
    await waitFor('review-service ready', () => health(ns).lines.some((l) => /^Deployment review-service: 2\/2/.test(l)), () => health(ns).lines.join('\n'), 120_000, 2000);

    // The removed service's objects are still there until pruned, with the documented command
    // (docs/cluster-simulation.md): the environment's labels select it, the allowlist names its kinds.
    const key = (o: KObject) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    const before = objectsIn(path.join(base, env));
    const after = objectsIn(dir);
    const gone = new Set(before.map(key).filter((k) => !after.some((o) => key(o) === k)));
    const ns0 = before.find((o) => o.kind === 'Namespace')!;
    const selector = pruneSelector(ns0);
    // Without an environment label the selector would match other environments' Namespaces.
    const allowlist = [...new Set([...before, ...after].filter((o) => selector.includes('environment=') || o.kind !== 'Namespace').map((o) => `${o.apiVersion.includes('/') ? o.apiVersion : `core/${o.apiVersion}`}/${o.kind}`))].sort();
    const args = ['apply', '-f', `${dir}/`, '--prune', '-l', selector, ...allowlist.flatMap((a) => ['--prune-allowlist', a])];
    const r = kubectl(args);
    const pruned = (r.stdout + r.stderr).split('\n').filter((l) => l.endsWith(' pruned'));
    say(`kubectl apply -f ${env}/ --prune -l ${selector} --prune-allowlist (${allowlist.length} kinds): exit ${r.code}`, `pruned: ${pruned.join('; ') || 'nothing'}`,
      `expected gone: ${[...gone].join('; ')}`);
    expect(r.code).toBe(0);
    const exists = (o: KObject) => kubectl(['get', o.kind === 'Namespace' ? 'namespace' : `${o.kind.toLowerCase()}.${o.apiVersion.split('/')[0].replace(/^v1$/, '')}`.replace(/\.$/, ''), o.metadata.name, ...(o.metadata.namespace ? ['-n', o.metadata.namespace] : [])]).code === 0;
    const left = before.filter((o) => gone.has(key(o)) && exists(o)).map(key);
    const lost = after.filter((o) => !exists(o)).map(key);
    say(`after prune: removed-service objects left: ${left.join('; ') || 'none'}; objects of the new output missing: ${lost.join('; ') || 'none'}`);
    expect(left).toEqual([]);
    expect(lost).toEqual([]);
    expect(pruned.length).toBe(gone.size);
  });

  test('4 Canary: order-service walks 10, 20, 50, 100 in both VirtualServices, then stable 100; a failing success rate aborts', async () => {
    const ns = NS('prod');
    const image = (objectsIn(path.join(base, 'prod')).find((o) => o.kind === 'Rollout' && o.metadata.name === 'order-service')!).spec.template.spec.containers[0].image as string;
    const seen = { primary: [] as number[], gateway: [] as number[], status: [] as number[] };
    const note = (arr: number[], w: number | undefined) => { if (w !== undefined && arr[arr.length - 1] !== w) arr.push(w); };
    const observe = () => {
      const ro = rollout(ns, 'order-service');
      note(seen.primary, vsWeights(ns, 'order-service', 'primary')?.canary);
      note(seen.gateway, vsWeights(ns, 'api-gateway', 'api-orders')?.canary);
      note(seen.status, ro.status?.canary?.weights?.canary?.weight);
      return ro;
    };
    await setRates({ default: 0.99 });
    const v2 = synthVariant('canary-v2', (doc) => doc.setIn(['services', 'order-service', 'image'], retag(image, 'sim-2')));
    const startHash = rollout(ns, 'order-service').status?.stableRS;
    // Watches see every version of the VirtualServices, also the last setWeight that polling misses.
    const watches = [watchCanaryWeight(ns, 'order-service', 'primary'), watchCanaryWeight(ns, 'api-gateway', 'api-orders')];
    await sleep(1500);
    await timed('canary', async () => {
      applyDir(path.join(v2, 'prod'));
      await waitFor('order-service canary promoted', () => {
        const ro = observe();
        return ro.status?.stableRS !== startHash && ro.status?.stableRS === ro.status?.currentPodHash && ro.status?.phase === 'Healthy';
      }, () => `${rolloutLine(rollout(ns, 'order-service'))}\ncanary weights seen: primary ${seen.primary}, api-gateway ${seen.gateway}, status ${seen.status}\n${analysisRuns(ns, 'order-service').map(runLine).join('\n')}\n${events(ns, 'order-service')}`, 150_000, 250);
    });
    observe();
    await sleep(1500);
    const [watchedPrimary, watchedGateway] = watches.map((w) => w.stop());
    say(`canary weights watched: VS order-service/primary ${watchedPrimary.join(' -> ')}; VS api-gateway/api-orders ${watchedGateway.join(' -> ')}`);
    const evs = events(ns, 'order-service', 60);
    say(`canary weights seen: VS order-service/primary ${seen.primary.join(' -> ')}; VS api-gateway/api-orders ${seen.gateway.join(' -> ')}; status ${seen.status.join(' -> ')}`,
      ...analysisRuns(ns, 'order-service').map(runLine));
    // Argo's TrafficWeightUpdated events: "Traffic weight updated from 50 to 100".
    const weightEvents = [...evs.matchAll(/TrafficWeightUpdated: .*?to (\d+)/g)].map((m) => Number(m[1]));
    say(`weights in events: ${weightEvents.join(' ')}`);
    // Every setWeight step must have been seen in the VirtualServices (polled), or, for the last one
    // (promotion follows at once), in the Rollout's status or events.
    // Every setWeight in both VirtualServices: watched (polling misses the last one, as promotion
    // follows at once), or polled.
    for (const w of [10, 20, 50, 100]) {
      expect({ weight: w, primary: seen.primary.includes(w) || watchedPrimary.includes(w), gateway: seen.gateway.includes(w) || watchedGateway.includes(w) })
        .toEqual({ weight: w, primary: true, gateway: true });
    }
    expect(watchedPrimary.slice(-1)).toEqual([0]);
    expect(vsWeights(ns, 'order-service', 'primary')).toEqual({ canary: 0, stable: 100 });
    expect(vsWeights(ns, 'api-gateway', 'api-orders')).toEqual({ canary: 0, stable: 100 });
    expect(selectorHash(ns, 'order-service-stable')).toBe(rollout(ns, 'order-service').status.currentPodHash);

    // Abort: the canary's success rate is 0.5.
    await setRates({ 'order-service-canary': 0.5 });
    const v3 = synthVariant('canary-v3', (doc) => doc.setIn(['services', 'order-service', 'image'], retag(image, 'sim-3')));
    const aborted = await timed('canary abort', async () => {
      applyDir(path.join(v3, 'prod'));
      return waitFor('order-service canary aborted', () => {
        const ro = observe();
        return ro.status?.abort === true && ro.status?.phase === 'Degraded';
      }, () => `${rolloutLine(rollout(ns, 'order-service'))}\n${analysisRuns(ns, 'order-service').map(runLine).join('\n')}\n${events(ns, 'order-service')}`, 120_000, 500);
    });
    await waitFor('weights back to stable', () => vsWeights(ns, 'order-service', 'primary')?.canary === 0 && vsWeights(ns, 'api-gateway', 'api-orders')?.canary === 0,
      () => `primary ${JSON.stringify(vsWeights(ns, 'order-service', 'primary'))}, api-orders ${JSON.stringify(vsWeights(ns, 'api-gateway', 'api-orders'))}`, 30_000, 500);
    const runs = analysisRuns(ns, 'order-service');
    say(`abort after ${(aborted / 1000).toFixed(1)}s: ${rolloutLine(rollout(ns, 'order-service'))}`, runLine(runs[runs.length - 1]),
      `weights now: primary ${JSON.stringify(vsWeights(ns, 'order-service', 'primary'))}, api-orders ${JSON.stringify(vsWeights(ns, 'api-gateway', 'api-orders'))}`);
    expect(runs[runs.length - 1].status?.phase).toBe('Failed');
    expect(vsWeights(ns, 'order-service', 'primary')).toEqual({ canary: 0, stable: 100 });
    expect(vsWeights(ns, 'api-gateway', 'api-orders')).toEqual({ canary: 0, stable: 100 });
    await setRates({ 'order-service-canary': 0.99 });
  });

  test('5 Blue-green: user-service previews, analyses, waits for promote, switches, scales the old version down', async () => {
    const ns = NS('prod');
    const name = 'user-service';
    const image = (objectsIn(path.join(base, 'prod')).find((o) => o.kind === 'Rollout' && o.metadata.name === name)!).spec.template.spec.containers[0].image as string;
    const oldHash = selectorHash(ns, name)!;
    const describe = () => `${rolloutLine(rollout(ns, name))}\nactive ${selectorHash(ns, name)}, preview ${selectorHash(ns, `${name}-preview`)}\nReplicaSets ${JSON.stringify([...replicaSets(ns, name)].map(([h, r]) => [h, r.replicas, r.ready]))}\n${analysisRuns(ns, name).map(runLine).join('\n')}\n${events(ns, name)}`;
    await setRates({ 'user-service-preview': 0.99 });
    const v2 = synthVariant('bluegreen-v2', (doc) => doc.setIn(['services', name, 'image'], retag(image, 'sim-2')));
    let newHash = '';
    await timed('blue-green to pause', async () => {
      applyDir(path.join(v2, 'prod'));
      await waitFor('user-service preview up, analysed and paused', () => {
        const ro = rollout(ns, name);
        newHash = ro.status?.currentPodHash;
        return newHash !== oldHash && selectorHash(ns, `${name}-preview`) === newHash &&
          (ro.status?.pauseConditions ?? []).some((p: { reason: string }) => p.reason === 'BlueGreenPause');
      }, describe, 150_000, 500);
    });
    const runs = analysisRuns(ns, name);
    say(`blue-green paused: preview -> ${selectorHash(ns, `${name}-preview`)}, active -> ${selectorHash(ns, name)} (old ${oldHash}, new ${newHash})`, ...runs.map(runLine));
    expect(selectorHash(ns, name)).toBe(oldHash);
    expect(runs.length).toBeGreaterThanOrEqual(1);
    expect(runs[runs.length - 1].status?.phase).toBe('Successful');
    expect(replicaSets(ns, name).get(newHash)?.ready).toBe(rollout(ns, name).spec.replicas);
    // Nothing promotes by itself.
    await sleep(8000);
    expect(selectorHash(ns, name)).toBe(oldHash);
    const promote = argo(['promote', name, '-n', ns, '--kubeconfig', process.env.KUBECONFIG!]);
    say(`kubectl argo rollouts promote: exit ${promote.code}: ${(promote.stdout + promote.stderr).trim()}`);
    expect(promote.code).toBe(0);
    const switched = Date.now();
    await waitFor('active Service switched to the new ReplicaSet', () => selectorHash(ns, name) === newHash, describe, 60_000, 250);
    const delay = (objectsIn(path.join(v2, 'prod')).find((o) => o.kind === 'Rollout' && o.metadata.name === name)!).spec.strategy.blueGreen.scaleDownDelaySeconds as number;
    await waitFor(`old ReplicaSet ${oldHash} at 0 after scaleDownDelaySeconds ${delay}`, () => replicaSets(ns, name).get(oldHash)?.replicas === 0, describe, (delay + 60) * 1000, 500);
    const took = (Date.now() - switched) / 1000;
    say(`active switched to ${newHash}; old ReplicaSet ${oldHash} at 0 replicas ${took.toFixed(1)}s after promote (scaleDownDelaySeconds ${delay})`);
    expect(took).toBeGreaterThanOrEqual(delay - 2);

    // No traffic reaches the preview: the analysis must not pass a version nobody measured.
    await setRates({ 'user-service-preview': null });
    const v3 = synthVariant('bluegreen-v3', (doc) => doc.setIn(['services', name, 'image'], retag(image, 'sim-3')));
    const before = analysisRuns(ns, name).length;
    applyDir(path.join(v3, 'prod'));
    const { count, interval } = ANALYSIS;
    const window = (count * parseInt(interval, 10) + 30) * 1000;
    let run: KObject | undefined;
    await waitFor('pre-promotion analysis of an unmeasured preview finishes', () => {
      const rs = analysisRuns(ns, name);
      run = rs.length > before ? rs[rs.length - 1] : undefined;
      return !!run && ['Successful', 'Failed', 'Error', 'Inconclusive'].includes(run.status?.phase);
    }, describe, window, 1000);
    const queries = (await promQueries()).filter((q) => q.service === 'user-service-preview').slice(-2);
    say(`no-traffic preview: ${runLine(run!)}; ${rolloutLine(rollout(ns, name))}`, ...queries.map((q) => `query answered ${JSON.stringify(q.answer)}: ${q.query.replace(/\s+/g, ' ')}`));
    // docs/delivery-analysis.md: no traffic is Inconclusive and the rollout pauses for a human.
    expect(run!.status?.phase).not.toBe('Successful');
    expect(run!.status?.phase).toBe('Inconclusive');
    await waitFor('rollout paused on the inconclusive analysis', () => (rollout(ns, name).status?.pauseConditions ?? []).some((p: { reason: string }) => p.reason.startsWith('InconclusiveAnalysis')),
      describe, 30_000, 1000);
    expect(selectorHash(ns, name)).toBe(newHash);
    await setRates({ 'user-service-preview': 0.99 });
  });

  test('6 Rate limits: the rate limit service enforces the generated limits per route and client address', async () => {
    const ns = NS('prod');
    const objects = objectsIn(path.join(base, 'prod'));
    const cm = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'ratelimit-config')!;
    const filter = objects.find((o) => o.kind === 'EnvoyFilter' && JSON.stringify(o.spec).includes('envoy.filters.http.ratelimit'))!;
    const root = path.join(SIM_WORK, 'ratelimit');
    fs.mkdirSync(path.join(root, 'ratelimit', 'config'), { recursive: true });
    for (const [k, v] of Object.entries(cm.data ?? {})) fs.writeFileSync(path.join(root, 'ratelimit', 'config', k), v);
    const check = spawnSync(process.env.SIM_RATELIMIT_CHECK_BIN!, ['-config_dir', path.join(root, 'ratelimit', 'config')], { encoding: 'utf8' });
    say(`config_check_cmd: exit ${check.status}: ${(check.stdout + check.stderr).trim().split('\n').pop()}`);
    expect(check.status).toBe(0);

    // The descriptors the EnvoyFilter makes Envoy send: per route, generic_key + remote_address.
    const patches = filter.spec.configPatches as Array<{ applyTo: string; match: { routeConfiguration?: { vhost?: { route?: { name?: string } } } }; patch: { value: { route?: { rate_limits?: Array<{ actions: Array<Record<string, { descriptor_key?: string; descriptor_value?: string }>> }> }; typed_config?: { domain?: string } } } }>;
    const domain = patches.map((p) => p.patch.value.typed_config?.domain).find(Boolean)!;
    const routes = patches.filter((p) => p.applyTo === 'HTTP_ROUTE').map((p) => ({
      route: p.match.routeConfiguration!.vhost!.route!.name!,
      actions: p.patch.value.route!.rate_limits![0].actions,
    }));
    const entries = (actions: typeof routes[0]['actions'], client: string) => actions.map((a) => {
      if (a.generic_key) return { key: a.generic_key.descriptor_key ?? 'generic_key', value: a.generic_key.descriptor_value! };
      if (a.remote_address) return { key: 'remote_address', value: client };
      throw new Error(`unsupported rate limit action ${JSON.stringify(a)}`);
    });
    // The declared limits, from the generated service config.
    const config = parseYaml(cm.data!['config.yaml']) as { domain: string; descriptors: Array<{ key: string; value: string; descriptors: Array<{ key: string; rate_limit: { unit: string; requests_per_unit: number } }> }> };
    expect(config.domain).toBe(domain);

    const ports = { http: await freePort(), grpc: await freePort(), debug: await freePort() };
    let proc: ChildProcess | undefined;
    try {
      proc = spawn(process.env.SIM_RATELIMIT_BIN!, [], {
        detached: true, stdio: ['ignore', fs.openSync(path.join(SIM_WORK, 'logs', 'ratelimit.log'), 'a'), fs.openSync(path.join(SIM_WORK, 'logs', 'ratelimit.log'), 'a')],
        env: {
          ...process.env, USE_STATSD: 'false', LOG_LEVEL: 'warn', HOST: '127.0.0.1', PORT: String(ports.http), GRPC_HOST: '127.0.0.1', GRPC_PORT: String(ports.grpc),
          DEBUG_HOST: '127.0.0.1', DEBUG_PORT: String(ports.debug), REDIS_SOCKET_TYPE: 'tcp', REDIS_URL: `127.0.0.1:${process.env.SIM_REDIS_PORT}`,
          RUNTIME_ROOT: root, RUNTIME_SUBDIRECTORY: 'ratelimit', RUNTIME_WATCH_ROOT: 'false', RUNTIME_IGNOREDOTFILES: 'true',
        },
      });
      registerPid('ratelimit', proc.pid!);
      const url = `http://127.0.0.1:${ports.http}`;
      await waitFor('rate limit service healthy', () => spawnSync('curl', ['-sf', `${url}/healthcheck`]).status === 0,
        () => fs.readFileSync(path.join(SIM_WORK, 'logs', 'ratelimit.log'), 'utf8').slice(-2000), 30_000, 300);
      const ask = async (route: typeof routes[0], client: string) => {
        const r = await fetch(`${url}/json`, { method: 'POST', body: JSON.stringify({ domain, descriptors: [{ entries: entries(route.actions, client) }], hitsAddend: 1 }) });
        const body = (await r.json()) as { overallCode: string; statuses?: Array<{ currentLimit?: { requestsPerUnit: number; unit: string } }> };
        return { http: r.status, code: body.overallCode, limit: body.statuses?.[0]?.currentLimit };
      };
      const run = Date.now().toString(36);
      for (const route of routes) {
        const declared = config.descriptors.find((x) => x.value === route.route)!.descriptors[0].rate_limit;
        const client = `192.0.2.${routes.indexOf(route) + 10}`;
        // Windows are fixed and aligned to the epoch: do not straddle a boundary.
        const unitSeconds = ({ second: 1, minute: 60, hour: 3600, day: 86400 } as Record<string, number>)[declared.unit] ?? 3600;
        const left = unitSeconds - ((Date.now() / 1000) % unitSeconds);
        if (left < 20) await sleep((left + 1) * 1000);
        let passed = 0;
        let first: Awaited<ReturnType<typeof ask>> | undefined;
        for (let i = 0; i < declared.requests_per_unit; i++) {
          const a = await ask(route, `${client}-${run}`);
          first ??= a;
          if (a.code === 'OK') passed++;
        }
        const over = await ask(route, `${client}-${run}`);
        const other = await ask(route, `198.51.100.7-${run}`);
        say(`route ${route.route}: declared ${declared.requests_per_unit}/${declared.unit}; service reports ${JSON.stringify(first?.limit)}; ` +
          `${passed}/${declared.requests_per_unit} passed, next one ${over.http} ${over.code}; another client: ${other.code}`);
        expect(passed).toBe(declared.requests_per_unit);
        expect([over.http, over.code]).toEqual([429, 'OVER_LIMIT']);
        expect(other.code).toBe('OK');
        expect(first?.limit).toEqual({ requestsPerUnit: declared.requests_per_unit, unit: declared.unit.toUpperCase() });
      }
      // Other routes are unaffected: a route without a limit, and each limited route for a fresh client.
      const unlimited = await fetch(`${url}/json`, { method: 'POST', body: JSON.stringify({ domain, descriptors: [{ entries: [{ key: 'route', value: 'api-orders' }, { key: 'remote_address', value: `192.0.2.10-${run}` }] }] }) });
      const ub = (await unlimited.json()) as { overallCode: string };
      say(`route api-orders (no limit), exhausted client: ${unlimited.status} ${ub.overallCode}`);
      expect(ub.overallCode).toBe('OK');
    } finally {
      if (proc?.pid) { try { process.kill(-proc.pid, 'SIGTERM'); } catch { /* already gone */ } }
    }
    void ns;
  });

  test('7 Telemetry: the OpenTelemetry Collector accepts the generated configuration', () => {
    for (const env of ENVS) {
      const cm = objectsIn(path.join(base, env)).find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'otel-collector')!;
      for (const [key, text] of Object.entries(cm.data ?? {})) {
        const file = path.join(SIM_WORK, `otel-${env}-${key}`);
        fs.writeFileSync(file, text);
        const r = spawnSync(process.env.SIM_OTELCOL_BIN!, ['validate', `--config=${file}`], { encoding: 'utf8' });
        say(`${env}: otelcol-sim validate --config=${key}: exit ${r.status} ${(r.stdout + r.stderr).trim().split('\n').slice(-3).join(' | ')}`);
        expect(r.status).toBe(0);
      }
    }
  });

  test('8 GitOps: prod synced the Argo CD way; a canary in progress survives a re-sync and a sync that rewrites its VirtualService', async () => {
    const ns = NS('prod');
    const name = 'order-service';
    const image = (objectsIn(path.join(base, 'prod')).find((o) => o.kind === 'Rollout' && o.metadata.name === name)!).spec.template.spec.containers[0].image as string;
    // A longer first pause, so that both re-syncs happen while the canary holds its first weight;
    // the analysis covers the longer canary (the spec checks count × interval against the pauses).
    const firstPause = 30;
    const steps = [{ setWeight: 10 }, { pause: { duration: `${firstPause}s` } }, { setWeight: 20 }, { pause: { duration: PAUSE } }, { setWeight: 50 }, { pause: { duration: PAUSE } }, { setWeight: 100 }];
    // Commit 1 of the manifests repository: the gitops section, a new order-service image.
    const v4 = synthVariant('gitops-v4', (doc) => {
      doc.setIn(['platform', 'gitops'], doc.createNode({ repoURL: 'https://github.com/shop-example/platform-manifests.git' }));
      doc.setIn(['services', name, 'image'], retag(image, 'sim-4'));
      doc.setIn(['environments', 'prod', 'services', name, 'delivery', 'canary', 'steps'], doc.createNode(steps));
      doc.setIn(['environments', 'prod', 'platform', 'analysis', 'count'], 10);
    });
    // Commit 2: a new gateway route (inventory-service /api/stock) changes VirtualService api-gateway in Git.
    const v4b = synthVariant('gitops-v4b', (doc) => doc.setIn(['services', 'inventory-service', 'routes'], doc.createNode([{ prefix: '/api/inventory', auth: 'jwt' }, { prefix: '/api/stock', auth: 'jwt' }])));
    const application = applicationOf(v4, 'prod');
    const spec = application.spec as { ignoreDifferences: unknown[]; syncPolicy: { syncOptions: string[] } };
    say(`Application ${application.metadata.name}: syncOptions ${spec.syncPolicy.syncOptions.join(', ')}; ${spec.ignoreDifferences.length} ignoreDifferences rules`);
    expect(applicationOf(v4b, 'prod')).toEqual(application);
    await setRates({ default: 0.99, 'order-service-canary': 0.99 });

    const weights = () => ({ primary: vsWeights(ns, name, 'primary'), gateway: vsWeights(ns, 'api-gateway', 'api-orders') });
    const describeAll = () => `${rolloutLine(rollout(ns, name))}\nweights ${JSON.stringify(weights())}\n${analysisRuns(ns, name).map(runLine).join('\n')}\n${events(ns, name)}`;
    const startHash = rollout(ns, name).status?.stableRS as string;

    // Sync 1 (automated: a new commit): starts the canary.
    const sync1 = await timed('argocd sync 1', () => argoSync(application, path.join(v4, 'prod')));
    say(`sync 1 (commit 1): ${syncLine(sync1)}`, `  Rollout/${name} OutOfSync: ${whyApplied(sync1, 'Rollout', name)}`, `  VirtualService/${name} OutOfSync: ${whyApplied(sync1, 'VirtualService', name)}`);
    expect(stepOf(sync1, 'Rollout', name)?.action).toBe('apply');
    let newHash = '';
    const atFirstWeight = await timed('canary to its first weight', () => waitFor('order-service canary paused at setWeight 10 in both VirtualServices', () => {
      const st = rollout(ns, name).status;
      newHash = st?.currentPodHash;
      const w = weights();
      return newHash !== startHash && st?.currentStepIndex === 1 && (st?.pauseConditions ?? []).some((p: { reason: string }) => p.reason === 'CanaryPauseStep') &&
        (w.primary?.canary ?? 0) > 0 && (w.gateway?.canary ?? 0) > 0;
    }, describeAll, 90_000, 250));
    const before = { weights: weights(), line: rolloutLine(rollout(ns, name)) };
    say(`canary paused ${(atFirstWeight / 1000).toFixed(1)}s after sync 1: ${before.line}`, `weights before the re-sync: ${JSON.stringify(before.weights)}`);
    const watches = [watchCanaryWeight(ns, name, 'primary'), watchCanaryWeight(ns, 'api-gateway', 'api-orders')];
    await sleep(1000);

    // Sync 2 (self-heal or a manual sync, same commit): the VirtualServices differ only in ignored weights.
    const sync2 = await timed('argocd re-sync 2', () => argoSync(application, path.join(v4, 'prod')));
    say(`re-sync 2 (same commit): ${syncLine(sync2)}`,
      ...sync2.steps.filter((x) => x.action === 'apply').map((x) => `  ${x.object.kind}/${x.object.metadata.name} OutOfSync: ${whyApplied(sync2, x.object.kind, x.object.metadata.name)}`));
    for (const vs of [name, 'api-gateway']) expect({ vs, ...stepOf(sync2, 'VirtualService', vs), object: undefined }).toMatchObject({ vs, action: 'skip', outOfSync: false });
    await sleep(2000);
    const after2 = { weights: weights(), ro: rollout(ns, name) };
    say(`after re-sync 2: weights ${JSON.stringify(after2.weights)}; ${rolloutLine(after2.ro)}`);
    expect(after2.weights).toEqual(before.weights);
    expect(after2.ro.status?.abort ?? false).toBe(false);
    expect(after2.ro.status?.currentPodHash).toBe(newHash);
    expect(after2.ro.status?.currentStepIndex).toBeGreaterThanOrEqual(1);

    // Sync 3 (commit 2): api-gateway is OutOfSync outside its weights, so Argo CD applies it with
    // the weights from Git (stable 100); the controller sets the step's weight again.
    const generation = () => tryGet('virtualservices.networking.istio.io', 'api-gateway', ns)?.metadata.generation;
    const gen0 = generation();
    const sync3 = await timed('argocd sync 3', () => argoSync(application, path.join(v4b, 'prod')));
    const applied = Date.now();
    say(`sync 3 (commit 2, new gateway route): ${syncLine(sync3)}`, ...sync3.applied.map((l) => `  ${l}`),
      `  VirtualService api-gateway generation ${gen0} -> ${generation()} right after the apply`);
    expect(stepOf(sync3, 'VirtualService', 'api-gateway')).toMatchObject({ action: 'apply', outOfSync: true });
    expect(stepOf(sync3, 'VirtualService', name)?.action).toBe('skip');
    await waitFor('canary weight set again in api-gateway', () => {
      const w = weights();
      const current = rollout(ns, name).status?.canary?.weights?.canary?.weight;
      return (w.gateway?.canary ?? 0) > 0 && w.gateway?.canary === current && w.primary?.canary === current;
    }, describeAll, 15_000, 100);
    const backAfter = Date.now() - applied;
    const after3 = { weights: weights(), ro: rollout(ns, name) };
    // The watches' last lines arrive after the poll saw the restored weight.
    await sleep(1500);
    const [watchedPrimary, watchedGateway] = watches.map((w) => w.stop());
    say(`after sync 3: weights ${JSON.stringify(after3.weights)} (step weight seen again by the poll ${(backAfter / 1000).toFixed(1)}s after the apply returned); ${rolloutLine(after3.ro)}`,
      `canary weight watched during the re-syncs: VS ${name}/primary ${watchedPrimary.join(' -> ')}; VS api-gateway/api-orders ${watchedGateway.join(' -> ')}`);
    expect(watchedPrimary.every((w) => w > 0)).toBe(true);
    expect(watchedGateway[watchedGateway.length - 1]).toBe(after3.ro.status?.canary?.weights?.canary?.weight);
    expect(after3.ro.status?.abort ?? false).toBe(false);
    expect(after3.ro.status?.currentPodHash).toBe(newHash);
    // The Git change reached the cluster (with RespectIgnoreDifferences it would not: docs/gitops.md).
    const gatewayRoutes = ((tryGet('virtualservices.networking.istio.io', 'api-gateway', ns)?.spec?.http ?? []) as Array<{ name?: string }>).map((r) => r.name);
    say(`api-gateway routes now: ${gatewayRoutes.join(', ')}`);
    expect(gatewayRoutes).toContain('api-stock');

    // The steps continue and the canary completes.
    const stepsSeen: number[] = [];
    await timed('canary after the re-syncs', () => waitFor('order-service canary promoted after the re-syncs', () => {
      const st = rollout(ns, name).status;
      if (stepsSeen[stepsSeen.length - 1] !== st?.currentStepIndex) stepsSeen.push(st?.currentStepIndex);
      expect(st?.abort ?? false).toBe(false);
      return st?.stableRS === newHash && st?.currentPodHash === newHash && st?.phase === 'Healthy';
    }, describeAll, 90_000, 250));
    say(`canary completed: steps ${stepsSeen.join(' -> ')}; ${rolloutLine(rollout(ns, name))}; weights ${JSON.stringify(weights())}`);
    expect(Math.max(...stepsSeen)).toBe(steps.length);
    expect(weights()).toEqual({ primary: { canary: 0, stable: 100 }, gateway: { canary: 0, stable: 100 } });
  });

  test('9 Day 2 with kubectl apply -f: a service off blue-green, autoscaling off and on again, a service onto a canary, autoscaling off and on again for Rollouts; what the plan says apply leaves happens, and its "how" prevents it', async () => {
    const env = 'staging';
    const ns = NS(env);
    /** `npm run diff` of variant `tag` against the output last applied (`from`). */
    const planOf = (tag: string, from: string) => {
      const r = spawnSync(process.execPath, [path.join(REPO, 'tools', 'launch.cjs'), 'bin/diff.ts', '--env', env, '--config', path.join(SPEC_DIR, tag, 'platform.yaml'), '--out', from], { encoding: 'utf8' });
      expect(r.status).toBe(2);
      return r.stdout;
    };
    /** The block of one object in a plan, and the command lines of its "how:". */
    const blockOf = (plan: string, object: string) => {
      const start = plan.indexOf(`  ${object}\n`);
      expect(start).toBeGreaterThanOrEqual(0);
      const block = plan.slice(start, plan.indexOf('\n\n', start));
      const commands = block.split('\n').map((l) => l.trim().replace(/^(then|before the apply|after the apply): /, '')).filter((l) => /^(kubectl |KUBE_EDITOR=)/.test(l));
      return { block, commands };
    };
    const run = (command: string) => {
      const r = shell(command);
      say(`$ ${command}`, `  exit ${r.code}: ${(r.stdout + r.stderr).trim().split('\n').slice(-3).join(' | ')}`);
      expect(r.code).toBe(0);
    };
    /** What serves a Service: its endpoints' pods, as "rollout <hash>" or "deployment". */
    const servedBy = (svc: string) => {
      const pods = new Map(list('pods', ns, `app.kubernetes.io/name=${svc}`).map((p) => [p.metadata.name, p]));
      const subsets = (tryGet('endpoints', svc, ns)?.subsets ?? []) as Array<{ addresses?: Array<{ targetRef?: { name: string } }> }>;
      const names = subsets.flatMap((sub) => (sub.addresses ?? []).map((a) => a.targetRef?.name ?? '?'));
      return [...new Set(names.map((n) => { const hash = pods.get(n)?.metadata.labels?.['rollouts-pod-template-hash']; return hash ? `rollout ${hash}` : 'deployment'; }))].sort();
    };

    // user-service leaves blue-green in staging: a Deployment of the same name instead of its Rollout.
    const name = 'user-service';
    const pinned = selectorHash(ns, name);
    expect(pinned).toBeDefined();
    const rolling = synthVariant('day2-rolling', (doc) => doc.setIn(['environments', env, 'services', name, 'delivery'], doc.createNode({ strategy: 'rolling' })));
    const switchPlan = blockOf(planOf('day2-rolling', base), `- Rollout.argoproj.io ${ns}/${name}`);
    say(...switchPlan.block.split('\n'));
    expect(switchPlan.block).toContain('NOT DESTROYED BY kubectl apply -f');
    expect(switchPlan.commands).toHaveLength(2);
    await timed('day 2: strategy switch', async () => {
      createSecrets(objectsIn(path.join(rolling, env)));
      applyDir(path.join(rolling, env));
      // The plan's first step: the Deployment rolls out. As the plan says, the Service still
      // selects only the Rollout's pods: the new Deployment serves nothing.
      run(switchPlan.commands[0]);
      const meanwhile = { selector: selectorHash(ns, name), served: servedBy(name) };
      say(`after the apply and the Deployment's rollout: Service ${name} selector hash ${meanwhile.selector}, endpoints ${meanwhile.served.join(', ')}`);
      expect(meanwhile).toEqual({ selector: pinned, served: [`rollout ${pinned}`] });
      // The plan's second step: the Rollout deleted, the Service selects the Deployment's pods.
      run(switchPlan.commands[1]);
      await waitFor(`Service ${name} serves the Deployment's pods only`, () => selectorHash(ns, name) === undefined && servedBy(name).join() === 'deployment',
        () => `selector hash ${selectorHash(ns, name)}, endpoints ${servedBy(name).join(', ')}`, 60_000, 500);
      say(`after the plan's commands: Service ${name} endpoints ${servedBy(name).join(', ')}`);
    });

    /**
     * Autoscaling off (7 fixed replicas) for `control` and `stepped`, workloads of `kind` (as the
     * plan names it): the plan says to delete each autoscaler before the apply; done, each keeps 7.
     * Then on again (3 to 8): the plan flags spec.replicas of both. `control` is applied without the
     * plan's manual step: it goes to 1 replica until its autoscaler's next sync. `stepped` with it:
     * 7 stay. Returns the output last applied.
     */
    const autoscalingOffAndOn = async (kind: 'Deployment.apps' | 'Rollout.argoproj.io', control: string, stepped: string, tag: string, from: string): Promise<string> => {
      const services = [control, stepped];
      const replicasOf = (svc: string) => tryGet(kind.toLowerCase(), svc, ns)?.spec?.replicas as number | undefined;
      const fixed = synthVariant(`${tag}-fixed`, (doc) => services.forEach((svc) => {
        doc.deleteIn(['services', svc, 'autoscaling']);
        doc.setIn(['services', svc, 'replicas'], 7);
      }));
      const fixedPlan = planOf(`${tag}-fixed`, from);
      await timed(`day 2: autoscaling off (${kind})`, async () => {
        for (const svc of services) {
          const { block, commands } = blockOf(fixedPlan, `- HorizontalPodAutoscaler.autoscaling ${ns}/${svc}`);
          expect(block).toContain('NOT DESTROYED BY kubectl apply -f');
          commands.forEach(run);
        }
        applyDir(path.join(fixed, env));
        await sleep(12_000); // more than two syncs of the simulation's autoscalers (5 s)
        const replicas = services.map(replicasOf);
        say(`autoscalers deleted as the plan says, then applied: ${kind} replicas ${services.map((svc, i) => `${svc} ${replicas[i]}`).join(', ')}`);
        expect(replicas).toEqual([7, 7]);
      });
      const autoscaled = synthVariant(`${tag}-autoscaled`, (doc) => services.forEach((svc) => doc.setIn(['services', svc, 'autoscaling'], doc.createNode({ minReplicas: 3, maxReplicas: 8 }))));
      const onPlan = planOf(`${tag}-autoscaled`, fixed);
      const step = blockOf(onPlan, `~ ${kind} ${ns}/${stepped}`);
      say(...step.block.split('\n'));
      expect(step.block).toContain('NEEDS A MANUAL STEP');
      expect(step.commands).toHaveLength(1);
      expect(blockOf(onPlan, `~ ${kind} ${ns}/${control}`).block).toContain('NEEDS A MANUAL STEP');
      await timed(`day 2: autoscaling on (${kind})`, async () => {
        step.commands.forEach(run);
        const lowest = new Map(services.map((svc) => [svc, 7]));
        applyDir(path.join(autoscaled, env));
        const until = Date.now() + 12_000;
        while (Date.now() < until) {
          for (const svc of services) lowest.set(svc, Math.min(lowest.get(svc)!, replicasOf(svc) ?? 0));
          await sleep(200);
        }
        say(`autoscaling on: lowest ${kind} spec.replicas seen in 12 s (none counted as 0): ${[...lowest].map(([svc, n]) => `${svc} ${n}`).join(', ')} (${control} without the plan's step, ${stepped} with it)`);
        expect(Object.fromEntries(lowest)).toEqual({ [control]: 1, [stepped]: 7 });
      });
      return autoscaled;
    };
    const autoscaled = await autoscalingOffAndOn('Deployment.apps', 'inventory-service', 'notification-service', 'day2', rolling);

    // notification-service onto a canary (its Deployment replaced by a Rollout): the plan says apply
    // leaves the Deployment, whose pods Service notification-service keeps selecting beside the
    // Rollout's; its steps wait for the Rollout to be Healthy, then delete the Deployment.
    const moved = 'notification-service';
    const canary = synthVariant('day2-canary', (doc) => doc.setIn(['environments', env, 'services', moved, 'delivery'], doc.createNode({
      strategy: 'canary', canary: { steps: [{ setWeight: 50 }, { pause: { duration: PAUSE } }, { setWeight: 100 }], analysis: [], trafficRouting: 'istio' },
    })));
    const toRollout = blockOf(planOf('day2-canary', autoscaled), `- Deployment.apps ${ns}/${moved}`);
    say(...toRollout.block.split('\n'));
    expect(toRollout.block).toContain('NOT DESTROYED BY kubectl apply -f');
    expect(toRollout.commands).toHaveLength(2);
    await timed('day 2: onto a canary', async () => {
      applyDir(path.join(canary, env));
      // The plan's first step: the Rollout becomes Healthy. Meanwhile both versions serve, as the plan says.
      run(toRollout.commands[0]);
      const both = servedBy(moved);
      say(`after the apply and the Rollout Healthy: Service ${moved} endpoints ${both.join(', ')}`);
      expect(both).toContain('deployment');
      expect(both.some((s) => s.startsWith('rollout '))).toBe(true);
      // The plan's second step: the Deployment deleted, only the Rollout's pods serve.
      run(toRollout.commands[1]);
      await waitFor(`Service ${moved} serves the Rollout's pods only`, () => { const now = servedBy(moved); return now.length > 0 && now.every((s) => s.startsWith('rollout ')); },
        () => `endpoints ${servedBy(moved).join(', ')}`, 60_000, 500);
      say(`after the plan's commands: Service ${moved} endpoints ${servedBy(moved).join(', ')}`);
    });

    // The same for two Rollouts: order-service (a canary from the start) and notification-service
    // (a canary since the step above). The plan gives a Rollout the rule and the step it gives a Deployment.
    await autoscalingOffAndOn('Rollout.argoproj.io', 'order-service', 'notification-service', 'day2-rollouts', canary);
  });
});
