/** The event topology and the RabbitMQ definitions generated from publishes/consumes. */
import { EventTopology } from '../../src/data/events';
import { findObject } from '../helpers';
import { reference } from './support';

const definitions = JSON.parse(findObject<{ data: Record<string, string> }>(reference('prod'), 'ConfigMap', 'rabbitmq-config').data['definitions.json']);

test('one durable topic exchange, named by platform.rabbitmq.exchange', () => {
  // GIVEN platform.rabbitmq.exchange (default events) WHEN the definitions are generated THEN one durable topic exchange is declared
  expect(definitions.exchanges).toEqual([{ name: 'events', vhost: '/', type: 'topic', durable: true, auto_delete: false, internal: false, arguments: {} }]);
});

test('order.created fans out to one durable quorum queue per consumer', () => {
  // GIVEN inventory-service and notification-service consume order.created
  // WHEN the definitions are generated
  // THEN each consumer has its own quorum queue bound by the event name
  expect(definitions.queues).toEqual([
    { name: 'inventory-service.order.created', vhost: '/', durable: true, auto_delete: false, arguments: { 'x-queue-type': 'quorum' } },
    { name: 'notification-service.order.created', vhost: '/', durable: true, auto_delete: false, arguments: { 'x-queue-type': 'quorum' } },
  ]);
  expect(definitions.bindings.map((b: { destination: string; routing_key: string; source: string }) => [b.source, b.routing_key, b.destination])).toEqual([
    ['events', 'order.created', 'inventory-service.order.created'],
    ['events', 'order.created', 'notification-service.order.created'],
  ]);
});

test('the definitions hold no users, permissions or credentials', () => {
  // GIVEN users in definitions would need password hashes
  // THEN the ConfigMap's definitions carry only the virtual host and the topology
  expect(Object.keys(definitions).sort()).toEqual(['bindings', 'exchanges', 'queues', 'vhosts']);
  expect(definitions.vhosts).toEqual([{ name: '/' }]);
});

describe('EventTopology', () => {
  const topology = new EventTopology('bus', {
    a: { publishes: ['x.happened', 'y.happened'], consumes: [] },
    b: { publishes: [], consumes: ['x.happened'] },
    c: { publishes: ['z.happened'], consumes: ['x.happened', 'y.happened'] },
    d: { publishes: [], consumes: [] },
  });

  test('clients are the services that publish or consume, in spec order', () => {
    // GIVEN four services, one of which neither publishes nor consumes WHEN the topology is built THEN the other three are its clients, in spec order
    expect(topology.clients).toEqual(['a', 'b', 'c']);
  });

  test('each consumer has one queue per event', () => {
    // GIVEN c consumes two events, a none WHEN their queues are asked for THEN c has one per event and a has none
    expect(topology.queuesOf('c').map((q) => q.name)).toEqual(['c.x.happened', 'c.y.happened']);
    expect(topology.queuesOf('a')).toEqual([]);
  });

  test('an event nobody consumes gets no queue and no binding', () => {
    // GIVEN z.happened is published but not consumed WHEN the definitions are generated THEN nothing binds it (the exchange drops it)
    expect(topology.definitions().bindings.filter((b) => b.routing_key === 'z.happened')).toEqual([]);
  });
});
