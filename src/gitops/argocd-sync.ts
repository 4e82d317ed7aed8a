/**
 * What an Argo CD sync of one environment would send to the API server, given the live objects:
 * the objects of dist/<env>/ (what `kustomize build` gives: see kustomization.ts), compared and
 * applied under the Application's ignore rules and sync options. A model for tests and cluster
 * simulations, not Argo CD itself. It follows Argo CD's documented behaviour:
 * - an object counts as Synced when it equals the live object on the fields it sets, with the
 *   ignored fields left out on both sides (fields only the cluster sets are not compared, as in
 *   Argo CD's three-way diff);
 * - with ApplyOutOfSyncOnly, Synced objects are not applied;
 * - with RespectIgnoreDifferences, an object that exists is applied with the live values of the
 *   ignored fields. For custom resources Argo CD merges with a JSON merge patch, which replaces
 *   lists whole, so the whole top-level list holding an ignored field comes from the live object
 *   (argo-cd issues #27480, #17694); for built-in kinds only the ignored field does.
 */
import { apiGroup, type Manifest } from '../manifest';
import type { IgnoreRule } from './rollout-owned-fields';

/** The sync options that change what is applied. */
export interface ArgoCdSyncOptions {
  /** `ApplyOutOfSyncOnly=true`. */
  readonly applyOutOfSyncOnly: boolean;
  /** `RespectIgnoreDifferences=true`. */
  readonly respectIgnoreDifferences: boolean;
}

/** One object of a sync: what Argo CD does with it and what it sends. */
export interface ArgoCdSyncStep {
  /** create: not live yet; apply: OutOfSync (or applied anyway); skip: Synced and ApplyOutOfSyncOnly. */
  readonly action: 'create' | 'apply' | 'skip';
  /** Whether the object differs from the live one outside the ignored fields. */
  readonly outOfSync: boolean;
  /** The object sent to the API server (the desired object for skip: nothing is sent). */
  readonly object: Manifest;
}

type Json = unknown;
type Path = ReadonlyArray<string | number>;

/** API groups whose kinds Argo CD patches with strategic merge (per-element lists). */
const BUILT_IN_GROUPS = new Set(['', 'apps', 'autoscaling', 'batch', 'policy', 'networking.k8s.io', 'rbac.authorization.k8s.io', 'storage.k8s.io']);

/** Identity of an object for matching desired and live: group/kind/namespace/name. */
function objectIdentity(o: Manifest): string {
  return `${apiGroup(o.apiVersion)}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

/** The sync, object by object in the order given (Argo CD's own ordering is not modelled). */
export function argoCdSync(desired: readonly Manifest[], live: readonly Manifest[], rules: readonly IgnoreRule[], options: ArgoCdSyncOptions): ArgoCdSyncStep[] {
  const liveById = new Map(live.map((o) => [objectIdentity(o), o]));
  return desired.map((object) => {
    const current = liveById.get(objectIdentity(object));
    if (!current) return { action: 'create', outOfSync: true, object };
    const paths = ignoredPaths(rules, object);
    const outOfSync = !deepEqual(
      without(object, paths(object)),
      without(project(current, object), paths(current)),
    );
    if (!outOfSync && options.applyOutOfSyncOnly) return { action: 'skip', outOfSync, object };
    const sent = options.respectIgnoreDifferences ? withLiveValues(object, current, paths(current), BUILT_IN_GROUPS.has(apiGroup(object.apiVersion))) : object;
    return { action: 'apply', outOfSync, object: sent };
  });
}

/** The sync a generated Application (dist/gitops/argocd/<env>.yaml) would run: its ignore rules and sync options. */
export function applicationSync(application: Manifest, desired: readonly Manifest[], live: readonly Manifest[]): ArgoCdSyncStep[] {
  const spec = application.spec as { ignoreDifferences?: IgnoreRule[]; syncPolicy?: { syncOptions?: string[] } } | undefined;
  const syncOptions = spec?.syncPolicy?.syncOptions ?? [];
  return argoCdSync(desired, live, spec?.ignoreDifferences ?? [], {
    applyOutOfSyncOnly: syncOptions.includes('ApplyOutOfSyncOnly=true'),
    respectIgnoreDifferences: syncOptions.includes('RespectIgnoreDifferences=true'),
  });
}

/** The concrete paths the rules matching `target` ignore, evaluated on a given object. */
function ignoredPaths(rules: readonly IgnoreRule[], target: Manifest): (o: Json) => Path[] {
  const matching = rules.filter((r) => r.group === apiGroup(target.apiVersion) && r.kind === target.kind && r.name === target.metadata.name
    && (r.namespace === '' || r.namespace === (target.metadata.namespace ?? '')));
  return (o) => matching.flatMap((r) => [
    ...(r.jsonPointers ?? []).map(parsePointer).filter((p) => has(o, p)),
    ...(r.jqPathExpressions ?? []).flatMap((e) => jqPaths(o, e)),
  ]);
}

/** RFC 6901 pointer to a path. */
function parsePointer(pointer: string): Path {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new Error(`not a JSON pointer: ${pointer}`);
  return pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/**
 * Paths a jq path expression selects, for the subset the generated rules use: `.a.b`, `[]`,
 * and `select(.field == "value")`, joined with `|`. Anything else throws.
 */
export function jqPaths(root: Json, expression: string): Path[] {
  let current: Array<{ path: Path; value: Json }> = [{ path: [], value: root }];
  for (const stage of expression.split('|').map((s) => s.trim())) {
    const select = /^select\(\s*\.([A-Za-z_][A-Za-z0-9_]*)\s*==\s*("(?:[^"\\]|\\.)*")\s*\)$/.exec(stage);
    if (select) {
      const [, field, literal] = select;
      const wanted = JSON.parse(literal) as string;
      current = current.filter((c) => isObject(c.value) && c.value[field] === wanted);
      continue;
    }
    if (!/^(\.[A-Za-z_][A-Za-z0-9_]*(\[\])?)+$/.test(stage)) throw new Error(`unsupported jq path expression "${stage}" in ${expression}`);
    for (const [, key, each] of stage.matchAll(/\.([A-Za-z_][A-Za-z0-9_]*)(\[\])?/g)) {
      current = current.flatMap((c) => {
        if (!isObject(c.value) || !(key in c.value)) return [];
        const next = { path: [...c.path, key], value: c.value[key] };
        if (!each) return [next];
        return Array.isArray(next.value) ? next.value.map((v, i) => ({ path: [...next.path, i], value: v })) : [];
      });
    }
  }
  return current.map((c) => c.path);
}

/** `live` reduced to the fields `desired` sets (lists element by element). */
function project(live: Json, desired: Json): Json {
  if (isObject(live) && isObject(desired)) {
    return Object.fromEntries(Object.keys(desired).filter((k) => k in live).map((k) => [k, project(live[k], desired[k])]));
  }
  if (Array.isArray(live) && Array.isArray(desired)) return live.map((v, i) => (i < desired.length ? project(v, desired[i]) : v));
  return live;
}

/** A copy without the given paths. */
function without(o: Json, paths: readonly Path[]): Json {
  const copy = structuredClone(o);
  // Deepest and highest index first, so removing one path does not shift another.
  for (const p of [...paths].sort(comparePathsDescending)) remove(copy, p);
  return copy;
}

/** The desired object with the live values at the ignored paths (whole top-level lists for custom resources). */
function withLiveValues(desired: Manifest, live: Manifest, livePaths: readonly Path[], builtIn: boolean): Manifest {
  const out = structuredClone(desired) as Manifest;
  for (const p of livePaths) {
    const firstIndex = p.findIndex((s) => typeof s === 'number');
    const from = builtIn || firstIndex <= 0 ? p : p.slice(0, firstIndex);
    set(out, from, structuredClone(get(live, from)));
  }
  return out;
}

function isObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function get(o: Json, p: Path): Json {
  let v = o;
  for (const s of p) v = isObject(v) || Array.isArray(v) ? (v as Record<string | number, Json>)[s] : undefined;
  return v;
}

function has(o: Json, p: Path): boolean {
  let v = o;
  for (const s of p) {
    if (!(isObject(v) || Array.isArray(v)) || !(s in (v as object))) return false;
    v = (v as Record<string | number, Json>)[s];
  }
  return true;
}

function set(o: Json, p: Path, value: Json): void {
  const parent = get(o, p.slice(0, -1));
  if (isObject(parent) || Array.isArray(parent)) (parent as Record<string | number, Json>)[p[p.length - 1]] = value;
}

function remove(o: Json, p: Path): void {
  const parent = get(o, p.slice(0, -1));
  const last = p[p.length - 1];
  if (Array.isArray(parent) && typeof last === 'number') parent.splice(last, 1);
  else if (isObject(parent)) delete parent[last as string];
}

function comparePathsDescending(a: Path, b: Path): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) return typeof a[i] === 'number' && typeof b[i] === 'number' ? (b[i] as number) - (a[i] as number) : String(b[i]) < String(a[i]) ? -1 : 1;
  }
  return b.length - a.length;
}

function deepEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && deepEqual(a[k], b[k]));
  }
  return false;
}
