/**
 * Class 4 of issue 14: every check over the spec is linear (or n log n) in the length of its
 * lists. Work is counted, not timed: the checks run over lists whose element reads are counted,
 * and ten times the entries must cost about ten times the reads (a search per entry costs 100x).
 */
import { runChecks } from '../../src/spec/checks';
import { SpecError } from '../../src/spec/errors';
import { loadPlatform } from '../../src/spec/load';
import { EnvironmentSpec, ServiceSpec } from '../../src/spec/schema';
import { editReference, REFERENCE_FILE, referenceText } from '../helpers';

/** A list whose element reads are counted in `reads.count`. */
function counted<T>(items: T[], reads: { count: number }): T[] {
  return new Proxy(items, {
    get(target, key, receiver) {
      if (typeof key === 'string' && /^\d+$/.test(key)) reads.count++;
      return Reflect.get(target, key, receiver);
    },
  });
}

/** Element reads the checks make over one service with `n` calls, events and analysis templates (half of them repeats). */
function readsFor(n: number): number {
  const reads = { count: 0 };
  const env = loadPlatform(referenceText(), REFERENCE_FILE).environments.find((e) => e.name === 'prod')!;
  const half = (f: (i: number) => string) => counted(Array.from({ length: n }, (_, i) => f(i % Math.max(1, n / 2))), reads);
  const svc: ServiceSpec = {
    ...env.services['order-service'],
    calls: half((i) => `service-${i}`),
    publishes: half((i) => `order.event-${i}`),
    consumes: half((i) => `order.event-${i}`),
    delivery: { strategy: 'canary', canary: { steps: [{ setWeight: 100 }], analysis: half((i) => `template-${i}`), trafficRouting: 'istio' } },
  };
  const big: EnvironmentSpec = { ...env, services: { ...env.services, 'order-service': svc } };
  let problems = 0;
  runChecks(big, () => { problems++; }, { declaredServices: Object.keys(env.services), declaredEvents: [...svc.publishes] });
  expect(problems).toBeGreaterThan(n);
  return reads.count;
}

test('the checks read each list a constant number of times: 10x the entries, about 10x the reads', () => {
  const small = readsFor(1_000);
  const large = readsFor(10_000);
  // Linear: 10x (a little more for fixed costs is fine); a search per entry would be 100x.
  expect(large / small).toBeLessThan(12);
  expect(large / small).toBeGreaterThan(8);
});

test('a spec with a calls list of 100,000 entries is answered (a located error) within a generous bound (a hang detector: the old quadratic checks took minutes)', () => {
  // GIVEN 100,000 calls, all to one service, and 1,000 to services that do not exist
  const calls = [...Array(100_000).fill('inventory-service'), ...Array.from({ length: 1_000 }, (_, i) => `ghost-${i}`)];
  const text = editReference(['    calls: [user-service, inventory-service]', `    calls: [${calls.join(', ')}]`]);
  const started = Date.now();
  let error: unknown;
  try {
    loadPlatform(text, REFERENCE_FILE);
  } catch (e) {
    error = e;
  }
  // THEN every problem is reported, each with its line; the generous bound only catches a hang
  expect(Date.now() - started).toBeLessThan(15_000);
  expect(error).toBeInstanceOf(SpecError);
  const problems = (error as SpecError).problems;
  expect(problems.filter((p) => /calls "inventory-service" more than once/.test(p.message)).length).toBe(1);
  expect(problems.filter((p) => /calls unknown service "ghost-\d+"/.test(p.message)).length).toBe(1_000);
  expect(problems.every((p) => p.line > 0)).toBe(true);
});
