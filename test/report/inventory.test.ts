import { buildInventory, formatCpu, formatMemory, ownerOf, SHARED_OWNER } from '../../src/report/inventory';
import { Manifest, ManifestFile } from '../../src/synth';

const container = (name: string, cpu: string, memory: string) =>
  ({ name, resources: { requests: { cpu, memory }, limits: { cpu, memory } } });
const podSpec = (containers: unknown[], initContainers?: unknown[]) => ({ template: { spec: { containers, initContainers } } });
const obj = (apiVersion: string, kind: string, name: string, spec: unknown = {}): Manifest =>
  ({ apiVersion, kind, metadata: { name, namespace: 'ns' }, spec });

describe('owner of an object', () => {
  const services = ['order', 'order-history'];

  test('is the service whose file holds it', () => {
    expect(ownerOf('30-order.yaml', obj('v1', 'ConfigMap', 'anything'), services)).toBe('order');
  });

  test('is the service with the longest name prefix outside service files', () => {
    // GIVEN a database object in the data file named after order-history
    expect(ownerOf('20-data.yaml', obj('apps/v1', 'StatefulSet', 'order-history-db'), services)).toBe('order-history');
    expect(ownerOf('20-data.yaml', obj('apps/v1', 'StatefulSet', 'order-db'), services)).toBe('order');
  });

  test('is shared otherwise', () => {
    expect(ownerOf('20-data.yaml', obj('apps/v1', 'StatefulSet', 'redis'), services)).toBe(SHARED_OWNER);
    expect(ownerOf('20-data.yaml', obj('apps/v1', 'StatefulSet', 'orderly'), services)).toBe(SHARED_OWNER);
  });
});

describe('inventory', () => {
  test('counts objects per owner and kind, kinds in apply order', () => {
    // GIVEN a service file and a shared file
    const files: ManifestFile[] = [
      { name: '10-platform.yaml', objects: [obj('networking.istio.io/v1', 'Gateway', 'gw')] },
      { name: '30-a.yaml', objects: [obj('v1', 'Service', 'a'), obj('v1', 'Service', 'a-canary'), obj('v1', 'ServiceAccount', 'a')] },
    ];
    // WHEN inventoried
    const inv = buildInventory(files, ['a']);
    // THEN counts are per kind and owner
    expect(inv.owners).toEqual(['a', SHARED_OWNER]);
    expect(inv.kinds).toEqual(['ServiceAccount', 'Service', 'Gateway']);
    expect(inv.counts).toEqual({ ServiceAccount: { a: 1 }, Service: { a: 2 }, Gateway: { [SHARED_OWNER]: 1 } });
  });

  test('counts pods from the autoscaler minReplicas when one targets the workload', () => {
    // GIVEN a Rollout with replicas 2 scaled by an HPA from 3 to 9
    const files: ManifestFile[] = [{
      name: '30-a.yaml',
      objects: [
        obj('argoproj.io/v1alpha1', 'Rollout', 'a', { replicas: 2, ...podSpec([container('a', '100m', '128Mi')]) }),
        obj('autoscaling/v2', 'HorizontalPodAutoscaler', 'a', { scaleTargetRef: { kind: 'Rollout', name: 'a' }, minReplicas: 3, maxReplicas: 9 }),
      ],
    }];
    // WHEN inventoried
    const [row] = buildInventory(files, ['a']).workloads;
    // THEN three pods are counted, their resources summed, and the source stated
    expect(row).toMatchObject({ workload: 'Rollout/a', replicas: 3, maxReplicas: 9, replicaSource: 'HPA minReplicas' });
    expect(row.total.cpuRequest).toBeCloseTo(0.3);
    expect(row.total.memoryRequest).toBe(3 * 128 * 2 ** 20);
  });

  test('counts spec.replicas and every container of a data store', () => {
    // GIVEN a StatefulSet of 3 with a main container, an exporter sidecar and a smaller init container
    const files: ManifestFile[] = [{
      name: '20-data.yaml',
      objects: [obj('apps/v1', 'StatefulSet', 'a-db', { replicas: 3, ...podSpec([container('pg', '250m', '256Mi'), container('exporter', '50m', '64Mi')], [container('init', '100m', '64Mi')]) })],
    }];
    // WHEN inventoried
    const inv = buildInventory(files, ['a']);
    // THEN it belongs to the service and counts (250m+50m) x 3 CPU
    expect(inv.workloads[0]).toMatchObject({ owner: 'a', replicas: 3, replicaSource: 'spec.replicas', containers: 2, initContainers: 1 });
    expect(inv.steadyState.cpuRequest).toBeCloseTo(0.9);
    expect(inv.steadyState.memoryLimit).toBe(3 * 320 * 2 ** 20);
  });

  test('an init container larger than the app containers sets the pod request', () => {
    const files: ManifestFile[] = [{
      name: '30-a.yaml',
      objects: [obj('apps/v1', 'Deployment', 'a', { replicas: 1, ...podSpec([container('a', '100m', '64Mi')], [container('migrate', '1', '1Gi')]) })],
    }];
    expect(buildInventory(files, ['a']).steadyState).toEqual({ cpuRequest: 1, cpuLimit: 1, memoryRequest: 2 ** 30, memoryLimit: 2 ** 30 });
  });

  test('a Deployment that lends its template to a Rollout counts no pods; the Rollout counts them', () => {
    // GIVEN a Rollout with workloadRef to a Deployment
    const files: ManifestFile[] = [{
      name: '30-a.yaml',
      objects: [
        obj('apps/v1', 'Deployment', 'a', { replicas: 0, ...podSpec([container('a', '200m', '128Mi')]) }),
        obj('argoproj.io/v1alpha1', 'Rollout', 'a', { replicas: 2, workloadRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'a' } }),
      ],
    }];
    // WHEN inventoried
    const inv = buildInventory(files, ['a']);
    // THEN only the Rollout's two pods count
    expect(inv.workloads.map((w) => [w.workload, w.replicas, w.replicaSource])).toEqual([
      ['Deployment/a', 0, 'template of Rollout/a'],
      ['Rollout/a', 2, 'spec.replicas'],
    ]);
    expect(inv.steadyState.cpuRequest).toBeCloseTo(0.4);
  });

  test('CronJobs are listed per run and left out of the steady-state totals', () => {
    const files: ManifestFile[] = [{
      name: '30-a.yaml',
      objects: [obj('batch/v1', 'CronJob', 'a-report', { jobTemplate: { spec: podSpec([container('r', '100m', '64Mi')]) } })],
    }];
    const inv = buildInventory(files, ['a']);
    expect(inv.workloads[0]).toMatchObject({ perRun: true, replicas: 1, replicaSource: 'per run (parallelism)' });
    expect(inv.steadyState.cpuRequest).toBe(0);
  });

  test('containers without requests or limits are named', () => {
    const files: ManifestFile[] = [{ name: '30-a.yaml', objects: [obj('apps/v1', 'Deployment', 'a', podSpec([{ name: 'a', resources: { requests: { cpu: '1' } } }]))] }];
    expect(buildInventory(files, ['a']).missingResources).toEqual([
      'Deployment/a container a: no memory request',
      'Deployment/a container a: no CPU limit',
      'Deployment/a container a: no memory limit',
    ]);
  });

  test('quantities are formatted for people', () => {
    expect([formatCpu(0.25), formatCpu(2.5), formatCpu(14)]).toEqual(['250m', '2.5', '14']);
    expect([formatMemory(640 * 2 ** 20), formatMemory(1.25 * 2 ** 30)]).toEqual(['640Mi', '1.25Gi']);
  });
});
