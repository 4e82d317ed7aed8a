/**
 * One declaration drives every layer: for every ordered pair of services, the synthesized
 * AuthorizationPolicies and NetworkPolicies both admit the traffic exactly when the caller
 * declares the callee in `calls`.
 */
import { stringify } from 'yaml';
import { Manifest } from '../../src/synth';
import { objectsOf, synth } from '../helpers';
import { authorizationAdmits, egressAdmits, ingressAdmits, networkAdmits, Pod, podOf } from './policy-eval';

/** Every ordered pair (caller, callee) and whether both layers admit the call. */
function admittedPairs(objects: readonly Manifest[], services: readonly string[]): Map<string, boolean> {
  const pods = new Map(services.map((s) => [s, podOf(objects, s)]));
  const out = new Map<string, boolean>();
  for (const a of services) {
    for (const b of services) {
      if (a === b) continue;
      const from = pods.get(a) as Pod;
      const to = pods.get(b) as Pod & { port: number };
      out.set(`${a}->${b}`, authorizationAdmits(objects, from, to) && networkAdmits(objects, from, to, to.port));
    }
  }
  return out;
}

function declaredPairs(calls: Record<string, readonly string[]>): Map<string, boolean> {
  const services = Object.keys(calls);
  const out = new Map<string, boolean>();
  for (const a of services) for (const b of services) if (a !== b) out.set(`${a}->${b}`, calls[a].includes(b));
  return out;
}

/** A fixed pseudo-random call graph (linear congruential generator, seed 42). */
function generatedCalls(count: number): Record<string, string[]> {
  let seed = 42;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const names = Array.from({ length: count }, (_, i) => `svc-${String.fromCharCode(97 + i)}`);
  return Object.fromEntries(names.map((a) => [a, names.filter((b) => b !== a && next() < 0.35)]));
}

function generatedSpec(calls: Record<string, string[]>): string {
  const services = Object.fromEntries(Object.entries(calls).map(([name, callees], i) => [name, {
    image: `ghcr.io/example/${name}:1.0.${i}`,
    port: 4000 + i,
    calls: callees,
    // Every other service is routed at the gateway, so gateway rules sit beside the call rules.
    routes: i % 2 === 0 ? [{ prefix: `/api/${name}`, auth: 'none' }] : [],
  }]));
  return stringify({ platform: { name: 'graph', host: 'api.graph.example.com' }, services, environments: { test: {} } });
}

describe('call graph drives authorization and network policy alike', () => {
  test('reference platform: a call is admitted if and only if the caller declares it', () => {
    // GIVEN the reference spec (order-service calls user-service and inventory-service)
    const objects = objectsOf('prod');
    const calls = { 'user-service': [], 'order-service': ['user-service', 'inventory-service'], 'inventory-service': [], 'notification-service': [] };
    // WHEN every ordered pair is evaluated against the synthesized policies
    const admitted = admittedPairs(objects, Object.keys(calls));
    // THEN exactly the declared calls pass both layers
    expect(admitted).toEqual(declaredPairs(calls));
    expect(admitted.get('order-service->user-service')).toBe(true);
    expect(admitted.get('user-service->order-service')).toBe(false);
  });

  test('generated platform with a fixed pseudo-random call graph: same equivalence', () => {
    // GIVEN seven services whose calls come from a seeded generator
    const calls = generatedCalls(7);
    expect(Object.values(calls).flat().length).toBeGreaterThan(5); // the graph is not trivial
    // WHEN its synthesized policies are evaluated for every ordered pair
    const objects = synth(generatedSpec(calls))[0].files.flatMap((f) => f.objects);
    // THEN the admitted pairs are exactly the declared ones
    expect(admittedPairs(objects, Object.keys(calls))).toEqual(declaredPairs(calls));
  });

  test('each layer and direction alone also follows the declaration', () => {
    // GIVEN the generated platform
    const calls = generatedCalls(7);
    const objects = synth(generatedSpec(calls))[0].files.flatMap((f) => f.objects);
    const names = Object.keys(calls);
    // WHEN each layer is evaluated on its own
    for (const a of names) {
      for (const b of names.filter((n) => n !== a)) {
        const from = podOf(objects, a);
        const to = podOf(objects, b);
        // THEN each agrees with the spec (so no layer is silently wide open behind another)
        const expected = [`${a}->${b}`, calls[a].includes(b)];
        expect([`${a}->${b}`, authorizationAdmits(objects, from, to)]).toEqual(expected);
        expect([`${a}->${b}`, egressAdmits(objects, from, to, to.port)]).toEqual(expected);
        expect([`${a}->${b}`, ingressAdmits(objects, from, to, to.port)]).toEqual(expected);
      }
    }
  });

  test('the ingress gateway reaches routed services on their paths only', () => {
    // GIVEN the reference platform and a pod of the ingress gateway
    const objects = objectsOf('prod');
    const gateway: Pod = { namespace: 'istio-system', labels: { istio: 'ingressgateway' }, principal: 'cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account' };
    const users = podOf(objects, 'user-service');
    const notifications = podOf(objects, 'notification-service');
    // WHEN / THEN: routed paths pass, other paths and unrouted services do not
    expect(authorizationAdmits(objects, gateway, users, '/api/auth/login')).toBe(true);
    expect(authorizationAdmits(objects, gateway, users, '/internal/metrics')).toBe(false);
    expect(networkAdmits(objects, gateway, users, users.port)).toBe(true);
    expect(authorizationAdmits(objects, gateway, notifications)).toBe(false);
    expect(networkAdmits(objects, gateway, notifications, notifications.port)).toBe(false);
  });
});
