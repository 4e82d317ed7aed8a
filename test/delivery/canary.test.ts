import { ApiObject } from 'cdk8s';
import { Manifest } from '../../src/synth';
import { editReference, findObject, objectsOf, synth } from '../helpers';

interface CanaryJson {
  canaryService: string;
  stableService: string;
  steps: unknown[];
  trafficRouting: unknown;
  analysis: { templates: unknown[]; args: unknown[]; startingStep: number };
  antiAffinity: unknown;
  dynamicStableScale?: boolean;
  scaleDownDelaySeconds: number;
  abortScaleDownDelaySeconds: number;
  maxSurge: string | number;
  maxUnavailable: string | number;
}
const canaryOf = (objects: readonly Manifest[], name = 'order-service'): CanaryJson =>
  (findObject(objects, 'Rollout', name) as unknown as { spec: { strategy: { canary: CanaryJson } } }).spec.strategy.canary;
const selectorOf = (objects: readonly Manifest[], name: string): unknown =>
  (findObject(objects, 'Service', name) as unknown as { spec: { selector: unknown } }).spec.selector;

describe('canary delivery (order-service in the reference spec)', () => {
  let objects: Manifest[];
  beforeAll(() => {
    objects = objectsOf('prod');
  });

  test('runs the pods through a Rollout, and the autoscaler targets it', () => {
    // GIVEN order-service with strategy canary WHEN prod is synthesized
    // THEN a Rollout replaces the Deployment and the HPA scales the Rollout
    expect(findObject(objects, 'Rollout', 'order-service').kind).toBe('Rollout');
    expect(objects.filter((o) => o.kind === 'Deployment' && o.metadata.name === 'order-service')).toHaveLength(0);
    expect((findObject(objects, 'HorizontalPodAutoscaler', 'order-service') as unknown as { spec: { scaleTargetRef: unknown } }).spec.scaleTargetRef)
      .toEqual({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'order-service' });
  });

  test('steps are the spec steps: 10, 1m, 20, 1m, 50, 2m, 100', () => {
    // GIVEN the reference steps WHEN prod is synthesized
    // THEN the Rollout has them in order, pauses as Argo durations
    expect(canaryOf(objects).steps).toEqual([
      { setWeight: 10 }, { pause: { duration: '1m' } },
      { setWeight: 20 }, { pause: { duration: '1m' } },
      { setWeight: 50 }, { pause: { duration: '2m' } },
      { setWeight: 100 },
    ]);
  });

  test('canary and stable Services select like the main Service', () => {
    // GIVEN the reference spec WHEN prod is synthesized
    const canary = canaryOf(objects);
    // THEN the Rollout names <svc>-canary and <svc>-stable, which exist with the main selector
    expect([canary.canaryService, canary.stableService]).toEqual(['order-service-canary', 'order-service-stable']);
    expect(selectorOf(objects, 'order-service-canary')).toEqual(selectorOf(objects, 'order-service'));
    expect(selectorOf(objects, 'order-service-stable')).toEqual(selectorOf(objects, 'order-service'));
  });

  test('Istio traffic routing reweights route "primary" of VirtualService <svc> and the gateway route of the service', () => {
    // GIVEN trafficRouting istio and a gateway route /api/orders WHEN prod is synthesized
    // THEN the Rollout reweights the mesh's own route and the gateway's route to the service
    expect(canaryOf(objects).trafficRouting).toEqual({ istio: { virtualServices: [
      { name: 'order-service', routes: ['primary'] },
      { name: 'api-gateway', routes: ['api-orders'] },
    ] } });
  });

  test('every route the Rollout reweights exists and lists exactly the stable and canary hosts', () => {
    // GIVEN the reference prod output
    const routing = canaryOf(objects).trafficRouting as { istio: { virtualServices: Array<{ name: string; routes: string[] }> } };
    for (const ref of routing.istio.virtualServices) {
      const vs = findObject(objects, 'VirtualService', ref.name) as unknown as { spec: { http: Array<{ name?: string; route: Array<{ destination: { host: string } }> }> } };
      for (const routeName of ref.routes) {
        // THEN the named route is there with both hosts, as Argo requires
        const route = vs.spec.http.find((r) => r.name === routeName);
        expect(route).toBeDefined();
        expect(route!.route.map((d) => d.destination.host.split('.')[0]).sort()).toEqual(['order-service-canary', 'order-service-stable']);
      }
    }
  });

  test('a canary service without gateway routes reweights only its own VirtualService', () => {
    // GIVEN order-service without routes
    const text = editReference(['      - { prefix: /api/orders, auth: jwt }\n', '']).replace('    routes:\n    traffic:', '    traffic:');
    // THEN its Rollout names one VirtualService
    expect(canaryOf(objectsOf('prod', text)).trafficRouting).toEqual({ istio: { virtualService: { name: 'order-service', routes: ['primary'] } } });
  });

  test('no VirtualService or DestinationRule comes from delivery', () => {
    // GIVEN the reference spec WHEN prod is synthesized (the mesh owns those kinds)
    const delivery = synth(undefined, ['prod'])[0].platform.services.get('order-service')?.chart.node.findChild('Delivery');
    expect(delivery).toBeDefined();
    const fromDelivery = (delivery?.node.findAll() ?? []).filter((c): c is ApiObject => c instanceof ApiObject)
      .filter((o) => ['VirtualService', 'DestinationRule'].includes(o.kind));
    // THEN delivery made none of them
    expect(fromDelivery).toHaveLength(0);
  });

  test('background analysis measures the canary Service once the first weight is set', () => {
    // GIVEN analysis [success-rate] WHEN prod is synthesized
    // THEN it passes the canary Service and starts at step 1 (after setWeight 10)
    expect(canaryOf(objects).analysis).toEqual({
      templates: [{ templateName: 'success-rate' }],
      args: [{ name: 'service-name', value: 'order-service-canary' }],
      startingStep: 1,
    });
  });

  test('keeps stable at full size, delays scale-down 30s, never drops below capacity', () => {
    // GIVEN the reference spec WHEN prod is synthesized
    // THEN the operator settings are the ones documented; dynamicStableScale stays at Argo's
    // default (off) by being absent, since a written false is dropped by the controller
    expect(canaryOf(objects).dynamicStableScale).toBeUndefined();
    expect(canaryOf(objects)).toMatchObject({
      scaleDownDelaySeconds: 30,
      abortScaleDownDelaySeconds: 30,
      maxSurge: '25%',
      maxUnavailable: 0,
      antiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: { weight: 100 } },
    });
  });

  test('a pause without duration waits for promotion; whole seconds become integers', () => {
    // GIVEN a manual pause, a pause of 90 seconds and one of "45" seconds
    const text = editReference(
      ['          - pause: { duration: 1m }\n          - setWeight: 20', '          - pause: {}\n          - setWeight: 20'],
      ['          - pause: { duration: 1m }\n          - setWeight: 50', '          - pause: { duration: 90 }\n          - setWeight: 50'],
      ['          - pause: { duration: 2m }\n          - setWeight: 100', '          - pause: { duration: "45" }\n          - setWeight: 100'],
    );
    // WHEN prod is synthesized
    const steps = canaryOf(objectsOf('prod', text)).steps;
    // THEN Argo gets an open pause and integer durations
    expect(steps[1]).toEqual({ pause: {} });
    expect(steps[3]).toEqual({ pause: { duration: 90 } });
    expect(steps[5]).toEqual({ pause: { duration: 45 } });
  });
});
