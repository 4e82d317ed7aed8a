import { LocatedManifest } from '../../src/diff/identity';
import { DuplicateObjectError, planChanges, renderPlan } from '../../src/diff/plan';
import { Manifest } from '../../src/synth';

const obj = (apiVersion: string, kind: string, name: string, extra: Record<string, unknown> = {}): Manifest =>
  ({ apiVersion, kind, metadata: { name, namespace: 'ns' }, ...extra });
const at = (file: string, object: Manifest): LocatedManifest => ({ file, object });

describe('plan', () => {
  test('identical outputs plan no changes', () => {
    // GIVEN the same objects on both sides
    const objects = [at('30-a.yaml', obj('v1', 'Service', 'a'))];
    // WHEN planned
    const plan = planChanges(objects, objects);
    // THEN nothing is to do
    expect(plan).toMatchObject({ toAdd: 0, toChange: 0, toDestroy: 0 });
    expect(renderPlan(plan)).toBe('No changes. The output matches the spec.\n');
  });

  test('objects are matched by group, kind, namespace and name, not by version', () => {
    // GIVEN an autoscaler whose apiVersion moved from v2beta2 to v2
    const current = [at('30-a.yaml', obj('autoscaling/v2beta2', 'HorizontalPodAutoscaler', 'a'))];
    const desired = [at('30-a.yaml', obj('autoscaling/v2', 'HorizontalPodAutoscaler', 'a'))];
    // THEN it is updated in place, not replaced
    const plan = planChanges(current, desired);
    expect(plan).toMatchObject({ toAdd: 0, toChange: 1, toDestroy: 0 });
    expect(plan.changes[0].fields).toEqual([{ action: '~', path: 'apiVersion', before: 'autoscaling/v2beta2', after: 'autoscaling/v2' }]);
  });

  test('the same name in another API group is another object', () => {
    // GIVEN a VirtualService of another group with the same kind and name
    const current = [at('a.yaml', obj('networking.istio.io/v1', 'VirtualService', 'a'))];
    const desired = [at('a.yaml', obj('example.com/v1', 'VirtualService', 'a'))];
    // THEN one is destroyed and one added
    expect(planChanges(current, desired)).toMatchObject({ toAdd: 1, toChange: 0, toDestroy: 1 });
  });

  test('the rendering marks additions, changes and removals and ends with the summary', () => {
    // GIVEN one added, one changed and one removed object
    const current = [at('30-a.yaml', obj('apps/v1', 'Deployment', 'a', { spec: { replicas: 1 } })), at('30-b.yaml', obj('v1', 'Service', 'b'))];
    const desired = [at('30-a.yaml', obj('apps/v1', 'Deployment', 'a', { spec: { replicas: 2 } })), at('30-c.yaml', obj('v1', 'Service', 'c'))];
    // WHEN rendered
    const text = renderPlan(planChanges(current, desired));
    // THEN it reads like terraform plan
    expect(text).toBe([
      '  # Deployment.apps ns/a will be updated in place (30-a.yaml)',
      '  ~ Deployment.apps ns/a',
      '      ~ spec.replicas: 1 -> 2',
      '',
      '  # Service ns/b will be destroyed (30-b.yaml)',
      '  - Service ns/b',
      '      NOT DESTROYED BY kubectl apply -f (it deletes nothing): it stays on the cluster as it is',
      '        (kubectl apply without --prune; Argo CD and Flux, as dist/gitops/ configures them, prune it)',
      '      how:',
      '        after the apply: kubectl delete service b -n ns',
      '        or apply with --prune (docs/day2-operations.md#removing-a-service)',
      '',
      '  # Service ns/c will be created (30-c.yaml)',
      '  + Service ns/c',
      '',
      'Plan: 1 to add, 1 to change, 1 to destroy.',
      '1 of the objects to destroy stay on the cluster after kubectl apply -f, which deletes nothing: remove them as shown above ("how"), or let Argo CD or Flux prune them.',
      '',
    ].join('\n'));
  });

  test('what kubectl apply -f leaves: a Namespace with everything in it (no -n), an autoscaler whose workload goes too, a Deployment beside a new blue-green Rollout', () => {
    // GIVEN a Namespace, an autoscaler and its Deployment that the new output no longer has, and a Deployment that becomes a blue-green Rollout
    const hpa = obj('autoscaling/v2', 'HorizontalPodAutoscaler', 'gone', { spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'gone' } } });
    const current = [
      at('00-namespace.yaml', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns' } } as Manifest),
      at('30-gone.yaml', obj('apps/v1', 'Deployment', 'gone')), at('30-gone.yaml', hpa),
      at('30-web.yaml', obj('apps/v1', 'Deployment', 'web')),
    ];
    const desired = [at('30-web.yaml', obj('argoproj.io/v1alpha1', 'Rollout', 'web', { spec: { strategy: { blueGreen: { activeService: 'web' } } } }))];
    // WHEN planned
    const kept = new Map(planChanges(current, desired).changes.filter((c) => c.kept).map((c) => [`${c.current!.object.kind}/${c.current!.object.metadata.name}`, c.kept!]));
    // THEN the Namespace is deleted without -n, and with everything in it
    expect(kept.get('Namespace/ns')).toMatchObject({ why: 'it stays on the cluster, and everything in it', how: ['after the apply: kubectl delete namespace ns', expect.any(String)] });
    // AND the autoscaler of a workload that goes too is only left over, it scales nothing the spec sets
    expect(kept.get('HorizontalPodAutoscaler/gone')).toMatchObject({ why: 'it stays on the cluster as it is', how: ['after the apply: kubectl delete horizontalpodautoscaler.autoscaling gone -n ns', expect.any(String)] });
    // AND the Deployment beside a blue-green Rollout shares the active Service until the Rollout pins it
    expect(kept.get('Deployment/web')?.why).toBe('its pods keep running the old version beside the Rollout\'s, selected by Service web (which sends requests to both until Argo Rollouts pins it to a Healthy Rollout\'s pods), and keep using the service\'s queues and database');
  });

  test('a changed multi-line text renders as its changed lines', () => {
    // GIVEN a ConfigMap whose file gains a line
    const current = [at('10-platform.yaml', obj('v1', 'ConfigMap', 'c', { data: { 'f.yaml': 'a: 1\n' } }))];
    const desired = [at('10-platform.yaml', obj('v1', 'ConfigMap', 'c', { data: { 'f.yaml': 'a: 1\nb: 2\n' } }))];
    // THEN the plan shows the added line under the field
    expect(renderPlan(planChanges(current, desired))).toContain([
      '  ~ ConfigMap ns/c',
      '      ~ data["f.yaml"]: text lines changed',
      '          + b: 2',
      '',
    ].join('\n'));
  });

  test('an object that appears twice on one side is an error', () => {
    // GIVEN a directory holding the same Service in two files
    const current = [at('a.yaml', obj('v1', 'Service', 'a')), at('b.yaml', obj('v1', 'Service', 'a'))];
    // THEN the plan refuses to guess
    expect(() => planChanges(current, [])).toThrow(new DuplicateObjectError('current output: Service ns/a appears twice (a.yaml and b.yaml)'));
  });
});
