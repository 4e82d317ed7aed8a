/** ServiceTraffic with plain props, in any cdk8s chart: defaults, routing, and agreement with the spec's defaults. */
import { Testing } from 'cdk8s';
import { ServiceTraffic, ServiceTrafficProps } from '../../src/mesh/traffic';
import { serviceTrafficProps } from '../../src/platform/service-props';
import { ServiceSchema } from '../../src/spec/schema';
import { testChart } from '../support/test-chart';

type Obj = { kind: string; metadata: { name: string }; spec: Record<string, unknown> };
const synth = (props: ServiceTrafficProps) => {
  const chart = testChart();
  new ServiceTraffic(chart, 'traffic', props);
  return Testing.synth(chart) as Obj[];
};

test('name, namespace and port give a VirtualService and an mTLS DestinationRule with explicit, safe defaults', () => {
  // GIVEN only the service's name, namespace and port WHEN synthesized
  const objs = synth({ name: 'web', namespace: 'shop', port: 8080 });
  // THEN one primary route to subset v1 with a timeout and a retry policy that never repeats a received request
  const vs = objs.find((o) => o.kind === 'VirtualService')!;
  expect(vs.spec).toEqual({
    hosts: ['web.shop.svc.cluster.local'],
    http: [{
      name: 'primary', timeout: '10s', retries: { attempts: 3, perTryTimeout: '2s', retryOn: 'connect-failure,refused-stream' },
      route: [{ destination: { host: 'web.shop.svc.cluster.local', subset: 'v1', port: { number: 8080 } } }],
    }],
  });
  const dr = objs.find((o) => o.kind === 'DestinationRule')!;
  expect(dr.spec).toMatchObject({
    host: 'web.shop.svc.cluster.local',
    subsets: [{ name: 'v1', labels: { version: 'v1' } }],
    trafficPolicy: {
      tls: { mode: 'ISTIO_MUTUAL' },
      connectionPool: { tcp: { maxConnections: 100 }, http: { http1MaxPendingRequests: 100, maxRequestsPerConnection: 0 } },
      outlierDetection: { consecutive5xxErrors: 5, interval: '30s', baseEjectionTime: '30s', maxEjectionPercent: 50 },
    },
  });
});

test('canary routing pins the version header to the canary Service and splits the primary route', () => {
  const objs = synth({ name: 'web', namespace: 'shop', port: 8080, routing: { strategy: 'canary' }, versionHeader: 'x-version' });
  const http = (objs.find((o) => o.kind === 'VirtualService')!.spec.http as Array<{ name: string; match?: unknown; route: unknown[] }>);
  expect(http.map((h) => h.name)).toEqual(['version-pin', 'primary']);
  expect(http[0].match).toEqual([{ headers: { 'x-version': { exact: 'v2' } } }]);
  expect(http[1].route).toEqual([
    { destination: { host: 'web-stable.shop.svc.cluster.local', port: { number: 8080 } }, weight: 100 },
    { destination: { host: 'web-canary.shop.svc.cluster.local', port: { number: 8080 } }, weight: 0 },
  ]);
  expect(objs.filter((o) => o.kind === 'DestinationRule').map((o) => o.metadata.name).sort()).toEqual(['web', 'web-canary', 'web-stable']);
});

test('the construct defaults are the spec defaults: a minimal service gives the same objects either way', () => {
  // GIVEN a minimal service in the spec, mapped to props, and the same service as bare props
  const fromSpec = synth(serviceTrafficProps('web', 'shop', ServiceSchema.parse({ image: 'ghcr.io/acme/web:1.4.2', port: 8080 })));
  const bare = synth({ name: 'web', namespace: 'shop', port: 8080 });
  // THEN the output is identical
  expect(bare).toEqual(fromSpec);
});
