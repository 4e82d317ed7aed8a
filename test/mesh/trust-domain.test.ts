/** The trust domain of workload identities comes from platform.trustDomain (default cluster.local). */
import { Manifest } from '../../src/synth';
import { editReference, objectsOf, problemsOf } from '../helpers';
import { authorizationAdmits, podOf } from './policy-eval';

/** Every principal named in the AuthorizationPolicies of an environment. */
function principals(objects: readonly Manifest[]): string[] {
  return objects.filter((o) => o.kind === 'AuthorizationPolicy')
    .flatMap((o) => ((o.spec as { rules?: Array<{ from?: Array<{ source: { principals?: string[] } }> }> }).rules ?? [])
      .flatMap((r) => (r.from ?? []).flatMap((f) => f.source.principals ?? [])));
}
const withTrustDomain = (domain: string) => editReference(['  host: api.shop.example.com\n', `  host: api.shop.example.com\n  trustDomain: ${domain}\n`]);

describe('trust domain', () => {
  test('default: every principal is in cluster.local', () => {
    // GIVEN the fixture spec, which sets no trust domain / WHEN synthesized
    const all = principals(objectsOf('prod'));
    // THEN every principal names cluster.local
    expect(all.length).toBeGreaterThan(5);
    expect(all.filter((p) => !p.startsWith('cluster.local/ns/'))).toEqual([]);
  });

  test('platform.trustDomain names the domain of every principal, platform components included', () => {
    // GIVEN a mesh whose trust domain is prod.shop.example.com
    const objects = objectsOf('prod', withTrustDomain('prod.shop.example.com'));
    // WHEN its policies are read
    const all = principals(objects);
    // THEN every principal (services, gateway, rate limit service, collector) is in that domain
    expect(all.filter((p) => !p.startsWith('prod.shop.example.com/ns/'))).toEqual([]);
    expect(all).toEqual(expect.arrayContaining([
      'prod.shop.example.com/ns/shop-prod/sa/order-service',
      'prod.shop.example.com/ns/istio-system/sa/istio-ingressgateway-service-account',
      'prod.shop.example.com/ns/shop-prod/sa/ratelimit',
      'prod.shop.example.com/ns/shop-prod/sa/*',
    ]));
    // AND a caller with that identity is admitted where it declares a call, one from cluster.local is not
    const caller = podOf(objects, 'order-service');
    const callee = podOf(objects, 'user-service');
    expect(authorizationAdmits(objects, { ...caller, principal: 'prod.shop.example.com/ns/shop-prod/sa/order-service' }, callee)).toBe(true);
    expect(authorizationAdmits(objects, caller, callee)).toBe(false);
  });

  test('a trust domain that is not a DNS name is rejected with the allowed form', () => {
    // GIVEN a trust domain with a slash / WHEN checked / THEN the message says what is allowed
    expect(problemsOf(withTrustDomain('Cluster.Local/x'))).toEqual([
      'platform.yaml:8: platform.trustDomain: must be a trust domain as the mesh sets it (meshConfig.trustDomain): lowercase DNS labels joined by ".", such as cluster.local or prod.example.com',
    ]);
  });
});
