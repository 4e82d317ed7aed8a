import { editReference, findObject, objectsOf } from '../helpers';

describe('rolling delivery', () => {
  test('a rolling service keeps its Deployment and gets no Rollout or extra Services', () => {
    // GIVEN inventory-service, which has no delivery block (strategy rolling by default)
    // WHEN prod is synthesized
    const objects = objectsOf('prod');
    // THEN it is a Deployment and nothing of Argo
    expect(findObject(objects, 'Deployment', 'inventory-service').kind).toBe('Deployment');
    expect(objects.filter((o) => o.kind === 'Rollout' && o.metadata.name === 'inventory-service')).toHaveLength(0);
    expect(objects.filter((o) => o.kind === 'Service' && /^inventory-service-(preview|canary|stable)$/.test(o.metadata.name))).toHaveLength(0);
  });

  test('an environment can switch a canary service back to rolling', () => {
    // GIVEN dev overriding order-service to strategy rolling (the canary block stays, unused)
    const text = editReference([
      '      order-service: { replicas: 1, autoscaling: { minReplicas: 1, maxReplicas: 2 } }',
      '      order-service: { replicas: 1, autoscaling: { minReplicas: 1, maxReplicas: 2 }, delivery: { strategy: rolling } }',
    ]);
    // WHEN dev is synthesized
    const objects = objectsOf('dev', text);
    // THEN order-service is a Deployment, the HPA targets it, and no Rollout exists
    expect(findObject(objects, 'Deployment', 'order-service').kind).toBe('Deployment');
    expect((findObject(objects, 'HorizontalPodAutoscaler', 'order-service') as unknown as { spec: { scaleTargetRef: { kind: string } } }).spec.scaleTargetRef.kind).toBe('Deployment');
    expect(objects.filter((o) => o.kind === 'Rollout' && o.metadata.name === 'order-service')).toHaveLength(0);
  });

  test('no AnalysisTemplate is made when no service needs one', () => {
    // GIVEN every service on rolling
    const text = editReference(
      ['      strategy: blueGreen\n', '      strategy: rolling\n'],
      ['      strategy: canary\n', '      strategy: rolling\n'],
    );
    // WHEN prod is synthesized
    const objects = objectsOf('prod', text);
    // THEN there is no AnalysisTemplate and no Rollout
    expect(objects.filter((o) => o.kind === 'AnalysisTemplate' || o.kind === 'Rollout')).toHaveLength(0);
  });
});
