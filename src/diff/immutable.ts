/**
 * The updates the API server refuses in place, and how to carry each out instead. One table,
 * read by the plan (`npm run diff`) and by the tests that prove an upgrade touches none of it.
 *
 * Each rule names the Kubernetes 1.27 validation that refuses the change (k8s.io/kubernetes
 * v1.27.16). Not refused, checked in the same code: PodDisruptionBudget spec (mutable since
 * policy/v1beta1 in 1.15: ValidatePodDisruptionBudget has no update rule), HorizontalPodAutoscaler,
 * CronJob, Service selector and ports, Deployment and StatefulSet templates. Custom resources
 * (Istio, Argo Rollouts 1.7.2) have no immutable field: their CRDs carry no
 * x-kubernetes-validations and Argo Rollouts runs no admission webhook; a Rollout's selector is
 * therefore accepted, but see {@link UNSAFE_RULES}.
 */
import { isDeepStrictEqual } from 'util';
import { FieldChange } from './field-changes';
import { imageReferenceParts } from '../spec/image';
import { parseQuantity } from '../spec/quantity';
import { apiGroup, Manifest } from '../manifest';
import { kubectlResource, namespaceFlag } from './identity';

/** What a rule found in one object's update. */
export interface RefusedUpdate {
  /** Field changes the server refuses (or, for an unsafe rule, accepts with the effect `why` says). */
  readonly fields: readonly FieldChange[];
  /** What the server answers, or what goes wrong. */
  readonly why: string;
  /** Where Kubernetes (or the controller) decides it. */
  readonly source: string;
  /** The commands or steps that carry the change out. */
  readonly how: readonly string[];
}

/** A rule: an API group, kinds, and the field changes of an update it refuses. */
export interface UpdateRule {
  readonly group: string;
  readonly kinds: readonly string[];
  readonly source: string;
  readonly why: string;
  /** The refused changes among `changes` (paths as fieldChanges writes them). */
  readonly refused: (changes: readonly FieldChange[], current: Manifest, desired: Manifest) => FieldChange[];
  readonly how: (o: Manifest) => string[];
}

/** True when `path` is `prefix` or a field, item or ordering below it. */
export function isUnder(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[`) || path.startsWith(`${prefix} (`);
}

const under = (...prefixes: string[]) => (changes: readonly FieldChange[]) =>
  changes.filter((c) => prefixes.some((p) => isUnder(c.path, p)));


/** The fields of a StatefulSet spec that ValidateStatefulSetUpdate lets change. */
const STATEFULSET_MUTABLE = ['spec.replicas', 'spec.template', 'spec.updateStrategy', 'spec.persistentVolumeClaimRetentionPolicy', 'spec.minReadySeconds', 'spec.ordinals'];

/**
 * Claim template fields the server fills in itself (see src/data/store-statefulset.ts): writing or
 * leaving out their default value changes nothing it compares, so it is no refused change.
 */
const CLAIM_TEMPLATE_DEFAULTS: ReadonlyArray<readonly [RegExp, unknown]> = [
  [/^spec\.volumeClaimTemplates\[\d+\]\.apiVersion$/, 'v1'],
  [/^spec\.volumeClaimTemplates\[\d+\]\.kind$/, 'PersistentVolumeClaim'],
  [/^spec\.volumeClaimTemplates\[\d+\]\.metadata\.creationTimestamp$/, null],
  [/^spec\.volumeClaimTemplates\[\d+\]\.spec\.volumeMode$/, 'Filesystem'],
  [/^spec\.volumeClaimTemplates\[\d+\]\.status$/, { phase: 'Pending' }],
];

function isStoredDefault(c: FieldChange): boolean {
  if (c.action === '~') return false;
  const value = c.action === '+' ? c.after : c.before;
  return CLAIM_TEMPLATE_DEFAULTS.some(([path, v]) => path.test(c.path) && isDeepStrictEqual(value, v));
}

/** Updates the API server refuses. */
export const IMMUTABLE_RULES: readonly UpdateRule[] = [
  {
    group: 'apps', kinds: ['StatefulSet'],
    source: 'pkg/apis/apps/validation ValidateStatefulSetUpdate',
    why: 'spec: Forbidden: updates to statefulset spec for fields other than \'replicas\', \'ordinals\', \'template\', \'updateStrategy\', \'persistentVolumeClaimRetentionPolicy\' and \'minReadySeconds\' are forbidden',
    refused: (changes) => changes.filter((c) => isUnder(c.path, 'spec') && !STATEFULSET_MUTABLE.some((p) => isUnder(c.path, p)) && !isStoredDefault(c)),
    how: (o) => [
      `kubectl delete statefulset ${o.metadata.name}${namespaceFlag(o)} --cascade=orphan   # pods and volumes stay, nothing restarts`,
      'then apply as usual: the new StatefulSet adopts the running pods (same selector) and rolls them if the template changed',
      ...claimResizes(o),
    ],
  },
  {
    group: 'apps', kinds: ['Deployment', 'ReplicaSet', 'DaemonSet'],
    source: 'pkg/registry/apps/{deployment,replicaset,daemonset}/strategy.go ValidateUpdate (apps/v1)',
    why: 'spec.selector: Invalid value: field is immutable',
    refused: under('spec.selector'),
    how: (o) => [
      `kubectl delete ${o.kind.toLowerCase()} ${o.metadata.name}${namespaceFlag(o)} --cascade=orphan   # the old pods keep serving`,
      'then apply as usual and wait until the new pods are ready',
      'then delete the old ReplicaSet (kubectl get rs with the old selector) and with it the old pods',
    ],
  },
  {
    group: 'batch', kinds: ['Job'],
    source: 'pkg/apis/batch/validation ValidateJobSpecUpdate',
    why: 'spec.selector, spec.template, spec.completionMode, spec.podFailurePolicy and spec.completions: field is immutable',
    refused: under('spec.selector', 'spec.template', 'spec.completionMode', 'spec.podFailurePolicy', 'spec.completions'),
    how: (o) => [`kubectl delete job ${o.metadata.name}${namespaceFlag(o)}   # then apply: the Job runs again`],
  },
  {
    group: '', kinds: ['Service'],
    source: 'pkg/apis/core/validation ValidateServiceUpdate (validateUpgradeDowngradeClusterIPs, ...IPFamilies, validateLoadBalancerClassField)',
    why: 'spec.clusterIP(s), spec.ipFamilies and spec.loadBalancerClass: may not change once set (headless <-> ClusterIP included)',
    refused: under('spec.clusterIP', 'spec.clusterIPs', 'spec.ipFamilies', 'spec.loadBalancerClass'),
    how: (o) => [`kubectl delete service ${o.metadata.name}${namespaceFlag(o)}   # then apply: a new address; clients resolve it through DNS again`],
  },
  {
    group: '', kinds: ['PersistentVolumeClaim'],
    source: 'pkg/apis/core/validation ValidatePersistentVolumeClaimUpdate',
    why: 'spec: Forbidden: spec is immutable after creation except resources.requests for bound claims (and storage may not shrink)',
    refused: (changes, current, desired) => changes.filter((c) => isUnder(c.path, 'spec') && (!isUnder(c.path, 'spec.resources.requests') || shrinks(c, current, desired))),
    how: () => ['create a claim under a new name, copy the data (for example with a Job that mounts both), point the workload at it, then delete the old claim'],
  },
  {
    group: 'rbac.authorization.k8s.io', kinds: ['RoleBinding', 'ClusterRoleBinding'],
    source: 'pkg/apis/rbac/validation ValidateRoleBindingUpdate',
    why: 'roleRef: Invalid value: cannot change roleRef',
    refused: under('roleRef'),
    how: (o) => [`kubectl delete ${o.kind.toLowerCase()} ${o.metadata.name}${namespaceFlag(o)}   # then apply at once: until then the subjects lack the permissions`],
  },
  {
    group: '', kinds: ['ConfigMap', 'Secret'],
    source: 'pkg/apis/core/validation ValidateConfigMapUpdate / ValidateSecretUpdate',
    why: 'data, binaryData and immutable: field is immutable when `immutable` is set (and a Secret\'s type never changes)',
    refused: (changes, current) => [
      ...(current.immutable === true ? under('data', 'binaryData', 'stringData', 'immutable')(changes) : []),
      ...(current.kind === 'Secret' ? under('type')(changes) : []),
    ],
    how: (o) => [`kubectl delete ${o.kind.toLowerCase()} ${o.metadata.name}${namespaceFlag(o)}   # then apply, then restart the pods that mount it (or give it a new name)`],
  },
];

/** Updates the API server accepts but that do not do what a user expects. */
export const UNSAFE_RULES: readonly UpdateRule[] = [
  ...(['Deployment', 'Rollout'] as const).map((kind): UpdateRule => ({
    group: kind === 'Rollout' ? 'argoproj.io' : 'apps', kinds: [kind],
    source: 'kubectl three-way merge; Kubernetes docs "Migrating Deployments and StatefulSets to horizontal autoscaling"',
    why: 'the output leaves spec.replicas to the HorizontalPodAutoscaler now, so kubectl apply takes it out (the last apply set it), and the server sets 1: every pod but one terminates until the autoscaler\'s next sync (every 15 s) scales back up',
    refused: (changes) => changes.filter((c) => c.path === 'spec.replicas' && c.action === '-'),
    how: (o) => [
      'before the apply, take replicas out of what kubectl last applied (the Kubernetes docs\' migration step):',
      `  KUBE_EDITOR="perl -i -ne 'print unless /^  replicas:/'" kubectl apply edit-last-applied ${kubectlResource(o)}/${o.metadata.name}${namespaceFlag(o)}`,
      'then apply: the replicas stay as they are until the autoscaler takes them over',
    ],
  })),
  {
    group: 'argoproj.io', kinds: ['Rollout'],
    source: 'argo-rollouts v1.7.2 rollout/sync.go (ReplicaSets are found through spec.selector)',
    why: 'accepted (no webhook, no CRD validation), but ReplicaSets the new selector does not match are released, and their pods keep running unmanaged',
    refused: under('spec.selector'),
    how: (o) => [
      'apply, wait until the Rollout is Healthy',
      `then delete the released ReplicaSets of ${o.metadata.name} (old selector, no owner) and with them the old pods`,
    ],
  },
];

/** The version numbers at the start of an image tag: postgres:16.4-bookworm -> [16, 4]; undefined for a digest or no tag. */
export function imageVersionNumbers(image: string): number[] | undefined {
  const { tag, digest } = imageReferenceParts(image);
  const m = digest !== undefined || tag === undefined ? null : /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(tag);
  return m ? m.slice(1).filter((x) => x !== undefined).map(Number) : undefined;
}

/** Compares [major, minor, patch] lists; missing parts count as 0. */
function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) - (b[i] ?? 0);
  return 0;
}

/** Image changes of a StatefulSet's containers for one store image, with both versions known. */
function storeImageChanges(store: string, dangerous: (before: number[], after: number[]) => boolean) {
  return (changes: readonly FieldChange[]): FieldChange[] => changes.filter((c) => {
    if (!/^spec\.template\.spec\.(initC|c)ontainers\[name=[^\]]+\]\.image$/.test(c.path)) return false;
    if (typeof c.before !== 'string' || typeof c.after !== 'string' || imageReferenceParts(c.after).name !== store || imageReferenceParts(c.before).name !== store) return false;
    const [before, after] = [imageVersionNumbers(c.before), imageVersionNumbers(c.after)];
    return before !== undefined && after !== undefined && dangerous(before, after);
  });
}

/**
 * Data-store images whose change the API server accepts but the data does not: the new server
 * must read what the old one wrote. A rolling update would replace the pod and leave it crashing.
 */
export const DATA_UPGRADE_RULES: readonly UpdateRule[] = [
  {
    group: 'apps', kinds: ['StatefulSet'],
    source: 'PostgreSQL: a data directory is readable only by the major version that wrote it (postgresql.org/docs/current/upgrading.html)',
    why: 'PostgreSQL major version change: the new server refuses to start on the old data directory',
    refused: storeImageChanges('postgres', (b, a) => a[0] !== b[0]),
    how: (o) => [
      `before: kubectl exec ${o.metadata.name}-0${namespaceFlag(o)} -- sh -c 'pg_dumpall --username="$POSTGRES_USER"' > ${o.metadata.name}.sql`,
      `then: delete the StatefulSet and its claim data-${o.metadata.name}-0 (or restore into a new one), apply, and restore with psql`,
      "or run pg_upgrade with both versions' binaries on the volume; never apply a major version change alone",
    ],
  },
  {
    group: 'apps', kinds: ['StatefulSet'],
    source: 'Redis: RDB and AOF files are not readable by older versions',
    why: 'Redis version downgrade: the older server cannot load data written by the newer one',
    refused: storeImageChanges('redis', (b, a) => compareVersions(a, b) < 0 && (a[0] !== b[0] || a[1] !== b[1])),
    how: () => ['keep the newer version, or flush the data (the cache refills) before moving back'],
  },
  {
    group: 'apps', kinds: ['StatefulSet'],
    source: 'RabbitMQ: upgrades go one minor series at a time, with every stable feature flag enabled (rabbitmq.com/docs/upgrade)',
    why: 'RabbitMQ version change that skips a series or goes back: the nodes refuse to start or to join the cluster',
    refused: storeImageChanges('rabbitmq', (b, a) => {
      const [[bMajor, bMinor = 0], [aMajor, aMinor = 0]] = [b, a];
      if (aMajor === bMajor && aMinor === bMinor) return false;
      // Only the next minor series goes in place; a new major (3.13 -> 4.0) needs the feature flags first.
      return !(aMajor === bMajor && aMinor === bMinor + 1);
    }),
    how: (o) => [
      `before: kubectl exec ${o.metadata.name}-0${namespaceFlag(o)} -- rabbitmqctl enable_feature_flag all`,
      'then upgrade one minor series at a time (3.12 -> 3.13 -> 4.0), applying and waiting for every node to be ready each time',
    ],
  },
];

/** The updates of one object that the server refuses (`refused`) or that need care (`unsafe`). */
export function checkUpdate(current: Manifest, desired: Manifest, changes: readonly FieldChange[]): { refused: RefusedUpdate[]; unsafe: RefusedUpdate[] } {
  const apply = (rules: readonly UpdateRule[]) => rules
    .filter((r) => r.group === apiGroup(desired.apiVersion) && r.kinds.includes(desired.kind))
    .map((r) => ({ fields: r.refused(changes, current, desired), why: r.why, source: r.source, how: r.how(desired) }))
    .filter((u) => u.fields.length > 0);
  return { refused: apply(IMMUTABLE_RULES), unsafe: [...apply(UNSAFE_RULES), ...apply(DATA_UPGRADE_RULES)] };
}

/**
 * A StatefulSet never changes the claims it already made: one `kubectl patch pvc` per pod and
 * claim template gives them the new size (the StorageClass must allow volume expansion).
 */
function claimResizes(o: Manifest): string[] {
  const spec = o.spec as { replicas?: number; volumeClaimTemplates?: Array<{ metadata?: { name?: string }; spec?: { resources?: { requests?: { storage?: string } } } }> } | undefined;
  const templates = spec?.volumeClaimTemplates ?? [];
  if (!templates.length) return [];
  const lines = ['existing claims keep their size and labels; to give them the new size (the StorageClass must allow expansion):'];
  for (const t of templates) {
    const storage = t.spec?.resources?.requests?.storage;
    if (!t.metadata?.name || !storage) continue;
    for (let i = 0; i < (spec?.replicas ?? 1); i++) {
      lines.push(`  kubectl patch pvc ${t.metadata.name}-${o.metadata.name}-${i}${namespaceFlag(o)} -p '{"spec":{"resources":{"requests":{"storage":"${storage}"}}}}'`);
    }
  }
  return lines;
}

/** A storage request that gets smaller. */
function shrinks(c: FieldChange, current: Manifest, desired: Manifest): boolean {
  const size = (o: Manifest) => ((o.spec as { resources?: { requests?: { storage?: string } } } | undefined)?.resources?.requests?.storage);
  if (!isUnder(c.path, 'spec.resources.requests.storage')) return false;
  const [before, after] = [size(current), size(desired)];
  return before !== undefined && (after === undefined || parseQuantity(after) < parseQuantity(before));
}
