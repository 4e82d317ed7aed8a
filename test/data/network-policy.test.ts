/** Isolation of the data stores: who may open a connection to which store, on which port. */
import { DataStoreNetworkPolicy } from '../../src/data/network-policy';
import { findObject } from '../helpers';
import { reference } from './support';
import { Chart, Testing } from 'cdk8s';

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
    expect(p.spec.podSelector.matchLabels).toEqual(pods('user-service-db'));
    expect(p.spec.policyTypes).toEqual(['Ingress']);
  });

  test('admits user-service pods on 5432', () => {
    expect(admits(p, pods('user-service'), 5432)).toBe(true);
  });

  test.each(['order-service', 'inventory-service', 'notification-service', 'rabbitmq', 'redis'])('denies %s', (caller) => {
    // GIVEN a pod of another service or store
    // WHEN it connects to user-service's database
    // THEN no rule admits it
    expect(admits(p, pods(caller), 5432)).toBe(false);
  });

  test('admits user-service on no other port', () => {
    expect(p.spec.ingress).toEqual([{ from: [{ podSelector: { matchLabels: pods('user-service') } }], ports: [{ protocol: 'TCP', port: 5432 }] }]);
  });
});

test.each([
  ['order-service-db', 'order-service'],
  ['inventory-service-db', 'inventory-service'],
])('%s admits only its owner %s', (db, owner) => {
  expect(policy(db).spec.ingress?.flatMap((r) => r.from.map((f) => f.podSelector.matchLabels))).toEqual([pods(owner)]);
});

describe('Redis', () => {
  test('admits the services that declare cache, on 6379 only', () => {
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
    expect(admits(p, pods(caller), 5672)).toBe(true);
  });

  test('denies user-service, which neither publishes nor consumes', () => {
    expect(admits(p, pods('user-service'), 5672)).toBe(false);
  });

  test('admits its own nodes on epmd (4369) and distribution (25672), and nobody else there', () => {
    expect(admits(p, pods('rabbitmq'), 4369)).toBe(true);
    expect(admits(p, pods('rabbitmq'), 25672)).toBe(true);
    expect(admits(p, pods('order-service'), 25672)).toBe(false);
    expect(admits(p, pods('order-service'), 4369)).toBe(false);
  });

  test('opens nothing else: no management or metrics port from any pod', () => {
    expect(p.spec.ingress?.flatMap((r) => r.ports.map((x) => x.port)).sort()).toEqual([25672, 4369, 5672]);
  });
});

describe('DataStoreNetworkPolicy', () => {
  test('with no client admitted, it admits nothing', () => {
    // GIVEN a store no service connects to
    const chart = new Chart(Testing.app(), 'test');
    new DataStoreNetworkPolicy(chart, 'p', { name: 'lonely', labels: {}, storeSelector: { app: 'lonely' }, clientPorts: [5432] });
    // WHEN it is rendered
    const [rendered] = Testing.synth(chart) as Policy[];
    // THEN ingress is restricted with no rule that allows anything
    expect(rendered.spec.policyTypes).toEqual(['Ingress']);
    expect(rendered.spec.ingress ?? []).toEqual([]);
  });

  test('rejects a policy without client ports', () => {
    const chart = new Chart(Testing.app(), 'test');
    expect(() => new DataStoreNetworkPolicy(chart, 'p', { name: 'x', labels: {}, storeSelector: {}, clientPorts: [] }))
      .toThrow('clientPorts must name at least one port');
  });
});
