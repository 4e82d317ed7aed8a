/**
 * The rules of updates the API server refuses in place (src/diff/immutable.ts), each against the
 * Kubernetes 1.27 validation it names, and the upgrades users make every day, which must touch none.
 */
import { fieldChanges } from '../../src/diff/field-changes';
import { checkUpdate } from '../../src/diff/immutable';
import { locatedManifests } from '../../src/diff/identity';
import { planChanges } from '../../src/diff/plan';
import { Manifest } from '../../src/synth';
import { editReference, synth } from '../helpers';

/** The refused and unsafe paths of updating `before` to `after`. */
function check(before: Manifest, after: Manifest): { refused: string[]; unsafe: string[] } {
  const r = checkUpdate(before, after, fieldChanges(before, after));
  return { refused: r.refused.flatMap((u) => u.fields.map((f) => f.path)), unsafe: r.unsafe.flatMap((u) => u.fields.map((f) => f.path)) };
}

/** `o` with `edit` applied to a deep copy. */
function edited<T extends Manifest>(o: T, edit: (copy: any) => void): T {
  const copy = JSON.parse(JSON.stringify(o));
  edit(copy);
  return copy;
}

const statefulSet: Manifest = {
  apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db', namespace: 'shop' },
  spec: {
    serviceName: 'db-headless', replicas: 1, podManagementPolicy: 'OrderedReady', revisionHistoryLimit: 10,
    selector: { matchLabels: { app: 'db' } }, updateStrategy: { type: 'RollingUpdate' },
    template: { metadata: { labels: { app: 'db', version: '16.4' } }, spec: { containers: [{ name: 'db', image: 'postgres:16.4' }] } },
    volumeClaimTemplates: [{ metadata: { name: 'data', labels: { app: 'db' } }, spec: { resources: { requests: { storage: '1Gi' } } } }],
  },
};

describe('GIVEN a StatefulSet (ValidateStatefulSetUpdate)', () => {
  it.each([
    ['replicas', (s: any) => { s.spec.replicas = 3; }],
    ['the template (image, labels)', (s: any) => { s.spec.template.spec.containers[0].image = 'postgres:16.6'; s.spec.template.metadata.labels.version = '16.6'; }],
    ['updateStrategy', (s: any) => { s.spec.updateStrategy = { type: 'OnDelete' }; }],
    ['minReadySeconds', (s: any) => { s.spec.minReadySeconds = 10; }],
    ['persistentVolumeClaimRetentionPolicy', (s: any) => { s.spec.persistentVolumeClaimRetentionPolicy = { whenDeleted: 'Retain' }; }],
    ['ordinals', (s: any) => { s.spec.ordinals = { start: 1 }; }],
    ['metadata labels', (s: any) => { s.metadata.labels = { version: '16.6' }; }],
  ])('WHEN %s changes THEN the update is accepted', (_, edit) => {
    expect(check(statefulSet, edited(statefulSet, edit)).refused).toEqual([]);
  });

  it.each([
    ['a claim template label', (s: any) => { s.spec.volumeClaimTemplates[0].metadata.labels.version = '16.6'; }, 'spec.volumeClaimTemplates[0].metadata.labels.version'],
    ['the claim size', (s: any) => { s.spec.volumeClaimTemplates[0].spec.resources.requests.storage = '2Gi'; }, 'spec.volumeClaimTemplates[0].spec.resources.requests.storage'],
    ['serviceName', (s: any) => { s.spec.serviceName = 'other'; }, 'spec.serviceName'],
    ['podManagementPolicy', (s: any) => { s.spec.podManagementPolicy = 'Parallel'; }, 'spec.podManagementPolicy'],
    ['revisionHistoryLimit', (s: any) => { s.spec.revisionHistoryLimit = 5; }, 'spec.revisionHistoryLimit'],
    ['the selector', (s: any) => { s.spec.selector.matchLabels.tier = 'data'; }, 'spec.selector.matchLabels.tier'],
  ])('WHEN %s changes THEN the update is refused', (_, edit, path) => {
    expect(check(statefulSet, edited(statefulSet, edit)).refused).toEqual([path]);
  });
});

describe('GIVEN a StatefulSet written by the previous generator (claim templates without the stored fields)', () => {
  const stored = edited(statefulSet, (s) => {
    Object.assign(s.spec.volumeClaimTemplates[0], { apiVersion: 'v1', kind: 'PersistentVolumeClaim', status: { phase: 'Pending' } });
    s.spec.volumeClaimTemplates[0].metadata.creationTimestamp = null;
    s.spec.volumeClaimTemplates[0].spec.volumeMode = 'Filesystem';
  });

  it('WHEN the new output adds the fields the server fills in itself THEN nothing is refused', () => {
    expect(check(statefulSet, stored).refused).toEqual([]);
  });

  it('WHEN the new output also drops the version label of the claim template THEN only the label is refused', () => {
    const versioned = edited(statefulSet, (s) => { s.spec.volumeClaimTemplates[0].metadata.labels['app.kubernetes.io/version'] = '16.4'; });
    expect(check(versioned, stored).refused).toEqual(['spec.volumeClaimTemplates[0].metadata.labels["app.kubernetes.io/version"]']);
  });
});

describe('GIVEN the other kinds with immutable fields', () => {
  const deployment: Manifest = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api' }, spec: { selector: { matchLabels: { app: 'api' } }, replicas: 2, template: { metadata: { labels: { app: 'api' } } } } };
  const job: Manifest = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'migrate' }, spec: { backoffLimit: 2, template: { spec: { containers: [{ name: 'm', image: 'm:1' }] } } } };
  const service: Manifest = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'db-headless' }, spec: { clusterIP: 'None', selector: { app: 'db' }, ports: [{ name: 'tcp', port: 5432 }] } };
  const claim: Manifest = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } } } };
  const binding: Manifest = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'b' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' }, subjects: [{ kind: 'ServiceAccount', name: 'a' }] };
  const configMap: Manifest = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: '1' } };
  const secret: Manifest = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, type: 'Opaque', data: { a: 'MQ==' } };
  const budget: Manifest = { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'p' }, spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'api' } } } };
  const rollout: Manifest = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', metadata: { name: 'api' }, spec: { selector: { matchLabels: { app: 'api' } } } };

  it.each<[string, Manifest, (o: any) => void, string[]]>([
    ['Deployment selector (apps/v1 strategy)', deployment, (o) => { o.spec.selector.matchLabels.v = '2'; }, ['spec.selector.matchLabels.v']],
    ['Deployment replicas and template', deployment, (o) => { o.spec.replicas = 5; o.spec.template.metadata.labels.v = '2'; }, []],
    ['Job template', job, (o) => { o.spec.template.spec.containers[0].image = 'm:2'; }, ['spec.template.spec.containers[name=m].image']],
    ['Job backoffLimit', job, (o) => { o.spec.backoffLimit = 5; }, []],
    ['Service clusterIP (headless to ClusterIP)', service, (o) => { delete o.spec.clusterIP; }, ['spec.clusterIP']],
    ['Service selector and ports', service, (o) => { o.spec.selector.tier = 'x'; o.spec.ports[0].port = 5433; }, []],
    ['PVC growing', claim, (o) => { o.spec.resources.requests.storage = '20Gi'; }, []],
    ['PVC shrinking', claim, (o) => { o.spec.resources.requests.storage = '5Gi'; }, ['spec.resources.requests.storage']],
    ['PVC access modes', claim, (o) => { o.spec.accessModes = ['ReadWriteMany']; }, ['spec.accessModes[0]']],
    ['RoleBinding roleRef', binding, (o) => { o.roleRef.name = 'other'; }, ['roleRef.name']],
    ['RoleBinding subjects', binding, (o) => { o.subjects.push({ kind: 'ServiceAccount', name: 'b' }); }, []],
    ['ConfigMap data (mutable)', configMap, (o) => { o.data.a = '2'; }, []],
    ['Secret type', secret, (o) => { o.type = 'kubernetes.io/basic-auth'; }, ['type']],
    ['PodDisruptionBudget selector (mutable since 1.15)', budget, (o) => { o.spec.selector.matchLabels.v = '2'; o.spec.maxUnavailable = 0; }, []],
    ['Rollout selector (no webhook, no CRD rule)', rollout, (o) => { o.spec.selector.matchLabels.v = '2'; }, []],
  ])('WHEN %s changes THEN refused: %j', (_, before, edit, refused) => {
    expect(check(before, edited(before, edit)).refused).toEqual(refused);
  });

  it('WHEN an immutable ConfigMap changes its data THEN the update is refused', () => {
    const frozen = { ...configMap, immutable: true };
    expect(check(frozen, edited(frozen, (o) => { o.data.a = '2'; })).refused).toEqual(['data.a']);
  });

  it('WHEN a Rollout selector changes THEN the plan warns of the released ReplicaSets', () => {
    expect(check(rollout, edited(rollout, (o) => { o.spec.selector.matchLabels.v = '2'; })).unsafe).toEqual(['spec.selector.matchLabels.v']);
  });
});

describe('GIVEN a data store StatefulSet WHEN its image changes', () => {
  const store = (image: string): Manifest => edited(statefulSet, (s) => { s.spec.template.spec.containers[0].image = image; });
  it.each([
    ['postgres:16.4-bookworm', 'postgres:16.6-bookworm', []],
    ['postgres:16.4-bookworm', 'postgres:17.2-bookworm', ['spec.template.spec.containers[name=db].image']],
    ['postgres:16.4-bookworm', 'postgres:15.10-bookworm', ['spec.template.spec.containers[name=db].image']],
    ['redis:7.4.1-bookworm', 'redis:7.4.2-bookworm', []],
    ['redis:7.0.15', 'redis:7.4.1-bookworm', []],
    ['redis:7.4.1-bookworm', 'redis:7.0.15', ['spec.template.spec.containers[name=db].image']],
    ['rabbitmq:3.13.7-management', 'rabbitmq:3.13.8-management', []],
    ['rabbitmq:3.12.14-management', 'rabbitmq:3.13.7-management', []],
    ['rabbitmq:3.10.8', 'rabbitmq:3.13.7-management', ['spec.template.spec.containers[name=db].image']],
    ['rabbitmq:3.13.7-management', 'rabbitmq:4.0.5-management', ['spec.template.spec.containers[name=db].image']],
    ['rabbitmq:3.13.7-management', 'rabbitmq:3.12.14-management', ['spec.template.spec.containers[name=db].image']],
    ['postgres:16.4-bookworm', 'postgres@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', []],
  ])('%s -> %s: accepted by the server, needs a manual step: %j', (from, to, unsafe) => {
    const result = check(store(from), store(to));
    expect(result.refused).toEqual([]);
    expect(result.unsafe).toEqual(unsafe);
  });
});

describe('GIVEN the fixture platform in every environment', () => {
  it('WHEN every image, replica count, resource and env value changes THEN no update is refused, and every workload changes', () => {
    const before = synth();
    const text = editReference(
      ['samplingPercent: 1\n  analysis:', 'samplingPercent: 1\n    collectorImage: otel/opentelemetry-collector-contrib:0.112.0\n  analysis:'],
      ['failureLimit: 2\n', 'failureLimit: 2\n  postgres: { image: postgres:16.6-bookworm, resources: { requests: { cpu: 300m, memory: 300Mi }, limits: { cpu: "2", memory: 2Gi } } }\n  redis: { image: redis:7.4.2-bookworm }\n  rabbitmq: { image: rabbitmq:3.13.8-management }\n'],
      ['user-service:2.0.0', 'user-service:2.1.0'], ['order-service:1.8.3', 'order-service:1.9.0'],
      ['inventory-service:1.5.0', 'inventory-service:1.6.0'], ['notification-service:1.1.0', 'notification-service:1.2.0'],
      ['replicas: 3', 'replicas: 4'], ['limits: { cpu: 500m, memory: 256Mi }', 'limits: { cpu: 600m, memory: 320Mi }'],
      ['rabbitmq: { replicas: 3 }', 'rabbitmq: { replicas: 5 }'],
    ).replace(/(\n    env:\n)/, '$1      FEATURE_UPGRADE_TEST: "on"\n');
    const after = synth(text);
    for (const [i, env] of before.entries()) {
      const plan = planChanges(locatedManifests(env), locatedManifests(after[i]));
      const refused = plan.changes.flatMap((c) => c.refused.map((u) => `${c.desired?.object.kind}/${c.desired?.object.metadata.name}: ${u.fields.map((f) => f.path).join(', ')}`));
      const unsafe = plan.changes.flatMap((c) => c.unsafe.map((u) => `${c.desired?.object.kind}/${c.desired?.object.metadata.name}: ${u.why}`));
      expect({ env: env.name, refused, unsafe }).toEqual({ env: env.name, refused: [], unsafe: [] });
      const changed = new Set(plan.changes.filter((c) => c.action === '~').map((c) => `${c.desired?.object.kind}/${c.desired?.object.metadata.name}`));
      const workloads = locatedManifests(env).map((m) => m.object).filter((o) => ['StatefulSet', 'Deployment', 'Rollout'].includes(o.kind)).map((o) => `${o.kind}/${o.metadata.name}`);
      expect(workloads.filter((w) => !changed.has(w) && !w.startsWith('Deployment/ratelimit'))).toEqual([]);
    }
  });
});
