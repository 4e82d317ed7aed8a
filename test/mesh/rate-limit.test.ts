/** Per-client, per-route limits at the gateway through the Envoy rate limit service. */
import { parse } from 'yaml';
import { parseWindow, serviceLimit } from '../../src/mesh/rate-limit';
import { editReference, findObject, objectsOf } from '../helpers';

interface Patch { applyTo: string; match: { context: string; routeConfiguration?: { vhost: { name: string; route: { name: string } } } }; patch: { operation: string; value: Record<string, unknown> } }

describe('rate limit windows', () => {
  test.each([['30s', 30], ['15m', 900], ['1h', 3600], ['1d', 86400]])('window %s is %d seconds', (window, seconds) => {
    // GIVEN a window / WHEN parsed / THEN
    expect(parseWindow(window)).toBe(seconds);
  });

  test.each(['15 minutes', '0m', '1.5h', '15', '2d'])('window %s is refused', (window) => {
    // GIVEN a window the service cannot count in / WHEN parsed / THEN it throws
    expect(() => parseWindow(window)).toThrow(/window/);
  });

  test('a window of one unit is kept as it is', () => {
    // GIVEN 100 per 1m / WHEN converted / THEN
    expect(serviceLimit(100, '1m')).toEqual({ unit: 'minute', requestsPerUnit: 100 });
  });

  test('other windows become the next unit at the same average rate, rounded down', () => {
    // GIVEN the reference limits / WHEN converted / THEN 5 per 15m is 20 per hour
    expect(serviceLimit(5, '15m')).toEqual({ unit: 'hour', requestsPerUnit: 20 });
    expect(serviceLimit(100, '15m')).toEqual({ unit: 'hour', requestsPerUnit: 400 });
    expect(serviceLimit(7, '45m')).toEqual({ unit: 'hour', requestsPerUnit: 9 });
  });
});

describe('gateway rate limiting', () => {
  const objects = objectsOf('prod');
  const filter = findObject<{ spec: { workloadSelector: { labels: Record<string, string> }; configPatches: Patch[] } }>(objects, 'EnvoyFilter', 'shop-prod-ratelimit');

  test('the rate limit service counts per route and client address', () => {
    // GIVEN /api/auth 5 per 15m and /api/users 100 per 15m / WHEN synthesized
    const cm = findObject<{ data: Record<string, string> }>(objects, 'ConfigMap', 'ratelimit-config');
    // THEN one descriptor per route, nested per remote address
    expect(parse(cm.data['config.yaml'])).toEqual({
      domain: 'shop-prod-gateway',
      descriptors: [
        { key: 'route', value: 'api-auth', descriptors: [{ key: 'remote_address', rate_limit: { unit: 'hour', requests_per_unit: 20 } }] },
        { key: 'route', value: 'api-users', descriptors: [{ key: 'remote_address', rate_limit: { unit: 'hour', requests_per_unit: 400 } }] },
      ],
    });
  });

  test('the EnvoyFilter sits beside the gateway pods and inserts the ratelimit filter before the router', () => {
    // GIVEN / WHEN synthesized
    const insert = filter.spec.configPatches.find((p) => p.applyTo === 'HTTP_FILTER') as Patch;
    // THEN
    expect(filter.metadata.namespace).toBe('istio-system');
    expect(filter.spec.workloadSelector.labels).toEqual({ istio: 'ingressgateway' });
    expect(insert.patch.operation).toBe('INSERT_BEFORE');
    expect(insert.patch.value).toMatchObject({
      name: 'envoy.filters.http.ratelimit',
      typed_config: {
        domain: 'shop-prod-gateway',
        failure_mode_deny: false,
        rate_limit_service: { grpc_service: { envoy_grpc: { cluster_name: 'outbound|8081||ratelimit.shop-prod.svc.cluster.local' } }, transport_api_version: 'V3' },
      },
    });
  });

  test('each limited route gets actions keyed on its name and the client address', () => {
    // GIVEN / WHEN synthesized
    const routes = filter.spec.configPatches.filter((p) => p.applyTo === 'HTTP_ROUTE');
    // THEN only the limited routes, matched by virtual host and route name, are patched
    expect(routes.map((p) => p.match.routeConfiguration?.vhost)).toEqual([
      { name: 'api.shop.example.com:443', route: { name: 'api-auth' } },
      { name: 'api.shop.example.com:443', route: { name: 'api-users' } },
    ]);
    expect(routes[0].patch).toEqual({
      operation: 'MERGE',
      value: { route: { rate_limits: [{ actions: [{ generic_key: { descriptor_key: 'route', descriptor_value: 'api-auth' } }, { remote_address: {} }] }] } },
    });
  });

  test('only the ingress gateway may call the rate limit service', () => {
    // GIVEN / WHEN synthesized
    const policy = findObject<{ spec: { rules: unknown[] } }>(objects, 'AuthorizationPolicy', 'ratelimit');
    // THEN
    expect(policy.spec.rules).toEqual([{ from: [{ source: { principals: ['cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account'] } }] }]);
  });

  test('no rate limit objects when no route is limited', () => {
    // GIVEN no route has a rate limit
    const text = editReference(
      [', rateLimit: { requests: 5, window: 15m }', ''],
      [', rateLimit: { requests: 100, window: 15m }', ''],
    );
    // WHEN synthesized / THEN
    const out = objectsOf('prod', text);
    expect(out.filter((o) => o.kind === 'EnvoyFilter' || o.metadata.name.startsWith('ratelimit'))).toEqual([]);
  });
});
