/**
 * RabbitMqCluster and EventTopology with plain props, in any cdk8s chart: the topology from
 * publishers and consumers, the broker's defaults, clustering, clients, and props it rejects.
 * No platform spec here; the mapping is tested in rabbitmq.test.ts and events.test.ts.
 */
import { Testing } from 'cdk8s';
import { EventTopology } from '../../src/data/events';
import { RabbitMqCluster, RabbitMqClusterProps } from '../../src/data/rabbitmq';
import { MicroService } from '../../src/workload/microservice';
import { testChart } from '../support/test-chart';
import { envOf } from './support';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = { kind: string; metadata: { name: string }; spec?: any; data?: Record<string, string> };
type Claim = { spec: { resources: { requests: { storage: string } } } };
const find = (objs: Obj[], kind: string, name: string) => {
  const found = objs.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind}/${name}`);
  return found;
};
const clients = { orders: { publishes: ['order.created'] }, mail: { consumes: ['order.created'] } };

function synthBroker(props: RabbitMqClusterProps = { clients }): Obj[] {
  const chart = testChart();
  new RabbitMqCluster(chart, 'mq', props);
  return Testing.synth(chart) as Obj[];
}

describe('a broker from publishers and consumers only', () => {
  const objs = synthBroker();
  const sts = find(objs, 'StatefulSet', 'rabbitmq');
  const node = sts.spec.template.spec.containers[0];

  test('loads exchange "events" and one quorum queue per consumer and event', () => {
    // GIVEN orders publishes order.created and mail consumes it WHEN synthesized
    const definitions = JSON.parse(find(objs, 'ConfigMap', 'rabbitmq-config').data!['definitions.json']);
    // THEN the default exchange, mail's queue and its binding are defined
    expect(definitions.exchanges.map((e: { name: string }) => e.name)).toEqual(['events']);
    expect(definitions.queues.map((q: { name: string }) => q.name)).toEqual(['mail.order.created']);
    expect(definitions.bindings).toEqual([{ source: 'events', vhost: '/', destination: 'mail.order.created', destination_type: 'queue', routing_key: 'order.created', arguments: {} }]);
  });

  test('is one node of the pinned default image on 5Gi, with no shutdown wait for peers', () => {
    // GIVEN no replicas, image, storage or resources WHEN synthesized THEN the documented defaults apply
    expect(sts.spec.replicas).toBe(1);
    expect(node.image).toBe('rabbitmq:3.13.7-management');
    expect(sts.spec.volumeClaimTemplates.map((c: Claim) => c.spec.resources.requests.storage)).toEqual(['5Gi']);
    expect(node.resources.limits).toEqual({ 'cpu': '1', 'memory': '1Gi', 'ephemeral-storage': '256Mi' });
    expect(sts.spec.template.spec).toMatchObject({ terminationGracePeriodSeconds: 60 });
    expect((node as { lifecycle?: unknown }).lifecycle).toBeUndefined();
    expect(envOf(node).RABBITMQ_DEFAULT_USER).toBe('secret:rabbitmq-credentials/username');
  });

  test('may reach the API server on any address on 443 and 6443', () => {
    // GIVEN no kubernetesApi WHEN synthesized THEN the egress policy's API rule is the documented default
    const egress = find(objs, 'NetworkPolicy', 'rabbitmq-egress').spec.egress;
    expect(egress[1]).toEqual({ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ protocol: 'TCP', port: 443 }, { protocol: 'TCP', port: 6443 }] });
  });
});

test('three replicas form a cluster that waits for quorum before a node stops', () => {
  // GIVEN replicas: 3 WHEN synthesized
  const objs = synthBroker({ clients, replicas: 3 });
  const sts = find(objs, 'StatefulSet', 'rabbitmq');
  // THEN three nodes, the cluster size hint, and the quorum wait before shutdown
  expect(sts.spec.replicas).toBe(3);
  expect(find(objs, 'ConfigMap', 'rabbitmq-config').data!['rabbitmq.conf']).toContain('cluster_formation.target_cluster_size_hint = 3\n');
  expect(sts.spec.template.spec).toMatchObject({ terminationGracePeriodSeconds: 360 });
  expect(find(objs, 'PodDisruptionBudget', 'rabbitmq').spec.maxUnavailable).toBe(1);
});

test('a publisher gets AMQP_URL, the exchange and its events; a service outside the topology is refused', () => {
  // GIVEN a broker whose clients are orders and mail, and three services
  const chart = testChart();
  const broker = new RabbitMqCluster(chart, 'mq', { clients, exchange: 'shop.events', namespace: 'shop' });
  const service = (name: string) => new MicroService(chart, name, { image: `ghcr.io/acme/${name}:1.0.0`, port: 8080 });
  broker.connect(service('orders'));
  broker.connect(service('mail'));
  const billing = service('billing');
  // WHEN billing connects THEN it is refused; orders and mail have their settings
  expect(() => broker.connect(billing)).toThrow('billing neither publishes nor consumes events; it gets no broker access');
  const objs = Testing.synth(chart) as Obj[];
  const envOfService = (name: string) => envOf(find(objs, 'Deployment', name).spec.template.spec.containers[0]);
  expect(envOfService('orders')).toMatchObject({
    AMQP_URL: 'amqp://$(RABBITMQ_USER):$(RABBITMQ_PASSWORD)@rabbitmq.shop.svc.cluster.local:5672/%2F',
    EVENTS_EXCHANGE: 'shop.events', EVENTS_PUBLISHES: 'order.created',
  });
  expect(envOfService('orders').EVENTS_QUEUES).toBeUndefined();
  expect(envOfService('mail')).toMatchObject({ EVENTS_QUEUES: 'mail.order.created' });
});

describe('rejected props', () => {
  test('an even cluster, a bad exchange and a bad event are named together', () => {
    // GIVEN two replicas, an uppercase exchange and an event without a dot
    // WHEN the broker is constructed THEN one error names all three
    expect(() => new RabbitMqCluster(testChart(), 'mq', {
      clients: { orders: { publishes: ['created'] } }, exchange: 'Events', replicas: 2,
    })).toThrow([
      'RabbitMqCluster test/mq: invalid props:',
      '  - exchange "Events" must be lowercase letters, digits, "." and "-", starting with a letter, at most 255 characters',
      '  - clients.orders.publishes[0] "created" must be an event name such as order.created',
      '  - replicas 2 must be 1 (no cluster) or an odd number of at least 3: quorum queues need a majority through the loss of one node',
    ].join('\n'));
  });

  test.each([
    ['an API address that is no CIDR', { kubernetesApi: { cidrs: ['10.0.0.1'] } }, 'kubernetesApi.cidrs[0] "10.0.0.1" must be an IPv4 range in CIDR notation'],
    ['no API ports', { kubernetesApi: { ports: [] } }, 'kubernetesApi.ports must name at least one port'],
    ['a memory limit that is no quantity', { resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: 'lots' } } }, 'resources.limits.memory "lots": quantities must match'],
    ['a memory request above the limit', { resources: { requests: { cpu: '1', memory: '2Gi' }, limits: { cpu: '1', memory: '1Gi' } } }, 'resources.requests.memory 2Gi exceeds resources.limits.memory 1Gi'],
  ])('%s is rejected', (_what, props, expected) => {
    expect(() => new RabbitMqCluster(testChart(), 'mq', props as RabbitMqClusterProps)).toThrow(expected);
  });
});

describe('EventTopology from plain data', () => {
  test('lists may be left out: a service with only publishes has no queue', () => {
    // GIVEN a publisher without consumes and a consumer without publishes WHEN the topology is built
    const topology = new EventTopology('bus', clients);
    // THEN both are clients, only mail has a queue
    expect(topology.clients).toEqual(['orders', 'mail']);
    expect(topology.queues.map((q) => q.name)).toEqual(['mail.order.created']);
    expect(topology.publishers.get('orders')).toEqual(['order.created']);
  });

  test('an event consumed twice by one service is refused', () => {
    // GIVEN mail lists order.created twice WHEN the topology is built THEN the repeat is named
    expect(() => new EventTopology('bus', { mail: { consumes: ['order.created', 'order.created'] } }))
      .toThrow('mail.consumes[1] "order.created" is listed more than once');
  });
});
