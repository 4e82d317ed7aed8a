/**
 * Faster, output-identical rendering of ApiObjects for synthesis.
 *
 * cdk8s renders an object in three passes: `resolve()`, `sanitizeValue()` and, for generated
 * L1 classes, a `toJson_*` mapper that renames fields, drops unknown ones and unwraps
 * int-or-string values. `resolve()` walks the construct tree to the App and allocates a context
 * and a copy of the key path for every value; the mappers copy each object once per defined
 * field. Together that was about two thirds of synth time for 1000 services. Here:
 *
 * - Every object of an App that has only cdk8s's built-in resolvers gets one pass for
 *   resolve and sanitize (the resolvers' rules inline, key sorting and null dropping fused).
 * - Objects of the kinds in {@link DIRECT_KINDS}, of exactly their generated class (or of a
 *   subclass that declares {@link ADJUSTS_RENDERED_JSON}) and without JSON patches, also skip the mapper: the same pass follows the mapper's own structure,
 *   generated from its code into mapper-tables.ts (field order, JSON names, which fields are
 *   structs, lists, maps or int-or-string). Objects that hold a Lazy or a token, a field the
 *   mapper does not know, or a value the mapper would choke on take cdk8s's path instead,
 *   before any producer has run, so nothing is produced twice.
 *
 * Everything else keeps cdk8s's own code path. A test renders every object of every
 * environment both ways and requires byte-identical output.
 *
 * `PLATFORM_DIRECT_RENDER=off` in the environment switches all of this off: every object then
 * takes cdk8s's own path (docs/performance.md has what it saves).
 */
import {
  ApiObject, ApiObjectMetadataDefinition, App, ImplicitTokenResolver, JsonPatch, Lazy,
  LazyResolver, NumberStringUnionResolver,
} from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { DestinationRule, Gateway, VirtualService } from '../../imports/istio-networking.istio.io';
import {
  AuthorizationPolicy, PeerAuthentication, RequestAuthentication,
} from '../../imports/istio-security.istio.io';
import { MapperField } from './mapper-field';
import { MAPPERS } from './mapper-tables';

type Json = unknown;

/** Kinds rendered without their generated mapper, with the mapper table of their props type. */
const DIRECT_KINDS: ReadonlyArray<readonly [{ prototype: ApiObject }, string]> = [
  [k8s.KubeNamespace, 'k8s:KubeNamespaceProps'], [k8s.KubeServiceAccount, 'k8s:KubeServiceAccountProps'],
  [k8s.KubeService, 'k8s:KubeServiceProps'], [k8s.KubeConfigMap, 'k8s:KubeConfigMapProps'], [k8s.KubeSecret, 'k8s:KubeSecretProps'],
  [k8s.KubeDeployment, 'k8s:KubeDeploymentProps'], [k8s.KubeStatefulSet, 'k8s:KubeStatefulSetProps'],
  [k8s.KubeJob, 'k8s:KubeJobProps'], [k8s.KubeCronJob, 'k8s:KubeCronJobProps'],
  [k8s.KubePersistentVolumeClaim, 'k8s:KubePersistentVolumeClaimProps'],
  [k8s.KubeHorizontalPodAutoscalerV2, 'k8s:KubeHorizontalPodAutoscalerV2Props'],
  [k8s.KubePodDisruptionBudget, 'k8s:KubePodDisruptionBudgetProps'], [k8s.KubeNetworkPolicy, 'k8s:KubeNetworkPolicyProps'],
  [k8s.KubeRole, 'k8s:KubeRoleProps'], [k8s.KubeRoleBinding, 'k8s:KubeRoleBindingProps'],
  [k8s.KubeClusterRole, 'k8s:KubeClusterRoleProps'], [k8s.KubeClusterRoleBinding, 'k8s:KubeClusterRoleBindingProps'],
  [VirtualService, 'istio-networking:VirtualServiceProps'], [DestinationRule, 'istio-networking:DestinationRuleProps'],
  [Gateway, 'istio-networking:GatewayProps'], [AuthorizationPolicy, 'istio-security:AuthorizationPolicyProps'],
  [PeerAuthentication, 'istio-security:PeerAuthenticationProps'], [RequestAuthentication, 'istio-security:RequestAuthenticationProps'],
];

/**
 * Objects for the rendered output: plain objects (prototype Object.prototype, constructor Object,
 * as `{}`) whose hidden classes are their own. V8 shares one hidden class among objects that got
 * the same keys in the same order, through transitions from the empty object's class; past about
 * 1500 different first keys it stops recording new ones, and each object whose first key is new
 * from then on gets hidden classes of its own. The construct tree alone passes that (its children
 * objects start with ids such as a service's name), so for 1000 services nearly every rendered
 * object had its own: 215,000 hidden classes with their descriptors and enum caches, 40 MB of a
 * 140 MB heap. Objects made by this constructor start from a class no other code extends.
 */
const PlainObject = function PlainObject(): void { /* no fields: keys are added as rendered */ } as unknown as new () => Record<string, Json>;
PlainObject.prototype = Object.prototype;
const newObject = (): Record<string, Json> => new PlainObject();

/** A mapper's fields, and the position of each TypeScript name among them. */
interface StructType { readonly fields: readonly MapperField[]; readonly known: ReadonlyMap<string, number> }

const TYPES = new Map<string, StructType>(
  [...MAPPERS].map(([name, fields]) => [name, { fields, known: new Map(fields.map((f, i) => [f[1], i])) }]),
);

function structType(name: string): StructType {
  const t = TYPES.get(name);
  if (!t) throw new Error(`mapper-tables.ts has no ${name}; run npm run gen:mapper-tables`);
  return t;
}

interface DirectKind {
  readonly type: StructType;
  /** The mapper of its metadata, when it has one (Kubernetes kinds; Istio passes metadata through). */
  readonly metadata?: StructType;
  readonly gvk: { readonly apiVersion: string; readonly kind: string };
  /** What a subclass does to its generated class's JSON ({@link ADJUSTS_RENDERED_JSON}). */
  readonly adjust?: (json: Record<string, Json>) => Record<string, Json>;
}

/**
 * The key of a static method `adjust(json)` that a subclass of a kind in DIRECT_KINDS declares when
 * its `toJson()` is `adjust(super.toJson())` and nothing else. The direct pass then renders it too:
 * its base class's mapper table, then `adjust`. Without it, a subclass that overrides `toJson` takes
 * cdk8s's path through the generated mapper; so does a subclass of that subclass, which does not
 * declare the method itself.
 */
export const ADJUSTS_RENDERED_JSON: unique symbol = Symbol('adjustsRenderedJson');

/** Per generated class: its props mapper table, its metadata's, and the GVK its `toJson` always writes. */
const DIRECT_ROOTS = new Map<object, DirectKind>(DIRECT_KINDS.map(([cls, root]) => {
  const type = structType(root);
  const meta = type.fields[type.known.get('metadata') ?? -1];
  return [cls.prototype, {
    type,
    metadata: meta?.[2] === 'struct' ? structType(meta[3]!) : undefined,
    gvk: (cls as unknown as { GVK: DirectKind['gvk'] }).GVK,
  }];
}));

interface Options {
  readonly sortKeys: boolean;
  /** Drop empty arrays and objects (metadata is sanitized this way). */
  readonly filterEmpty: boolean;
  /** Direct mode: a Lazy or token means cdk8s's path (so that nothing is produced twice). */
  readonly refuseTokens: boolean;
  /** The value is already resolved and sanitized (metadata): plain subtrees are taken as they are. */
  readonly sanitized?: boolean;
}

/** Thrown inside the direct pass when only cdk8s's own path renders exactly. */
class NeedsMapper extends Error {}

/** An error of the direct pass after metadata producers ran: reported, never retried on cdk8s's path. */
class SerializationError extends Error {}

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
    if (v instanceof Lazy) {
      if (options.refuseTokens) throw new NeedsMapper();
      v = v.produce();
      continue;
    }
    if (typeof o.resolve === 'function') {
      if (options.refuseTokens) throw new NeedsMapper();
      v = (o.resolve as () => Json)();
      continue;
    }
    if (o.constructor !== Object && (typeof o.value === 'number' || typeof o.value === 'string')) { v = { value: o.value }; continue; }
    return v;
  }
}

/** `sanitizeValue` alone, for values `resolve()` leaves untouched (objects of another realm). */
function sanitizeOnly(value: Json, options: Options): Json {
  if (value === null || value === undefined) return undefined;
  if (typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    if (options.filterEmpty && value.length === 0) return undefined;
    return value.map((x) => sanitizeOnly(x, options));
  }
  const name = (value.constructor as { name: string }).name;
  if (name !== 'Object') throw new Error(`can't render non-simple object of type '${name}'`);
  const out = newObject();
  const keys = Object.keys(value);
  for (const k of options.sortKeys ? keys.sort() : keys) {
    const s = sanitizeOnly((value as Record<string, Json>)[k], options);
    if (s !== null && s !== undefined) out[k] = s;
  }
  return options.filterEmpty && Object.keys(out).length === 0 ? undefined : out;
}

/** `sanitizeValue(resolve(value))` in one pass, with the built-in resolvers. */
function render(value: Json, options: Options): Json {
  const v = applyResolvers(value, options);
  if (v === null || v === undefined) return undefined;
  if (typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    const n = v.length;
    if (options.filterEmpty && n === 0) return undefined;
    const out = new Array<Json>(n);
    for (let i = 0; i < n; i++) if (i in v) out[i] = render(v[i], options);
    return out;
  }
  // resolve() descends only into objects whose constructor is Object; sanitize accepts any named "Object".
  if ((v as { constructor?: unknown }).constructor != Object) return sanitizeOnly(v, options);
  const src = v as Record<string, Json>;
  const keys = Object.keys(src);
  const n = keys.length;
  const out = newObject();
  // No producer can run in direct mode, so the order of resolving does not matter: sort first.
  if (options.sortKeys && options.refuseTokens) keys.sort();
  if (!options.sortKeys || isSorted(keys)) {
    for (let i = 0; i < n; i++) {
      const r = renderChild(src[keys[i]], options);
      if (r !== undefined) out[keys[i]] = r;
    }
  } else {
    // Resolve in the object's own key order (lazy producers run in cdk8s's order), then sort.
    const values = new Array<Json>(n);
    for (let i = 0; i < n; i++) values[i] = renderChild(src[keys[i]], options);
    const order = sortedIndexes(keys);
    for (let j = 0; j < n; j++) {
      const i = order[j];
      if (values[i] !== undefined) out[keys[i]] = values[i];
    }
  }
  return options.filterEmpty && Object.keys(out).length === 0 ? undefined : out;
}

/** A property value: scalars inline (most values), everything else through {@link render}. */
function renderChild(x: Json, options: Options): Json {
  if (x === null) return undefined;
  return typeof x === 'object' || typeof x === 'function' ? render(x, options) : x;
}

function isPlainObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && (v as { constructor?: unknown }).constructor === Object;
}

/**
 * `toJson_<type>(sanitizeValue(resolve(value)))` in one pass: fields in the mapper's order under
 * their JSON names, converted as the mapper converts them. `value` is the unresolved props value.
 */
function renderStruct(value: Json, type: StructType, options: Options): Json {
  const v = applyResolvers(value, options);
  if (v === null || v === undefined) return undefined;
  // The mapper reads fields of whatever it gets; only plain objects go through it the same way.
  if (!isPlainObject(v)) throw new NeedsMapper();
  // The fields present, in the mapper's order (objects set a few of their type's many fields).
  const present: number[] = [];
  for (const k in v) {
    const i = type.known.get(k);
    if (i === undefined) throw new NeedsMapper(); // the mapper would drop it
    if (v[k] === undefined) continue;
    let j = present.length;
    while (j > 0 && present[j - 1] > i) { present[j] = present[j - 1]; j--; }
    present[j] = i;
  }
  const out = newObject();
  for (const i of present) {
    const [json, ts, kind, struct] = type.fields[i];
    const y = renderField(v[ts], kind, struct, options);
    if (y !== undefined) out[json] = y;
  }
  return out;
}

function renderField(x: Json, kind: MapperField[2], struct: string | undefined, options: Options): Json {
  if (options.sanitized && (kind === 'value' || kind === 'list' || kind === 'map')) {
    if (kind === 'list' && !Array.isArray(x)) throw new NeedsMapper();
    if (kind === 'map' && !isPlainObject(x)) throw new NeedsMapper();
    return x;
  }
  switch (kind) {
    case 'value':
      return renderChild(x, options);
    case 'struct':
      return renderStruct(x, structType(struct!), options);
    case 'union': {
      const r = renderChild(x, options);
      return r === undefined ? undefined : (r as { value?: Json }).value;
    }
    case 'list': {
      const r = renderChild(x, options);
      if (r !== undefined && !Array.isArray(r)) throw new NeedsMapper();
      return r;
    }
    case 'structList': {
      const list = applyResolvers(x, options);
      if (list === null || list === undefined) return undefined;
      if (!Array.isArray(list)) throw new NeedsMapper();
      const type = structType(struct!);
      const out = new Array<Json>(list.length);
      for (let i = 0; i < list.length; i++) if (i in list) out[i] = renderStruct(list[i], type, options);
      return out;
    }
    case 'map':
    case 'unionMap':
    case 'listMap': {
      const r = renderChild(x, options);
      if (r === undefined) return undefined;
      if (!isPlainObject(r)) throw new NeedsMapper();
      if (kind === 'map') return r;
      const out = newObject();
      for (const k of Object.keys(r)) {
        if (kind === 'listMap' && !Array.isArray(r[k])) throw new NeedsMapper();
        const y = kind === 'unionMap' ? (r[k] as { value?: Json }).value : r[k];
        if (y !== undefined) out[k] = y;
      }
      return out;
    }
    case 'structMap': {
      const map = applyResolvers(x, options);
      if (map === null || map === undefined) return undefined;
      if (!isPlainObject(map)) throw new NeedsMapper();
      const type = structType(struct!);
      const keys = Object.keys(map);
      const out = newObject();
      for (const k of options.sortKeys ? keys.sort() : keys) {
        const y = renderStruct(map[k], type, options);
        if (y !== undefined) out[k] = y;
      }
      return out;
    }
    default: // 'date': sanitizing rejects Dates before the mapper could convert one
      throw new NeedsMapper();
  }
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

/** The metadata object cdk8s resolves, built without spreading its slow attribute dictionary. */
function metadataData(metadata: ApiObjectMetadataDefinition): Record<string, unknown> {
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
  return data;
}

/** `ApiObjectMetadataDefinition.toJson()`: sanitized with empty arrays and objects dropped. */
function metadataJson(metadata: ApiObjectMetadataDefinition): Json {
  return render(metadataData(metadata), { sortKeys: true, filterEmpty: true, refuseTokens: false });
}

/** The body of `ApiObject.prototype.toJson`, with the one-pass renderer. */
function apiObjectJson(obj: ApiObject, sortKeys: boolean): Record<string, Json> {
  const internals = obj as unknown as ApiObjectInternals;
  try {
    const data = { ...internals.props, metadata: metadataJson(obj.metadata) };
    const json = render(data, { sortKeys, filterEmpty: false, refuseTokens: false });
    // With no operations, JsonPatch.apply returns the document itself.
    const patched = (internals.patches.length ? JsonPatch.apply(json, ...internals.patches) : json) as Record<string, Json>;
    const result = newObject();
    for (const k of ['apiVersion', 'kind', 'metadata', ...Object.keys(patched)]) {
      if (k in patched) result[k] = patched[k];
    }
    return result;
  } catch (e) {
    throw new Error(`Failed serializing construct at path '${obj.node.path}' with name '${obj.name}': ${e}`);
  }
}

/**
 * What the generated class renders (`{ ...GVK, ...toJson_<Kind>Props(super.toJson()) }`), in one
 * pass; throws NeedsMapper, before any Lazy is produced, where that would not be exact.
 */
function directJson(obj: ApiObject, kind: DirectKind, sortKeys: boolean): Record<string, Json> {
  const root = kind.type;
  const props = (obj as unknown as ApiObjectInternals).props;
  const options: Options = { sortKeys, filterEmpty: false, refuseTokens: true };
  // cdk8s spreads the GVK into the props; the mapper drops every key it does not know.
  for (const k in props) if (k !== 'apiVersion' && k !== 'kind' && !root.known.has(k)) throw new NeedsMapper();
  const meta = kind.metadata;
  const metaData = metadataData(obj.metadata);
  // Metadata is resolved last (its producers run once): check now that the mapper will take it.
  if (meta) for (const k in metaData) if (!metadataFieldIsDirect(meta, k, metaData[k])) throw new NeedsMapper();
  const fields = new Map<string, Json>();
  for (const [json, ts, fieldKind, struct] of root.fields) {
    if (ts === 'metadata' || props[ts] === undefined) continue;
    const y = renderField(props[ts], fieldKind, struct, options);
    if (y !== undefined) fields.set(json, y);
  }
  let metadata: Json;
  try {
    metadata = metadataJson(obj.metadata);
    if (meta) metadata = renderStruct(metadata, meta, { ...options, sanitized: true });
  } catch (e) {
    // Producers have run: report as cdk8s does rather than run them again on its path.
    throw new SerializationError(`Failed serializing construct at path '${obj.node.path}' with name '${obj.name}': ${e}`);
  }
  // The generated toJson writes its class's GVK, whatever the props say.
  const out: Record<string, Json> = { apiVersion: kind.gvk.apiVersion, kind: kind.gvk.kind };
  for (const [json, ts] of root.fields) {
    const y = ts === 'metadata' ? metadata : fields.get(json);
    if (y !== undefined) out[json] = y;
  }
  return out;
}

/** A metadata field the metadata mapper converts without a nested mapper or a Date. */
function metadataFieldIsDirect(meta: StructType, key: string, value: unknown): boolean {
  if (value === undefined || (Array.isArray(value) && value.length === 0)) return true;
  const field = meta.fields[meta.known.get(key) ?? -1];
  return !!field && (field[2] === 'value' || field[2] === 'map' || field[2] === 'list');
}

/** True when the cdk8s internals this renderer reads are where it expects them. */
function internalsPresent(obj: ApiObject): boolean {
  const i = obj as unknown as Partial<ApiObjectInternals>;
  const m = obj.metadata as unknown as Partial<MetadataInternals>;
  return typeof i.props === 'object' && Array.isArray(i.patches) && typeof m._additionalAttributes === 'object';
}

/** The mapper table when the object can skip its class's mapper (see the module comment). */
function directRoot(obj: ApiObject): DirectKind | undefined {
  if ((obj as unknown as ApiObjectInternals).patches.length !== 0) return undefined;
  const proto = Object.getPrototypeOf(obj) as object;
  return DIRECT_ROOTS.get(proto) ?? adjustedRoot(proto);
}

/** By prototype of a subclass: its base's mapper table and its adjustment, or undefined. */
const ADJUSTED_ROOTS = new Map<object, DirectKind | undefined>();

function adjustedRoot(proto: object): DirectKind | undefined {
  if (ADJUSTED_ROOTS.has(proto)) return ADJUSTED_ROOTS.get(proto);
  const cls = (proto as { constructor?: unknown }).constructor as { [ADJUSTS_RENDERED_JSON]?: unknown } | undefined;
  const adjust = cls && Object.prototype.hasOwnProperty.call(cls, ADJUSTS_RENDERED_JSON) ? cls[ADJUSTS_RENDERED_JSON] : undefined;
  const base = DIRECT_ROOTS.get(Object.getPrototypeOf(proto) as object);
  const root = base && typeof adjust === 'function' ? { ...base, adjust: adjust as DirectKind['adjust'] } : undefined;
  ADJUSTED_ROOTS.set(proto, root);
  return root;
}

/**
 * Renders a Kubernetes pod template (inside a custom resource) as the generated
 * `toJson_PodTemplateSpec` does, with keys sorted at every depth and null values dropped as
 * cdk8s's sanitizing drops them; `viaMapper` renders it where the direct pass cannot.
 */
export function renderPodTemplate(value: k8s.PodTemplateSpec, viaMapper: () => unknown): unknown {
  if (!directRenderEnabled()) return viaMapper();
  try {
    return renderStruct(value, structType('k8s:PodTemplateSpec'), { sortKeys: true, filterEmpty: false, refuseTokens: true });
  } catch (e) {
    if (e instanceof NeedsMapper) return viaMapper();
    throw e;
  }
}

/** Whether the direct renderer is on (`PLATFORM_DIRECT_RENDER=off` turns it off); read at each use. */
export function directRenderEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.PLATFORM_DIRECT_RENDER !== 'off';
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
  if (!directRenderEnabled() || !hasBuiltInResolversOnly(app) || !original || typeof original.value !== 'function') return body((o) => o.toJson());
  const originalToJson = original.value as (this: ApiObject) => Record<string, Json>;
  const sortKeys = !process.env.CDK8S_DISABLE_SORT;
  const ours = (o: ApiObject) => App.of(o) === app && internalsPresent(o);
  const renderObject: RenderApiObject = (o) => {
    const root = ours(o) ? directRoot(o) : undefined;
    if (root) {
      let json: Record<string, Json> | undefined;
      try {
        json = directJson(o, root, sortKeys);
      } catch (e) {
        if (e instanceof SerializationError) throw e;
        // NeedsMapper, or a value cdk8s rejects: its own path renders it or reports the error with
        // the construct path. No Lazy has been produced yet, so nothing runs twice.
      }
      // Outside the try: once Lazies have been produced, cdk8s's path must not run them again.
      if (json) return root.adjust ? root.adjust(json) : json;
    }
    return o.toJson();
  };
  Object.defineProperty(proto, 'toJson', {
    ...original,
    value: function toJson(this: ApiObject) {
      return ours(this) ? apiObjectJson(this, sortKeys) : originalToJson.call(this);
    },
  });
  try {
    return body(renderObject);
  } finally {
    Object.defineProperty(proto, 'toJson', original);
  }
}
