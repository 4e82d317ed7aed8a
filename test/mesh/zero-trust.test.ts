/** Strict mTLS, least-privilege AuthorizationPolicies and the default-deny network baseline. */
import { findObject, objectsOf } from '../helpers';

interface NetPeer { namespaceSelector?: { matchLabels: Record<string, string> }; podSelector?: { matchLabels: Record<string, string> } }
interface NetRule { to?: NetPeer[]; from?: NetPeer[]; ports: Array<{ port: number; protocol: string }> }
type NetPolicy = { spec: { podSelector: { matchLabels: Record<string, string> }; policyTypes: string[]; ingress?: NetRule[]; egress?: NetRule[] } };

describe('zero trust', () => {
  const objects = objectsOf('prod');

  test('mTLS is strict for the whole namespace', () => {
    // GIVEN / WHEN synthesized / THEN
    const pa = findObject<{ spec: unknown }>(objects, 'PeerAuthentication', 'default');
    expect(pa.metadata.namespace).toBe('shop-prod');
    expect(pa.spec).toEqual({ mtls: { mode: 'STRICT' } });
  });

  test('user-service admits order-service and the gateway on its routed paths only', () => {
    // GIVEN order-service calls user-service; user-service owns /api/auth and /api/users
    const policy = findObject<{ spec: { action: string; selector: unknown; rules: unknown[] } }>(objects, 'AuthorizationPolicy', 'user-service');
    // WHEN synthesized / THEN
    expect(policy.spec.action).toBe('ALLOW');
    expect(policy.spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'user-service', 'app.kubernetes.io/instance': 'user-service-prod' } });
    expect(policy.spec.rules).toEqual([
      { from: [{ source: { principals: ['cluster.local/ns/shop-prod/sa/order-service'] } }] },
      { from: [{ source: { principals: ['cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account'] } }], to: [{ operation: { paths: ['/api/auth', '/api/auth/*', '/api/users', '/api/users/*'] } }] },
    ]);
  });

  test('a service nobody calls and nothing routes to admits nobody', () => {
    // GIVEN notification-service: no callers, no routes / WHEN synthesized
    const policy = findObject<{ spec: { action: string; rules?: unknown[] } }>(objects, 'AuthorizationPolicy', 'notification-service');
    // THEN an ALLOW policy without rules (Istio: allow nothing)
    expect(policy.spec.action).toBe('ALLOW');
    expect(policy.spec.rules ?? []).toEqual([]);
    expect(findObject<NetPolicy>(objects, 'NetworkPolicy', 'notification-service').spec.ingress).toBeUndefined();
  });

  test('every pod is denied ingress and egress unless a policy allows it', () => {
    // GIVEN / WHEN synthesized / THEN
    expect(findObject<NetPolicy>(objects, 'NetworkPolicy', 'default-deny').spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
  });

  test('every pod may reach DNS and istiod xDS', () => {
    // GIVEN / WHEN synthesized
    const egress = findObject<NetPolicy>(objects, 'NetworkPolicy', 'allow-mesh-egress').spec.egress ?? [];
    // THEN
    expect(egress).toEqual([
      { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }] },
      { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'istio-system' } }, podSelector: { matchLabels: { app: 'istiod' } } }], ports: [{ port: 15012, protocol: 'TCP' }] },
    ]);
  });

  test('Prometheus (namespace of prometheusAddress) may scrape the sidecars', () => {
    // GIVEN prometheusAddress in namespace monitoring / WHEN synthesized
    const ingress = findObject<NetPolicy>(objects, 'NetworkPolicy', 'allow-metrics-scrape').spec.ingress ?? [];
    // THEN
    expect(ingress).toEqual([{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: {} }], ports: [{ port: 15020, protocol: 'TCP' }, { port: 15090, protocol: 'TCP' }] }]);
  });

  test('a service reaches the data stores it declares and only those', () => {
    // GIVEN order-service: own database, publishes events, no cache / WHEN synthesized
    const egress = findObject<NetPolicy>(objects, 'NetworkPolicy', 'order-service').spec.egress ?? [];
    const stores = egress.map((e) => [e.to?.[0].podSelector?.matchLabels['app.kubernetes.io/name'], e.ports[0].port]);
    // THEN the callees, its database and RabbitMQ; no Redis
    expect(stores).toEqual([['user-service', 3001], ['inventory-service', 3003], ['order-service-db', 5432], ['rabbitmq', 5672]]);
  });

  test('inventory-service reaches its database, Redis and RabbitMQ', () => {
    // GIVEN database, cache and consumed events / WHEN synthesized
    const egress = findObject<NetPolicy>(objects, 'NetworkPolicy', 'inventory-service').spec.egress ?? [];
    // THEN
    expect(egress.map((e) => [e.to?.[0].podSelector?.matchLabels['app.kubernetes.io/name'], e.ports[0].port])).toEqual([['inventory-service-db', 5432], ['redis', 6379], ['rabbitmq', 5672]]);
  });

  test('the gateway namespace reaches routed services on their port', () => {
    // GIVEN order-service owns /api/orders / WHEN synthesized
    const ingress = findObject<NetPolicy>(objects, 'NetworkPolicy', 'order-service').spec.ingress ?? [];
    // THEN only the ingress gateway pods, on 3002
    expect(ingress).toEqual([{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'istio-system' } }, podSelector: { matchLabels: { istio: 'ingressgateway' } } }], ports: [{ port: 3002, protocol: 'TCP' }] }]);
  });
});
