/** The gateway constructs from plain props, in any cdk8s chart (no spec): defaults and rejected conflicts. */
import { Chart, Testing } from 'cdk8s';
import { GatewayAccessLog } from '../../src/mesh/access-log';
import { GatewayAuth } from '../../src/mesh/auth';
import { ApiGateway } from '../../src/mesh/gateway';
import { NamespaceNetworkPolicy } from '../../src/mesh/network-policy';
import { GatewayRateLimit } from '../../src/mesh/rate-limit';
import { ServiceTraffic } from '../../src/mesh/traffic';
import { testApp } from '../support/test-chart';

type Obj = { kind: string; metadata: { name: string; namespace?: string }; spec: Record<string, unknown> };
const shopChart = () => new Chart(testApp(), 'shop', { namespace: 'shop' });

test('ApiGateway: a host and a route give HTTPS with the default credential on the default ingress pods, and a 10s timeout', () => {
  // GIVEN only the host and one route WHEN synthesized in a chart of namespace shop
  const chart = shopChart();
  new ApiGateway(chart, 'gw', { host: 'api.example.com', routes: [{ prefix: '/web', service: 'web', port: 8080 }] });
  const [gateway, vs] = Testing.synth(chart) as Obj[];
  // THEN the Gateway selects istio: ingressgateway with the gateway-tls Secret
  expect(gateway.spec.selector).toEqual({ istio: 'ingressgateway' });
  expect((gateway.spec.servers as Array<{ tls: Record<string, unknown> }>)[0].tls).toMatchObject({ credentialName: 'gateway-tls' });
  // AND the route goes to the Service in the chart's namespace, with a timeout and retries off
  expect((vs.spec.http as unknown[])[0]).toMatchObject({
    name: 'web', timeout: '10s', retries: { attempts: 0 },
    route: [{ destination: { host: 'web.shop.svc.cluster.local', port: { number: 8080 } } }],
  });
});

test('ApiGateway: prefixes that would be one route, by their matches or by their route name, are refused together', () => {
  // GIVEN /api/orders and /api/orders/ (the same matches: Istio would send both to the first) and
  // /api/auth and /api-auth (both named "api-auth", the name rate limits and Argo Rollouts find routes by)
  const routes = [
    { prefix: '/api/orders', service: 'orders', port: 8080 },
    { prefix: '/api/orders/', service: 'orders-v2', port: 8081 },
    { prefix: '/api/auth', service: 'users', port: 8080 },
    { prefix: '/api-auth', service: 'legacy', port: 8081 },
  ];
  // WHEN constructed THEN both problems are in one error, each naming the two prefixes
  expect(() => new ApiGateway(shopChart(), 'gw', { host: 'api.example.com', routes })).toThrow(
    'ApiGateway: route prefixes /api/orders and /api/orders/ match the same requests (a trailing "/" makes no difference); Istio would send them all to the first, so give each prefix one route; '
    + 'route prefixes /api/auth and /api-auth get the same route name "api-auth" (the prefix with "/" and other symbols as "-"); rate limits and Argo Rollouts find gateway routes by name, so one would get the other\'s limit or weights: give each prefix a name of its own');
  // AND the same prefix twice is refused as before
  expect(() => new ApiGateway(shopChart(), 'gw', { host: 'api.example.com', routes: [routes[0], routes[0]] })).toThrow(/route prefix \/api\/orders is given twice; a prefix belongs to one service/);
});

test('ApiGateway rejects an empty gateway selector', () => {
  expect(() => new ApiGateway(shopChart(), 'gw', { host: 'api.example.com', gatewaySelector: {}, routes: [] })).toThrow(/gatewaySelector must name at least one label/);
});

test('GatewayAuth: defaults to the istio-system ingress pods and the chart\'s namespace; a prefix both protected and open is refused', () => {
  // GIVEN the issuer, JWKS and one protected prefix WHEN synthesized
  const chart = shopChart();
  new GatewayAuth(chart, 'auth', { host: 'api.example.com', issuer: 'https://id.example.com', jwksUri: 'https://id.example.com/jwks', protectedPrefixes: ['/api'] });
  const objs = Testing.synth(chart) as Obj[];
  // THEN both objects are in istio-system, named after the environment namespace, selecting istio: ingressgateway
  expect(objs.map((o) => [o.kind, o.metadata.namespace, o.metadata.name])).toEqual([
    ['RequestAuthentication', 'istio-system', 'shop-jwt'], ['AuthorizationPolicy', 'istio-system', 'shop-require-jwt']]);
  expect(objs[0].spec.selector).toEqual({ matchLabels: { istio: 'ingressgateway' } });
  // AND a prefix that is both protected and open is rejected
  expect(() => new GatewayAuth(shopChart(), 'auth', {
    host: 'api.example.com', issuer: 'https://id.example.com', jwksUri: 'https://id.example.com/jwks', protectedPrefixes: ['/api'], openPrefixes: ['/api'],
  })).toThrow(/route prefix \/api is both protected and open/);
});

test('GatewayAccessLog needs no props in a chart with a namespace', () => {
  const chart = shopChart();
  new GatewayAccessLog(chart, 'log');
  const [telemetry] = Testing.synth(chart) as Obj[];
  expect(telemetry.metadata).toEqual({ name: 'shop-gateway-access-log', namespace: 'istio-system' });
  expect(telemetry.spec.selector).toEqual({ matchLabels: { istio: 'ingressgateway' } });
});

test('ServiceTraffic takes the chart\'s namespace and rejects conflicting routing and a bad port', () => {
  // GIVEN a chart of namespace shop and no namespace prop WHEN synthesized THEN the hosts are in shop
  const chart = shopChart();
  new ServiceTraffic(chart, 'traffic', { name: 'web', port: 8080 });
  expect((Testing.synth(chart) as Obj[])[0].spec.hosts).toEqual(['web.shop.svc.cluster.local']);
  // AND routeNewVersion with a rolling update, and port 0, are refused together
  expect(() => new ServiceTraffic(shopChart(), 'traffic', { name: 'web', port: 0, routing: { routeNewVersion: false } }))
    .toThrow(/ServiceTraffic web: port 0 is not a port number \(1-65535\); routing.routeNewVersion applies to canary and blueGreen only/);
});

test('GatewayRateLimit: a host and one limited route are enough; bad and repeated limits are refused together', () => {
  // GIVEN a chart of namespace shop, the host and one route WHEN synthesized
  const chart = shopChart();
  new GatewayRateLimit(chart, 'limit', { host: 'api.example.com', routes: [{ prefix: '/api/auth', requests: 5, window: '1m' }] });
  const objs = Testing.synth(chart) as Obj[];
  // THEN the EnvoyFilter goes to the default gateway namespace and pods, the counters' Redis uses the pinned default image
  const filter = objs.find((o) => o.kind === 'EnvoyFilter')!;
  expect(filter.metadata).toMatchObject({ name: 'shop-ratelimit', namespace: 'istio-system' });
  expect(filter.spec.workloadSelector).toEqual({ labels: { istio: 'ingressgateway' } });
  const redis = objs.find((o) => o.kind === 'Deployment' && o.metadata.name === 'ratelimit-redis')!;
  expect(JSON.stringify(redis.spec)).toContain('"image":"redis:7.4.1-bookworm"');
  // AND a route limited twice, zero requests and an unusable window are all reported at once
  expect(() => new GatewayRateLimit(shopChart(), 'limit', {
    host: 'api.example.com',
    routes: [{ prefix: '/a', requests: 0, window: '1m' }, { prefix: '/a', requests: 5, window: '2d' }],
  })).toThrow(/route \/a: requests 0 must be a whole number, at least 1; route \/a is limited twice; .*route \/a: window "2d" is longer than a day/);
  // AND two prefixes of one route name are refused: the service counts by route name, so the 5 a
  // minute of /api/auth would become the 1000 of /api-auth (one counter, one limit)
  expect(() => new GatewayRateLimit(shopChart(), 'limit', {
    host: 'api.example.com',
    routes: [{ prefix: '/api/auth', requests: 5, window: '1m' }, { prefix: '/api-auth', requests: 1000, window: '1m' }],
  })).toThrow(/GatewayRateLimit: route prefixes \/api\/auth and \/api-auth get the same route name "api-auth"/);
});

test('NamespaceNetworkPolicy needs no props: istiod in istio-system, no metrics scrape', () => {
  const chart = shopChart();
  new NamespaceNetworkPolicy(chart, 'baseline');
  const objs = Testing.synth(chart) as Obj[];
  expect(objs.map((o) => o.metadata.name)).toEqual(['default-deny', 'allow-mesh-egress']);
  expect(JSON.stringify(objs[1].spec)).toContain('"kubernetes.io/metadata.name":"istio-system"');
});
