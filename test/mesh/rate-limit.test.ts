/** Per-client, per-route limits at the gateway through the Envoy rate limit service. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse } from 'yaml';
import { runSynthCli } from '../../src/cli';
import { rateLimitNotes } from '../../src/platform/mesh';
import { describeLimit, parseWindow, serviceLimit } from '../../src/mesh/rate-limit';
import { platformReport } from '../../src/report/platform-report';
import { editReference, findObject, objectsOf, REFERENCE_FILE, synth } from '../helpers';

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
    expect(serviceLimit(100, '1m')).toMatchObject({ unit: 'minute', requestsPerUnit: 100 });
    expect(serviceLimit(120, '1m')).toMatchObject({ unit: 'minute', requestsPerUnit: 120 });
  });

  test('a window no unit divides finely enough keeps its number over the next larger unit', () => {
    // GIVEN 5 per 15m (1/3 per minute rounds to 0) / WHEN converted
    // THEN 5 per hour: never more than 5 in a 15m inside an hour; the old 20 per hour allowed 20
    expect(serviceLimit(5, '15m')).toEqual({ unit: 'hour', requestsPerUnit: 5, mostInWindow: 10, perWindowLongRun: 1.25 });
    expect(serviceLimit(7, '45m')).toMatchObject({ unit: 'hour', requestsPerUnit: 7 });
    expect(serviceLimit(3, '30s')).toMatchObject({ unit: 'minute', requestsPerUnit: 3 });
  });

  test('a window a unit divides becomes that unit at the declared rate, rounded down', () => {
    // GIVEN 100 per 15m / WHEN converted / THEN 6 per minute: at most 6 x 16 = 96 in any 15 minutes
    expect(serviceLimit(100, '15m')).toEqual({ unit: 'minute', requestsPerUnit: 6, mostInWindow: 96, perWindowLongRun: 90 });
    expect(serviceLimit(10, '2h')).toMatchObject({ unit: 'hour', requestsPerUnit: 5 });
  });

  /** Most requests `perUnit` per fixed clock window of `unitSeconds` admits in any interval of `windowSeconds` (a greedy client fills every window it touches). */
  function mostAdmitted(perUnit: number, unitSeconds: number, windowSeconds: number): number {
    let most = 0;
    // Half-second steps: an interval [start, start + window) that starts mid-second spans one more clock window.
    for (let start = 0; start < unitSeconds; start += 0.5) {
      const windowsTouched = Math.ceil((start + windowSeconds) / unitSeconds) - Math.floor(start / unitSeconds);
      most = Math.max(most, perUnit * windowsTouched);
    }
    return most;
  }

  test.each([[5, '15m'], [100, '15m'], [7, '45m'], [100, '1m'], [3, '30s'], [100, '90m'], [10, '2h'], [1000, '1d'], [59, '1h'], [61, '1m'], [1, '1s']])(
    '%d per %s never admits more than declared in a window, nor more than twice that across a boundary', (requests, window) => {
      // GIVEN a declared limit / WHEN converted
      const g = serviceLimit(requests, window);
      const unitSeconds = { second: 1, minute: 60, hour: 3600, day: 86400 }[g.unit];
      const seconds = parseWindow(window);
      // THEN a window of the declared length inside one clock window, or made of whole clock windows, gets at most the declared number
      expect(g.requestsPerUnit * Math.max(1, seconds / unitSeconds)).toBeLessThanOrEqual(requests);
      // AND replayed against fixed clock windows, any interval of that length gets at most the stated figure, never above twice the declared
      expect(mostAdmitted(g.requestsPerUnit, unitSeconds, seconds)).toBe(g.mostInWindow);
      expect(g.mostInWindow).toBeLessThanOrEqual(2 * requests);
    });

  test('the synth output says what each limit was generated as', () => {
    // GIVEN the fixture's /api/auth 5 per 15m and /api/users 100 per 15m / WHEN synthesized
    const env = synth(undefined, ['prod'])[0];
    // THEN one line per limited route, naming the route, the declaration and the generated limit
    expect(rateLimitNotes(env.platform.spec)).toEqual([
      'rate limit api-auth: 5 per 15m generated as 5 per hour (fixed clock hours: at most 5 in a 15m inside one hour, up to 10 in a 15m spanning two; 1.25 per 15m over a long run)',
      'rate limit api-users: 100 per 15m generated as 6 per minute (at most 96 in any 15m; 90 per 15m over a long run)',
    ]);
    expect(describeLimit(100, '1m')).toBe('100 per 1m generated as 100 per minute (fixed clock minutes: up to 200 in a 1m spanning two)');
    // AND the report beside the manifests carries the same lines
    const report = platformReport(env.platform.spec, env.files);
    expect(report).toContain('- rate limit api-auth: 5 per 15m generated as 5 per hour');
  });

  test('npm run synth prints the generated limits on stdout', async () => {
    // GIVEN the fixture spec / WHEN the synth command writes prod
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'rate-limit-cli-'));
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(await runSynthCli(['--config', REFERENCE_FILE, '--env', 'prod', '--out', out], {})).toBe(0);
      // THEN one line per limited route, prefixed with the environment's directory
      const lines = stdout.mock.calls.map((c) => String(c[0])).filter((l) => l.includes('rate limit'));
      expect(lines).toEqual([
        `${out}/prod: rate limit api-auth: 5 per 15m generated as 5 per hour (fixed clock hours: at most 5 in a 15m inside one hour, up to 10 in a 15m spanning two; 1.25 per 15m over a long run)\n`,
        `${out}/prod: rate limit api-users: 100 per 15m generated as 6 per minute (at most 96 in any 15m; 90 per 15m over a long run)\n`,
      ]);
    } finally {
      stdout.mockRestore();
      fs.rmSync(out, { recursive: true, force: true });
    }
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
        { key: 'route', value: 'api-auth', descriptors: [{ key: 'remote_address', rate_limit: { unit: 'hour', requests_per_unit: 5 } }] },
        { key: 'route', value: 'api-users', descriptors: [{ key: 'remote_address', rate_limit: { unit: 'minute', requests_per_unit: 6 } }] },
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
