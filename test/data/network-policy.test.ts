/** Isolation of the data stores: who may open a connection to which store, on which port. */
import { DataStoreNetworkPolicy } from '../../src/data/network-policy';
import { findObject } from '../helpers';
import { reference } from './support';
import { Testing } from 'cdk8s';
import { testChart } from '../support/test-chart';

interface Policy {
  spec: {
    podSelector: { matchLabels: Record<string, string> };
    policyTypes: string[];
    ingress?: Array<{ from: Array<{ podSelector: { matchLabels: Record<string, string> } }>; ports: Array<{ protocol: string; port: number }> }>;
  };
}

const prod = reference('prod');
const policy = (name: string) => findObject<Policy>(prod, 'NetworkPolicy', name);
const pods = (name: string) => ({ 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': `${name}-prod` });

/** Whether a pod with these labels may connect to the policy's pods on this port. */
function admits(p: Policy, caller: Record<string, string>, port: number): boolean {
  return (p.spec.ingress ?? []).some((rule) =>
    rule.ports.some((x) => x.port === port)
    && rule.from.some((peer) => Object.entries(peer.podSelector.matchLabels).every(([k, v]) => caller[k] === v)));
}

describe('the user_service database', () => {
  const p = policy('user-service-db');

  test('selects the database pods and restricts their ingress', () => {
    // GIVEN user-service's database WHEN its policy is read THEN it selects the database pods and restricts ingress
    expect(p.spec.podSelector.matchLabels).toEqual(pods('user-service-db'));
    expect(p.spec.policyTypes).toEqual(['Ingress']);
  });

  test('admits user-service pods on 5432', () => {
    // GIVEN the owner's pod labels WHEN it connects on 5432 THEN a rule admits it
    expect(admits(p, pods('user-service'), 5432)).toBe(true);
  });

  test.each(['order-service', 'inventory-service', 'notification-service', 'rabbitmq', 'redis'])('denies %s', (caller) => {
    // GIVEN a pod of another service or store
    // WHEN it connects to user-service's database
    // THEN no rule admits it
    expect(admits(p, pods(caller), 5432)).toBe(false);
  });

  test('admits user-service on no other port', () => {
    // GIVEN the owner is admitted WHEN the rules are read THEN they name one peer and one port
    expect(p.spec.ingress).toEqual([{ from: [{ podSelector: { matchLabels: pods('user-service') } }], ports: [{ protocol: 'TCP', port: 5432 }] }]);
  });
});

test.each([
  ['order-service-db', 'order-service'],
  ['inventory-service-db', 'inventory-service'],
])('%s admits only its owner %s', (db, owner) => {
  // GIVEN each database WHEN its policy is read THEN the only admitted pods are its owner's
  expect(policy(db).spec.ingress?.flatMap((r) => r.from.map((f) => f.podSelector.matchLabels))).toEqual([pods(owner)]);
});

describe('Redis', () => {
  test('admits the services that declare cache, on 6379 only', () => {
    // GIVEN user- and inventory-service declare cache WHEN each service connects on 6379 THEN only those two are admitted, on that port only
    const p = policy('redis');
    expect(admits(p, pods('user-service'), 6379)).toBe(true);
    expect(admits(p, pods('inventory-service'), 6379)).toBe(true);
    expect(admits(p, pods('order-service'), 6379)).toBe(false);
    expect(admits(p, pods('notification-service'), 6379)).toBe(false);
    expect(p.spec.ingress?.flatMap((r) => r.ports.map((x) => x.port))).toEqual([6379]);
  });
});

describe('RabbitMQ', () => {
  const p = policy('rabbitmq');

  test.each(['order-service', 'inventory-service', 'notification-service'])('admits %s, which publishes or consumes, on 5672', (caller) => {
    // GIVEN the service publishes or consumes WHEN it connects on 5672 THEN a rule admits it
    expect(admits(p, pods(caller), 5672)).toBe(true);
  });

  test('denies user-service, which neither publishes nor consumes', () => {
    // GIVEN user-service has no publishes or consumes WHEN it connects on 5672 THEN no rule admits it
    expect(admits(p, pods('user-service'), 5672)).toBe(false);
  });

  test('admits its own nodes on epmd (4369) and distribution (25672), and nobody else there', () => {
    // GIVEN clustering ports WHEN a broker pod or a client connects to them THEN only broker pods are admitted
    expect(admits(p, pods('rabbitmq'), 4369)).toBe(true);
    expect(admits(p, pods('rabbitmq'), 25672)).toBe(true);
    expect(admits(p, pods('order-service'), 25672)).toBe(false);
    expect(admits(p, pods('order-service'), 4369)).toBe(false);
  });

  test('opens nothing else: no management or metrics port from any pod', () => {
    // GIVEN the management and Prometheus ports on the Service WHEN the rules are read THEN neither is opened
    expect([...new Set(p.spec.ingress?.flatMap((r) => r.ports.map((x) => x.port)))].sort()).toEqual([25672, 4369, 5672]);
  });

  test('its nodes admit each other on AMQP too (the node checks of the CLI tools)', () => {
    // GIVEN a broker pod WHEN it connects to another on 5672 THEN a rule admits it
    expect(admits(p, pods('rabbitmq'), 5672)).toBe(true);
  });
});

describe('DataStoreNetworkPolicy', () => {
  test('with no client admitted, it admits nothing', () => {
    // GIVEN a store no service connects to
    const chart = testChart();
    new DataStoreNetworkPolicy(chart, 'p', { name: 'lonely', labels: {}, storeSelector: { app: 'lonely' }, clientPorts: [5432] });
    // WHEN it is rendered
    const [rendered] = Testing.synth(chart) as Policy[];
    // THEN ingress is restricted with no rule that allows anything
    expect(rendered.spec.policyTypes).toEqual(['Ingress']);
    expect(rendered.spec.ingress ?? []).toEqual([]);
  });

  test('rejects a policy without client ports', () => {
    // GIVEN no client ports WHEN the construct is built THEN it is rejected
    const chart = testChart();
    expect(() => new DataStoreNetworkPolicy(chart, 'p', { name: 'x', labels: {}, storeSelector: {}, clientPorts: [] }))
      .toThrow('clientPorts must name at least one port');
  });
});
