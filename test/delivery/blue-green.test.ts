import { Manifest } from '../../src/synth';
import { editReference, findObject, objectsOf } from '../helpers';

interface RolloutJson {
  spec: {
    replicas?: number;
    selector: { matchLabels: Record<string, string> };
    template: { metadata: { labels: Record<string, string> }; spec: { containers: Array<{ name: string; image: string }> } };
    strategy: { blueGreen?: Record<string, unknown> & { prePromotionAnalysis?: { templates: Array<{ templateName: string }>; args: Array<{ name: string; value: string }> } }; canary?: unknown };
  };
}
interface ServiceJson { spec: { selector: Record<string, string>; ports: Array<{ name: string; port: number; targetPort: string }> } }

describe('blue-green delivery (user-service in the reference spec)', () => {
  let objects: Manifest[];
  beforeAll(() => {
    objects = objectsOf('prod');
  });

  test('runs the pods through a Rollout instead of a Deployment', () => {
    // GIVEN the reference spec, where user-service has strategy blueGreen
    // WHEN prod is synthesized
    // THEN there is a Rollout and no Deployment for it
    expect(findObject(objects, 'Rollout', 'user-service').apiVersion).toBe('argoproj.io/v1alpha1');
    expect(objects.filter((o) => o.kind === 'Deployment' && o.metadata.name === 'user-service')).toHaveLength(0);
  });

  test('the Rollout uses the MicroService selector and pod template', () => {
    // GIVEN the reference spec WHEN prod is synthesized
    const rollout = findObject<RolloutJson>(objects, 'Rollout', 'user-service');
    // THEN the selector is the immutable pair and the pods carry it, with the pinned image
    expect(rollout.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'user-service', 'app.kubernetes.io/instance': 'user-service-prod' });
    expect(rollout.spec.template.metadata.labels).toMatchObject(rollout.spec.selector.matchLabels);
    expect(rollout.spec.template.spec.containers[0].image).toBe('ghcr.io/shop-example/user-service:2.0.0');
  });

  test('the pod template keeps named probe ports and secret references', () => {
    // GIVEN user-service with a secretEnv WHEN prod is synthesized
    const rollout = findObject(objects, 'Rollout', 'user-service') as unknown as { spec: { template: { spec: { containers: Array<Record<string, unknown>> } } } };
    const container = rollout.spec.template.spec.containers[0] as { readinessProbe: { httpGet: { port: string } }; env: Array<{ name: string; valueFrom?: unknown }> };
    // THEN the probe port stays "http" and the secret is referenced by name and key
    expect(container.readinessProbe.httpGet.port).toBe('http');
    expect(container.env.find((e) => e.name === 'JWT_SIGNING_KEY')?.valueFrom).toEqual({ secretKeyRef: { name: 'user-service-secrets', key: 'jwt-signing-key' } });
  });

  test('the main Service is active and <svc>-preview is the preview', () => {
    // GIVEN the reference spec WHEN prod is synthesized
    const bg = findObject<RolloutJson>(objects, 'Rollout', 'user-service').spec.strategy.blueGreen;
    // THEN the strategy names both Services, waits for a human and keeps the old pods 30s
    expect(bg).toMatchObject({ activeService: 'user-service', previewService: 'user-service-preview', autoPromotionEnabled: false, scaleDownDelaySeconds: 30 });
  });

  test('the preview Service selects like the main Service, on port "http"', () => {
    // GIVEN the reference spec WHEN prod is synthesized
    const main = findObject<ServiceJson>(objects, 'Service', 'user-service');
    const preview = findObject<ServiceJson>(objects, 'Service', 'user-service-preview');
    // THEN selector and ports match (Argo narrows both selectors to one ReplicaSet each)
    expect(preview.spec.selector).toEqual(main.spec.selector);
    expect(preview.spec.ports).toEqual([expect.objectContaining({ name: 'http', port: 3001, targetPort: 'http' })]);
  });

  test('pre-promotion analysis measures the preview Service by its short name', () => {
    // GIVEN the reference spec WHEN prod is synthesized
    const analysis = findObject<RolloutJson>(objects, 'Rollout', 'user-service').spec.strategy.blueGreen?.prePromotionAnalysis;
    // THEN success-rate runs with service-name = the preview Service (the query matches destination_service_name)
    expect(analysis).toEqual({ templates: [{ templateName: 'success-rate' }], args: [{ name: 'service-name', value: 'user-service-preview' }] });
  });

  test('the autoscaler targets the Rollout', () => {
    // GIVEN user-service with autoscaling WHEN prod is synthesized
    const hpa = findObject(objects, 'HorizontalPodAutoscaler', 'user-service') as unknown as { spec: { scaleTargetRef: unknown } };
    // THEN its target is the Rollout, and the Rollout leaves replicas to it
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'user-service' });
    expect(findObject<RolloutJson>(objects, 'Rollout', 'user-service').spec.replicas).toBeUndefined();
  });

  test('a blueGreen strategy without a blueGreen block uses the defaults', () => {
    // GIVEN user-service with only strategy blueGreen
    const text = editReference(['      blueGreen: { autoPromotionEnabled: false, scaleDownDelaySeconds: 30, prePromotionAnalysis: [success-rate] }\n', '']);
    // WHEN dev is synthesized
    const bg = findObject<RolloutJson>(objectsOf('dev', text), 'Rollout', 'user-service').spec.strategy.blueGreen;
    // THEN preview, manual promotion, 30s delay and success-rate apply
    expect(bg).toMatchObject({ previewService: 'user-service-preview', autoPromotionEnabled: false, scaleDownDelaySeconds: 30 });
    expect(bg?.prePromotionAnalysis?.templates).toEqual([{ templateName: 'success-rate' }]);
  });

  test('an empty prePromotionAnalysis leaves the analysis out', () => {
    // GIVEN user-service with no pre-promotion templates
    const text = editReference(['prePromotionAnalysis: [success-rate]', 'prePromotionAnalysis: []']);
    // WHEN prod is synthesized
    const bg = findObject<RolloutJson>(objectsOf('prod', text), 'Rollout', 'user-service').spec.strategy.blueGreen;
    // THEN the Rollout has no prePromotionAnalysis
    expect(bg?.prePromotionAnalysis).toBeUndefined();
  });
});
