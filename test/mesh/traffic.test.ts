/** Per-service VirtualService and DestinationRules, shaped by the delivery strategy. */
import { ApiObject, Chart, Testing } from 'cdk8s';
import { PRIMARY_ROUTE, ServiceTraffic, VERSION_PIN_ROUTE } from '../../src/mesh/traffic';
import { serviceTrafficProps } from '../../src/platform/service-props';
import { ServiceSchema } from '../../src/spec/schema';
import { Manifest } from '../../src/synth';
import { findObject, objectsOf } from '../helpers';
import { testApp, testChart } from '../support/test-chart';
import { MicroService } from '../../src/workload/microservice';
import { CanaryDelivery } from '../../src/delivery/canary';

interface Destination { host: string; subset?: string; port: { number: number } }
interface Http { name: string; match?: unknown[]; route: Array<{ destination: Destination; weight?: number }>; timeout: string; retries: unknown }
type Vs = { spec: { hosts: string[]; http: Http[] } };
type Dr = { spec: { host: string; subsets?: unknown[]; trafficPolicy: Record<string, unknown> } };

/** Synthesizes ServiceTraffic alone for a service spec given as plain data (through the spec-to-props mapping). */
function trafficOf(spec: unknown): Manifest[] {
  const chart = testChart();
  new ServiceTraffic(chart, 'traffic', serviceTrafficProps('svc', 'ns', ServiceSchema.parse(spec)));
  return Testing.synth(chart) as Manifest[];
}
const base = { image: 'ghcr.io/x/svc:1.0.0', port: 8080 };
const route = (objects: Manifest[], name: string) => findObject<Vs>(objects, 'VirtualService', 'svc').spec.http.find((h) => h.name === name);

describe('service traffic', () => {
  const prod = objectsOf('prod');

  test('the route names are the contract with progressive delivery', () => {
    // GIVEN / WHEN imported / THEN
    expect(PRIMARY_ROUTE).toBe('primary');
    expect(VERSION_PIN_ROUTE).toBe('version-pin');
  });

  test('rolling: no version-pin route, everything goes to subset v1', () => {
    // GIVEN notification-service (rolling: one Deployment, replaced in place, so no second version runs)
    // WHEN synthesized
    const vs = findObject<Vs>(prod, 'VirtualService', 'notification-service');
    // THEN a request with header version: v2 takes the primary route like any other, never an empty subset
    expect(vs.spec.hosts).toEqual(['notification-service.shop-prod.svc.cluster.local']);
    expect(vs.spec.http.map((h) => [h.name, h.match, h.route])).toEqual([
      ['primary', undefined, [{ destination: { host: 'notification-service.shop-prod.svc.cluster.local', subset: 'v1', port: { number: 3004 } } }]],
    ]);
  });

  test('rolling: the DestinationRule defines only subset v1, the version every pod carries', () => {
    // GIVEN / WHEN synthesized
    const subsets = findObject<Dr>(prod, 'DestinationRule', 'notification-service').spec.subsets;
    // THEN no subset v2 that no pod could ever fill
    expect(subsets).toEqual([{ name: 'v1', labels: { version: 'v1' } }]);
  });

  test('every subset a route names selects the pod template labels of its service', () => {
    // GIVEN every service of every strategy / WHEN synthesized
    const subsetsOf = (host: string) => (prod.find((o) => o.kind === 'DestinationRule' && (o.spec as Dr['spec']).host === host)?.spec as Dr['spec'] | undefined)?.subsets as Array<{ name: string; labels: Record<string, string> }> | undefined;
    const templateLabels = (service: string) => (prod.find((o) => (o.kind === 'Deployment' || o.kind === 'Rollout') && o.metadata.name === service)?.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels;
    // THEN a subset route always has pods to go to (a subset with no pods answers 503)
    for (const vs of prod.filter((o) => o.kind === 'VirtualService')) {
      for (const http of (vs.spec as Vs['spec']).http) {
        for (const { destination } of http.route) {
          if (!destination.subset) continue;
          const subset = subsetsOf(destination.host)?.find((s) => s.name === destination.subset);
          expect(subset).toBeDefined();
          const service = destination.host.split('.')[0];
          expect(templateLabels(service)).toMatchObject(subset?.labels ?? {});
        }
      }
    }
  });

  test('canary: primary splits stable 100 / canary 0 and the header pins to the canary', () => {
    // GIVEN order-service (canary, istio traffic routing) / WHEN synthesized
    const http = findObject<Vs>(prod, 'VirtualService', 'order-service').spec.http;
    // THEN
    expect(http.find((h) => h.name === 'primary')?.route).toEqual([
      { destination: { host: 'order-service-stable.shop-prod.svc.cluster.local', port: { number: 3002 } }, weight: 100 },
      { destination: { host: 'order-service-canary.shop-prod.svc.cluster.local', port: { number: 3002 } }, weight: 0 },
    ]);
    expect(http.find((h) => h.name === 'version-pin')?.route).toEqual([{ destination: { host: 'order-service-canary.shop-prod.svc.cluster.local', port: { number: 3002 } } }]);
  });

  test('canary: stable and canary hosts get their own DestinationRules with mTLS', () => {
    // GIVEN / WHEN synthesized / THEN
    for (const name of ['order-service', 'order-service-stable', 'order-service-canary']) {
      const dr = findObject<Dr>(prod, 'DestinationRule', name);
      expect(dr.spec.host).toBe(`${name}.shop-prod.svc.cluster.local`);
      expect(dr.spec.trafficPolicy.tls).toEqual({ mode: 'ISTIO_MUTUAL' });
    }
  });

  test('blueGreen: the header pins to the preview, primary goes to the active Service', () => {
    // GIVEN user-service (blueGreen) / WHEN synthesized
    const http = findObject<Vs>(prod, 'VirtualService', 'user-service').spec.http;
    // THEN
    expect(http.map((h) => [h.name, h.route.map((r) => r.destination.host)])).toEqual([
      ['version-pin', ['user-service-preview.shop-prod.svc.cluster.local']],
      ['primary', ['user-service.shop-prod.svc.cluster.local']],
    ]);
    expect(findObject<Dr>(prod, 'DestinationRule', 'user-service-preview').spec.trafficPolicy.tls).toEqual({ mode: 'ISTIO_MUTUAL' });
  });

  test('blueGreen without preview: no pin route and no preview DestinationRule', () => {
    // GIVEN a blue-green service without a preview Service / WHEN synthesized
    const out = trafficOf({ ...base, delivery: { strategy: 'blueGreen', blueGreen: { preview: false } } });
    // THEN
    expect(findObject<Vs>(out, 'VirtualService', 'svc').spec.http.map((h) => h.name)).toEqual(['primary']);
    expect(out.filter((o) => o.kind === 'DestinationRule').map((o) => o.metadata.name)).toEqual(['svc']);
  });

  test('canary without Istio traffic routing: primary goes to the one Service', () => {
    // GIVEN a canary that Argo splits by pod count / WHEN synthesized
    const out = trafficOf({ ...base, delivery: { strategy: 'canary', canary: { steps: [{ setWeight: 50 }], trafficRouting: 'none' } } });
    // THEN
    expect(findObject<Vs>(out, 'VirtualService', 'svc').spec.http.map((h) => [h.name, h.route[0].destination.host])).toEqual([['primary', 'svc.ns.svc.cluster.local']]);
  });

  test('timeout and retries come from the spec', () => {
    // GIVEN order-service: 15s timeout, 3 attempts of 3s / WHEN synthesized
    const primary = findObject<Vs>(prod, 'VirtualService', 'order-service').spec.http.find((h) => h.name === 'primary');
    // THEN
    expect(primary?.timeout).toBe('15s');
    expect(primary?.retries).toEqual({ attempts: 3, perTryTimeout: '3s', retryOn: 'connect-failure,refused-stream' });
  });

  test('retries are safe for writes by default, in the mesh and at the gateway', () => {
    // GIVEN the reference spec, where order-service (POST /api/orders) sets attempts but no retryOn
    const vs = findObject<Vs>(prod, 'VirtualService', 'order-service');
    const gateway = findObject<Vs>(prod, 'VirtualService', 'api-gateway');
    // WHEN synthesized
    // THEN every route retries only requests the service never received (no 5xx, reset or 409 retries)
    for (const h of vs.spec.http) expect(h.retries).toEqual({ attempts: 3, perTryTimeout: '3s', retryOn: 'connect-failure,refused-stream' });
    // AND every gateway route sets its retries explicitly, so Istio's default (which retries 503) never applies
    expect(gateway.spec.http.map((h) => [h.name, h.retries])).toEqual([
      ['api-inventory', { attempts: 3, perTryTimeout: '2s', retryOn: 'connect-failure,refused-stream' }],
      ['api-orders', { attempts: 3, perTryTimeout: '3s', retryOn: 'connect-failure,refused-stream' }],
      ['api-users', { attempts: 3, perTryTimeout: '2s', retryOn: 'connect-failure,refused-stream' }],
      ['api-auth', { attempts: 3, perTryTimeout: '2s', retryOn: 'connect-failure,refused-stream' }],
    ]);
  });

  test('a service opts into more retry conditions in its spec', () => {
    // GIVEN a service whose requests are all idempotent asks for 5xx and reset retries / WHEN synthesized
    const out = trafficOf({ ...base, traffic: { retries: { retryOn: '5xx,reset,connect-failure,refused-stream' } } });
    // THEN its routes use exactly those conditions
    expect(route(out, 'primary')?.retries).toEqual({ attempts: 3, perTryTimeout: '2s', retryOn: '5xx,reset,connect-failure,refused-stream' });
  });

  test('an unknown retry condition is rejected with the accepted ones', () => {
    // GIVEN a typo in retryOn / WHEN the spec is parsed / THEN the schema names the accepted conditions
    const parsed = ServiceSchema.safeParse({ ...base, traffic: { retries: { retryOn: 'connect-failure,5xxx' } } });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0].message).toMatch(/^"5xxx" is not a retry condition; use a comma-separated list \(no spaces\) of HTTP status codes such as 503 and 5xx, gateway-error, reset, connect-failure, .*unavailable$/);
  });

  test('zero retry attempts turn retries off', () => {
    // GIVEN attempts 0 / WHEN synthesized / THEN
    expect(route(trafficOf({ ...base, traffic: { retries: { attempts: 0 } } }), 'primary')?.retries).toEqual({ attempts: 0 });
  });

  test('a custom version header is matched', () => {
    // GIVEN versionHeader x-canary on a blue-green service / WHEN synthesized / THEN
    const spec = { ...base, traffic: { versionHeader: 'x-canary' }, delivery: { strategy: 'blueGreen', blueGreen: {} } };
    expect(route(trafficOf(spec), 'version-pin')?.match).toEqual([{ headers: { 'x-canary': { exact: 'v2' } } }]);
  });

  test('connection pool and outlier detection come from the spec', () => {
    // GIVEN pool and circuit breaker settings / WHEN synthesized
    const out = trafficOf({ ...base, traffic: { connectionPool: { maxConnections: 7, http1MaxPendingRequests: 3 }, circuitBreaker: { consecutive5xxErrors: 2, baseEjectionTime: '1m' } } });
    // THEN
    expect(findObject<Dr>(out, 'DestinationRule', 'svc').spec.trafficPolicy).toEqual({
      tls: { mode: 'ISTIO_MUTUAL' },
      connectionPool: { tcp: { maxConnections: 7 }, http: { http1MaxPendingRequests: 3, maxRequestsPerConnection: 0 } },
      outlierDetection: { consecutive5xxErrors: 2, interval: '30s', baseEjectionTime: '1m', maxEjectionPercent: 50 },
    });
  });
});

describe('routes to a second version', () => {
  /** A chart in namespace `ns` with a MicroService `app` built with `workloadKind`, and its ServiceTraffic routed by `strategy`. */
  function chartWith(workloadKind: 'Deployment' | 'Rollout' | undefined, strategy: 'canary' | 'blueGreen', routeNewVersion?: boolean): Chart {
    const chart = new Chart(testApp(), 'test', { namespace: 'ns' });
    if (workloadKind) new MicroService(chart, 'app', { image: 'ghcr.io/x/app:1.0.0', port: 8080, replicas: 2, workloadKind });
    new ServiceTraffic(chart, 'traffic', { name: 'app', port: 8080, routing: { strategy, routeNewVersion } });
    return chart;
  }

  test.each([
    ['canary', 'app-stable and app-canary', 'CanaryDelivery'],
    ['blueGreen', 'app-preview', 'BlueGreenDelivery'],
  ] as const)('%s routing of a service whose MicroService runs a Deployment is refused: nothing creates %s', (strategy, routed, delivery) => {
    // GIVEN a MicroService with a Deployment, and its ServiceTraffic routing the new version to the Services a delivery construct creates
    const chart = chartWith('Deployment', strategy);
    // WHEN synthesized THEN it is refused, naming the Services, the workload and both ways out
    expect(() => Testing.synth(chart)).toThrow(`ServiceTraffic app: routing.strategy "${strategy}" routes the new version to ${routed}, which a ${delivery} creates beside a Rollout; `
      + 'but the MicroService app (test/app) runs a Deployment, which has no second version, and nothing creates those Services: '
      + `build the MicroService with workloadKind "Rollout" and add a ${delivery} for it, or give the ServiceTraffic routing { strategy: 'rolling' } (or routeNewVersion: false)`);
  });

  test('a MicroService in a chart without a namespace counts for the ServiceTraffic\'s namespace (kubectl puts its objects there)', () => {
    // GIVEN the MicroService in a chart without a namespace, the ServiceTraffic given namespace ns
    const app = testApp();
    new MicroService(new Chart(app, 'workloads'), 'app', { image: 'ghcr.io/x/app:1.0.0', port: 8080, replicas: 2 });
    const mesh = new Chart(app, 'mesh');
    new ServiceTraffic(mesh, 'traffic', { name: 'app', namespace: 'ns', port: 8080, routing: { strategy: 'canary' } });
    // WHEN the mesh's chart is synthesized THEN it is refused
    expect(() => Testing.synth(mesh)).toThrow(/ServiceTraffic app: routing.strategy "canary" routes the new version to app-stable and app-canary/);
  });

  test('Services made by hand, or a Rollout of the same service in another chart of the namespace, are taken as what the routes need', () => {
    // GIVEN a migration: the Deployment stays, a hand-made Rollout (workloadRef) and its stable and canary Services beside it
    const migrating = chartWith('Deployment', 'canary');
    for (const name of ['app-stable', 'app-canary']) new ApiObject(migrating, name, { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { selector: { app: 'app' }, ports: [{ port: 8080 }] } });
    // AND an app with a Deployment of the service in one chart, and a Rollout of it with its canary in another chart of the namespace
    const app = testApp();
    new MicroService(new Chart(app, 'cluster-a', { namespace: 'ns' }), 'app', { image: 'ghcr.io/x/app:1.0.0', port: 8080, replicas: 2 });
    const b = new Chart(app, 'cluster-b', { namespace: 'ns' });
    const workload = new MicroService(b, 'app', { image: 'ghcr.io/x/app:1.0.0', port: 8080, replicas: 2, workloadKind: 'Rollout' });
    new ServiceTraffic(b, 'traffic', { name: 'app', port: 8080, routing: { strategy: 'canary' } });
    new CanaryDelivery(b, 'delivery', { workload, steps: [{ setWeight: 100 }], analysis: [] });
    // WHEN synthesized THEN both render
    expect(() => Testing.synth(migrating)).not.toThrow();
    expect(() => Testing.synth(b)).not.toThrow();
  });

  test('without routes to a second version, or with a workload this library does not build, nothing is checked', () => {
    // GIVEN canary routing without traffic routing (one Service), and canary routing of a service whose workload the user builds
    // WHEN synthesized THEN both render
    expect(() => Testing.synth(chartWith('Deployment', 'canary', false))).not.toThrow();
    expect(() => Testing.synth(chartWith(undefined, 'canary'))).not.toThrow();
  });
});
