/**
 * Faster, output-identical rendering of ApiObjects for synthesis.
 *
 * cdk8s renders an object in three passes: `resolve()`, `sanitizeValue()` and, for generated
 * L1 classes, a `toJson_*` mapper that renames fields and unwraps int-or-string values.
 * `resolve()` walks the construct tree to the App and allocates a context and a copy of the
 * key path for every value; the mappers copy each object once per defined field. Together
 * that was about two thirds of synth time for 1000 services. Here:
 *
 * - Every object of an App that has only cdk8s's built-in resolvers gets one pass for
 *   resolve and sanitize (the resolvers' rules inline, key sorting and null dropping fused).
 * - Objects of the kinds in {@link DIRECT_KINDS} (Kubernetes kinds from cdk8s-plus-27 and the
 *   Istio kinds the platform uses), of exactly their generated class and without JSON patches,
 *   also skip the mapper: the same pass renames fields (tables generated from the mappers,
 *   see json-names-gen.ts) and unwraps IntOrString and Quantity. Anything this pass cannot
 *   render exactly as the mapper would (another union-like class, a field given under two
 *   names, a field a mapper writes out of order) falls back to cdk8s.
 *
 * Everything else keeps cdk8s's own code path. A test renders every object of every
 * environment both ways and requires byte-identical output. One difference is by design: a
 * field that is not in the Kubernetes schema (only reachable through a cast) is kept, where
 * the mapper would drop it silently; the strict schema tests reject such objects.
 */
import {
  ApiObject, ApiObjectMetadataDefinition, App, ImplicitTokenResolver, JsonPatch, Lazy,
  LazyResolver, NumberStringUnionResolver,
} from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import {
  AuthorizationPolicy, PeerAuthentication, RequestAuthentication,
} from '../../imports/istio-security.istio.io';
import { DestinationRule, Gateway, VirtualService } from '../../imports/istio-networking.istio.io';
import { JSON_RENAMES, MAP_FIELDS, MAPPER_ONLY_FIELDS } from './json-names';

type Json = unknown;

/** Kinds rendered without their generated mapper: their schemas hold no free-form (any) fields. */
const DIRECT_KINDS: ReadonlyArray<{ prototype: ApiObject }> = [
  k8s.KubeNamespace, k8s.KubeServiceAccount, k8s.KubeService, k8s.KubeConfigMap, k8s.KubeSecret,
  k8s.KubeDeployment, k8s.KubeStatefulSet, k8s.KubeJob, k8s.KubeCronJob, k8s.KubePersistentVolumeClaim,
  k8s.KubeHorizontalPodAutoscalerV2, k8s.KubePodDisruptionBudget, k8s.KubeNetworkPolicy,
  k8s.KubeRole, k8s.KubeRoleBinding, k8s.KubeClusterRole, k8s.KubeClusterRoleBinding,
  VirtualService, DestinationRule, Gateway, AuthorizationPolicy, PeerAuthentication, RequestAuthentication,
];
const DIRECT_PROTOTYPES: ReadonlySet<object> = new Set(DIRECT_KINDS.map((c) => c.prototype));

interface Options {
  readonly sortKeys: boolean;
  /** Drop empty arrays and objects (metadata is sanitized this way). */
  readonly filterEmpty: boolean;
  /** Direct mode: render as the generated mapper does (rename fields, unwrap IntOrString and Quantity). */
  readonly k8s: boolean;
}

/** Thrown inside the direct Kubernetes pass when only cdk8s's own path renders exactly. */
class NeedsMapper extends Error {}

/** The fields of cdk8s's classes this renderer reads (private in cdk8s's typings). */
interface ApiObjectInternals { readonly props: Record<string, unknown>; readonly patches: JsonPatch[] }
interface MetadataInternals {
  readonly _additionalAttributes: Record<string, unknown>;
  readonly name?: string; readonly namespace?: string;
  readonly annotations: unknown; readonly finalizers: unknown; readonly ownerReferences: unknown; readonly labels: unknown;
}

/** True when the App resolves values with exactly cdk8s's three built-in resolvers. */
export function hasBuiltInResolversOnly(app: App): boolean {
  const r = app.resolvers;
  return r.length === 3 && r[0].constructor === LazyResolver && r[1].constructor === ImplicitTokenResolver
    && r[2].constructor === NumberStringUnionResolver;
}

/** Applies the built-in resolvers to one value until none replaces it (cdk8s's order). */
function applyResolvers(value: Json, options: Options): Json {
  let v = value;
  for (;;) {
    if (v === null || v === undefined || (typeof v !== 'object' && typeof v !== 'function')) return v;
    const o = v as { resolve?: unknown; value?: unknown; constructor?: unknown };
    if (v instanceof Lazy) { v = v.produce(); continue; }
    if (typeof o.resolve === 'function') { v = (o.resolve as () => Json)(); continue; }
    if (o.constructor !== Object && (typeof o.value === 'number' || typeof o.value === 'string')) {
      if (!options.k8s) { v = { value: o.value }; continue; }
      // The mapper reads `.value` where the schema has int-or-string or a quantity.
      if (v instanceof k8s.IntOrString || v instanceof k8s.Quantity) return o.value;
      throw new NeedsMapper();
    }
    return v;
  }
}

/** `sanitizeValue` alone, for values `resolve()` leaves untouched (objects of another realm). */
function sanitizeOnly(value: Json, options: Options): Json {
  if (value === null || value === undefined) return undefined;
  if (typeof value !== 'object') return value;
  if (options.k8s) throw new NeedsMapper();
  if (Array.isArray(value)) {
    if (options.filterEmpty && value.length === 0) return undefined;
    return value.map((x) => sanitizeOnly(x, options));
  }
  const name = (value.constructor as { name: string }).name;
  if (name !== 'Object') throw new Error(`can't render non-simple object of type '${name}'`);
  const out: Record<string, Json> = {};
  const keys = Object.keys(value);
  for (const k of options.sortKeys ? keys.sort() : keys) {
    const s = sanitizeOnly((value as Record<string, Json>)[k], options);
    if (s !== null && s !== undefined) out[k] = s;
  }
  return options.filterEmpty && Object.keys(out).length === 0 ? undefined : out;
}

/**
 * `sanitizeValue(resolve(value))` in one pass, with the built-in resolvers; in direct mode also
 * the mapper's renames. `inMap` marks the entries of a map field, whose keys are data.
 */
function render(value: Json, options: Options, inMap: boolean): Json {
  const v = applyResolvers(value, options);
  if (v === null || v === undefined) return undefined;
  if (typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    const n = v.length;
    if (options.filterEmpty && n === 0) return undefined;
    const out = new Array<Json>(n);
    for (let i = 0; i < n; i++) if (i in v) out[i] = render(v[i], options, false);
    return out;
  }
  // resolve() descends only into objects whose constructor is Object; sanitize accepts any named "Object".
  if ((v as { constructor?: unknown }).constructor != Object) return sanitizeOnly(v, options);
  const src = v as Record<string, Json>;
  const keys = Object.keys(src);
  const n = keys.length;
  const renaming = options.k8s && !inMap;
  const names = renaming ? renamed(keys) : keys;
  if (renaming && keys.some((k) => MAPPER_ONLY_FIELDS.has(k))) throw new NeedsMapper();
  const out: Record<string, Json> = {};
  if (!options.sortKeys || isSorted(names)) {
    for (let i = 0; i < n; i++) {
      const r = renderChild(src[keys[i]], options, options.k8s && MAP_FIELDS.has(keys[i]));
      if (r !== undefined) put(out, names[i], r, names !== keys);
    }
  } else {
    // Resolve in the object's own key order (lazy producers run in cdk8s's order), then sort.
    const values = new Array<Json>(n);
    for (let i = 0; i < n; i++) values[i] = renderChild(src[keys[i]], options, options.k8s && MAP_FIELDS.has(keys[i]));
    const order = sortedIndexes(names);
    for (let j = 0; j < n; j++) {
      const i = order[j];
      if (values[i] !== undefined) put(out, names[i], values[i], names !== keys);
    }
  }
  return options.filterEmpty && Object.keys(out).length === 0 ? undefined : out;
}

/** A property value: scalars inline (most values), everything else through {@link render}. */
function renderChild(x: Json, options: Options, inMap: boolean): Json {
  if (x === null) return undefined;
  return typeof x === 'object' || typeof x === 'function' ? render(x, options, inMap) : x;
}

function put(out: Record<string, Json>, name: string, value: Json, renamedKeys: boolean): void {
  if (value === null) return;
  // A field given under both names ("clusterIp" and "clusterIP"): only the mapper knows which wins.
  if (renamedKeys && name in out) throw new NeedsMapper();
  out[name] = value;
}

const RENAMES = new Map(Object.entries(JSON_RENAMES));

/** The JSON names of the keys (the same array when none is renamed). */
function renamed(keys: string[]): string[] {
  for (const k of keys) if (RENAMES.has(k)) return keys.map((x) => RENAMES.get(x) ?? x);
  return keys;
}

function isSorted(keys: readonly string[]): boolean {
  for (let i = 1; i < keys.length; i++) if (keys[i - 1] > keys[i]) return false;
  return true;
}

/** Indexes of `keys` in the order `Array.prototype.sort` puts them (UTF-16 code units). */
function sortedIndexes(keys: readonly string[]): number[] {
  const order = new Array<number>(keys.length);
  for (let i = 0; i < keys.length; i++) {
    // Insertion sort: objects have few keys, and this avoids a comparator closure per object.
    let j = i;
    while (j > 0 && keys[order[j - 1]] > keys[i]) { order[j] = order[j - 1]; j--; }
    order[j] = i;
  }
  return order;
}

function metadataJson(metadata: ApiObjectMetadataDefinition): Json {
  const m = metadata as unknown as MetadataInternals;
  // cdk8s deletes a key from _additionalAttributes, which leaves it a slow dictionary; spreading it
  // made every object's metadata slow too. Copying its keys gives the same object (same key order).
  const extra = m._additionalAttributes;
  const data: Record<string, unknown> = {};
  for (const k of Object.keys(extra)) data[k] = extra[k];
  data.name = m.name;
  data.namespace = m.namespace;
  data.annotations = m.annotations;
  data.finalizers = m.finalizers;
  data.ownerReferences = m.ownerReferences;
  data.labels = m.labels;
  return render(data, { sortKeys: true, filterEmpty: true, k8s: false }, false);
}

/** The body of `ApiObject.prototype.toJson`, with the one-pass renderer. */
function apiObjectJson(obj: ApiObject, sortKeys: boolean, k8sMode: boolean): Record<string, Json> {
  const internals = obj as unknown as ApiObjectInternals;
  try {
    const data = { ...internals.props, metadata: metadataJson(obj.metadata) };
    const json = render(data, { sortKeys, filterEmpty: false, k8s: k8sMode }, false);
    // With no operations, JsonPatch.apply returns the document itself.
    const patched = (internals.patches.length ? JsonPatch.apply(json, ...internals.patches) : json) as Record<string, Json>;
    const result: Record<string, Json> = {};
    for (const k of ['apiVersion', 'kind', 'metadata', ...Object.keys(patched)]) {
      if (k in patched) result[k] = patched[k];
    }
    return result;
  } catch (e) {
    if (e instanceof NeedsMapper) throw e;
    throw new Error(`Failed serializing construct at path '${obj.node.path}' with name '${obj.name}': ${e}`);
  }
}

/** True when the cdk8s internals this renderer reads are where it expects them. */
function internalsPresent(obj: ApiObject): boolean {
  const i = obj as unknown as Partial<ApiObjectInternals>;
  const m = obj.metadata as unknown as Partial<MetadataInternals>;
  return typeof i.props === 'object' && Array.isArray(i.patches) && typeof m._additionalAttributes === 'object';
}

/** Whether the object can skip its class's mapper (see the module comment). */
function rendersDirectly(obj: ApiObject): boolean {
  return DIRECT_PROTOTYPES.has(Object.getPrototypeOf(obj)) && (obj as unknown as ApiObjectInternals).patches.length === 0;
}

/**
 * Renders a value of a Kubernetes type (a pod template inside a custom resource) as its
 * generated mapper followed by key sorting would; `viaMapper` is used when the direct pass
 * cannot be exact.
 */
export function renderKubernetesValue(value: unknown, viaMapper: () => unknown): unknown {
  try {
    return render(value, { sortKeys: true, filterEmpty: false, k8s: true }, false);
  } catch (e) {
    if (e instanceof NeedsMapper) return viaMapper();
    throw e;
  }
}

/** Renders one object of the App given to {@link withFastApiObjectJson}. */
export type RenderApiObject = (obj: ApiObject) => Record<string, Json>;

/**
 * Runs `body` with a renderer for the objects of `app`. While it runs,
 * `ApiObject.prototype.toJson` is the one-pass renderer for the objects of `app` (generated
 * L1 classes reach it through `super.toJson()`); the original is restored before this returns
 * or throws. Rendering is synchronous, so no other code can observe the swap.
 */
export function withFastApiObjectJson<T>(app: App, body: (renderObject: RenderApiObject) => T): T {
  const proto = ApiObject.prototype;
  const original = Object.getOwnPropertyDescriptor(proto, 'toJson');
  if (!hasBuiltInResolversOnly(app) || !original || typeof original.value !== 'function') return body((o) => o.toJson());
  const originalToJson = original.value as (this: ApiObject) => Record<string, Json>;
  const sortKeys = !process.env.CDK8S_DISABLE_SORT;
  const ours = (o: ApiObject) => App.of(o) === app && internalsPresent(o);
  const renderObject: RenderApiObject = (o) => {
    if (ours(o) && rendersDirectly(o)) {
      try {
        return apiObjectJson(o, sortKeys, true);
      } catch (e) {
        if (!(e instanceof NeedsMapper)) throw e;
      }
    }
    return o.toJson();
  };
  Object.defineProperty(proto, 'toJson', {
    ...original,
    value: function toJson(this: ApiObject) {
      return ours(this) ? apiObjectJson(this, sortKeys, false) : originalToJson.call(this);
    },
  });
  try {
    return body(renderObject);
  } finally {
    Object.defineProperty(proto, 'toJson', original);
  }
}
