/**
 * The egress half of the call graph (test/mesh/graph.test.ts has the calls): for every pod of an
 * environment, what it may reach is exactly its declared calls, its data stores, DNS, istiod, the
 * trace collector and its declared egress; the platform's own components reach exactly what they
 * need. Evaluated on the synthesized NetworkPolicies only (egress-eval.ts).
 */
import { stringify } from 'yaml';
import { Manifest } from '../../src/synth';
import { editReference, findObject, objectsOf, problemsOf, referenceText, synth } from '../helpers';
import { CLUSTER_COMPONENTS, Endpoint, inCidr, OUTSIDE, podsOf, reachOf } from './egress-eval';

const tcp = (name: string, ...ports: number[]) => ports.map((p) => `${name}:${p}/TCP`);
/** What every pod needs to be in the mesh: DNS, istiod's xDS port, the trace collector. */
const BASELINE = ['kube-dns:53/TCP', 'kube-dns:53/UDP', ...tcp('istiod', 15012), ...tcp('otel-collector', 4317, 4318)];
/** Default cluster ranges: addresses in them are never reached by host-only egress. */
const PRIVATE = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];
const outsideCluster = (ip: string) => !PRIVATE.some((c) => inCidr(ip, c));

interface World { objects: Manifest[]; pods: Endpoint[]; destinations: Endpoint[]; probePorts: number[] }
function world(objects: Manifest[]): World {
  const pods = podsOf(objects);
  const destinations = [...pods, ...CLUSTER_COMPONENTS, ...OUTSIDE];
  const probePorts = [...new Set([...destinations.flatMap((d) => (d.ports ?? []).map((p) => p.port)), 25, 443, 465, 587, 6443, 8443])].sort((a, b) => a - b);
  return { objects, pods, destinations, probePorts };
}
const reach = (w: World, name: string) => reachOf(w.objects, w.pods.find((p) => p.name === name)!, w.destinations, w.probePorts);
const sorted = (xs: string[]) => [...new Set(xs)].sort();
/** Every address outside the cluster (on the probed ports) at port `port`. */
const outsideOn = (port: number, filter: (ip: string) => boolean = outsideCluster) => OUTSIDE.filter((o) => filter(o.ip)).map((o) => `${o.name}:${port}/TCP`);

/** Every destination listening on `port` (outside addresses listen on every port): what "any address" reaches. */
const anyOn = (w: World, port: number) => w.destinations.filter((d) => !d.ports || d.ports.some((p) => p.port === port && p.protocol === 'TCP')).map((d) => `${d.name}:${port}/TCP`);

describe('egress: every pod reaches exactly what it needs', () => {
  const prod = world(objectsOf('prod'));

  test.each([
    // services: declared calls, their stores, the baseline, their declared egress
    ['user-service', [...tcp('user-service-db', 5432), ...tcp('redis', 6379)]],
    ['order-service', [...tcp('user-service', 3001), ...tcp('inventory-service', 3003), ...tcp('order-service-db', 5432), ...tcp('rabbitmq', 5672)]],
    ['inventory-service', [...tcp('inventory-service-db', 5432), ...tcp('redis', 6379), ...tcp('rabbitmq', 5672)]],
    // SMTP by host only: any address outside the cluster's ranges on 465, nothing inside them
    ['notification-service', [...tcp('rabbitmq', 5672), ...outsideOn(465)]],
    // data stores need nothing beyond the baseline
    ['user-service-db', []],
    ['order-service-db', []],
    ['inventory-service-db', []],
    ['redis', []],
    // RabbitMQ: its nodes on epmd, distribution and AMQP; the API server (default: any address on 443 and 6443)
    ['rabbitmq', [...tcp('rabbitmq', 4369, 5672, 25672), ...anyOn(prod, 443), ...anyOn(prod, 6443)]],
    // the rate limit service reaches its Redis; that Redis nothing
    ['ratelimit', [...tcp('ratelimit-redis', 6379)]],
    ['ratelimit-redis', []],
    // the collector logs spans when no backend is set: nothing beyond the baseline
    ['otel-collector', []],
  ])('prod: %s', (name, own) => {
    // GIVEN the fixture spec's prod environment / WHEN the pod's possible connections are evaluated
    // THEN they are exactly the baseline and its own needs
    expect(reach(prod, name as string)).toEqual(sorted([...BASELINE, ...(own as string[])]));
  });

  test('the ingress gateway reaches, in the environment, exactly the routed services, the rate limit service and the collector', () => {
    // GIVEN a pod of the ingress gateway (its namespace is not ours to police: only our pods' ingress limits it)
    const gateway = CLUSTER_COMPONENTS.find((c) => c.name === 'ingress-gateway')!;
    // WHEN its connections into the environment's namespace are evaluated
    const inNamespace = new Set(prod.pods.map((p) => p.name));
    const reached = reachOf(prod.objects, gateway, prod.destinations, prod.probePorts).filter((r) => inNamespace.has(r.split(':')[0]));
    // THEN they are the routed services' ports, the rate limit service's gRPC port (8081) and the collector (the gateway's spans)
    expect(reached).toEqual(sorted([...tcp('user-service', 3001), ...tcp('order-service', 3002), ...tcp('inventory-service', 3003),
      ...tcp('ratelimit', 8081), ...tcp('otel-collector', 4317, 4318)]));
  });

  test('every pod of every environment is covered by the expectations above', () => {
    // GIVEN each environment / WHEN its pods are listed / THEN none is missing from the table (a new component needs a row)
    for (const env of ['dev', 'staging', 'prod']) {
      expect(podsOf(objectsOf(env)).map((p) => p.name).sort()).toEqual([
        'inventory-service', 'inventory-service-db', 'notification-service', 'order-service', 'order-service-db', 'otel-collector',
        'rabbitmq', 'ratelimit', 'ratelimit-redis', 'redis', 'user-service', 'user-service-db',
      ]);
    }
  });

  test('the SMTP host gets a ServiceEntry visible in its namespace only', () => {
    // GIVEN notification-service declares smtp.sendgrid.net:465 over TLS / WHEN synthesized
    const entry = findObject<{ spec: Record<string, unknown> }>(prod.objects, 'ServiceEntry', 'notification-service-smtp-sendgrid-net-465');
    // THEN it is a DNS-resolved external entry exported to "." only
    expect(entry.metadata.namespace).toBe('shop-prod');
    expect(entry.spec).toEqual({
      hosts: ['smtp.sendgrid.net'], location: 'MESH_EXTERNAL', resolution: 'DNS',
      ports: [{ number: 465, name: 'tls-465', protocol: 'TLS' }], exportTo: ['.'],
    });
  });

  test('declared API server addresses and a collector backend narrow the platform components\' egress', () => {
    // GIVEN the API server at 172.20.0.10:6443 and an OTLP backend in the monitoring namespace
    const text = editReference(
      ['  tracing:\n    samplingPercent: 1\n', '  tracing:\n    samplingPercent: 1\n    backendEndpoint: tempo.monitoring.svc.cluster.local:4317\n  kubernetesApi: { cidrs: [172.20.0.10/32], ports: [6443] }\n'],
    );
    const w = world(objectsOf('prod', text));
    const tempo: Endpoint = { name: 'tempo', namespace: 'monitoring', labels: { app: 'tempo' }, ip: '10.244.250.60', ports: [{ port: 4317, protocol: 'TCP' }] };
    w.destinations.push(tempo);
    // WHEN RabbitMQ's and the collector's connections are evaluated
    // THEN RabbitMQ reaches the API server on 6443 only, the collector its backend
    expect(reach(w, 'rabbitmq')).toEqual(sorted([...BASELINE, ...tcp('rabbitmq', 4369, 5672, 25672), 'api-server:6443/TCP']));
    expect(reach(w, 'otel-collector')).toEqual(sorted([...BASELINE, 'tempo:4317/TCP']));
  });

  test('dev has one RabbitMQ node and the same egress', () => {
    // GIVEN dev (rabbitmq replicas 1) / WHEN evaluated / THEN the broker still reaches the API server and its peers' ports
    const dev = world(objectsOf('dev'));
    expect(reach(dev, 'rabbitmq')).toEqual(reach(prod, 'rabbitmq'));
    expect(reach(dev, 'notification-service')).toEqual(reach(prod, 'notification-service'));
  });
});

describe('egress: a generated platform', () => {
  const spec = {
    platform: { name: 'graph', host: 'api.graph.example.com', clusterCidrs: ['10.244.0.0/16', '10.96.0.0/12'] },
    services: {
      'svc-a': { image: 'ghcr.io/example/a:1.0.0', port: 4000, calls: ['svc-b'], egress: [{ host: 'api.stripe.com', port: 443 }] },
      'svc-b': { image: 'ghcr.io/example/b:1.0.0', port: 4001, egress: [{ cidrs: ['198.51.100.0/24'], port: 25, protocol: 'TCP' }, { host: 'partner.example.net', cidrs: ['10.20.0.0/16'], port: 8443, protocol: 'HTTPS' }] },
      'svc-c': { image: 'ghcr.io/example/c:1.0.0', port: 4002, calls: ['svc-a', 'svc-b'] },
    },
    environments: { test: {} },
  };
  const objects = synth(stringify(spec))[0].files.flatMap((f) => f.objects);
  const w = world(objects);
  const clusterRanges = spec.platform.clusterCidrs;
  const outsideThisCluster = (ip: string) => !clusterRanges.some((c) => inCidr(ip, c));

  test('host-only egress reaches every address outside the declared cluster ranges, on its port only', () => {
    // GIVEN svc-a declares api.stripe.com:443 and the cluster's ranges are declared
    // WHEN evaluated / THEN it reaches its callee, the baseline, and any outside address on 443 (the company network too)
    expect(reach(w, 'svc-a')).toEqual(sorted([...BASELINE, ...tcp('svc-b', 4001), ...outsideOn(443, outsideThisCluster)]));
    expect(outsideOn(443, outsideThisCluster)).toContain('company-network:443/TCP');
  });

  test('cidr egress reaches exactly those addresses on its port', () => {
    // GIVEN svc-b declares 198.51.100.0/24:25 and partner.example.net at 10.20.0.0/16:8443
    // WHEN evaluated / THEN exactly the internet host on 25 and the company-network host on 8443
    expect(reach(w, 'svc-b')).toEqual(sorted([...BASELINE, 'internet:25/TCP', 'company-network:8443/TCP']));
  });

  test('a service without egress reaches only its calls and the baseline', () => {
    expect(reach(w, 'svc-c')).toEqual(sorted([...BASELINE, ...tcp('svc-a', 4000), ...tcp('svc-b', 4001)]));
  });

  test('each declared host gets its ServiceEntry; cidr-only destinations one with addresses', () => {
    const entries = objects.filter((o) => o.kind === 'ServiceEntry').map((o) => [o.metadata.name, (o.spec as { hosts: string[]; addresses?: string[]; resolution: string }).hosts, (o.spec as { addresses?: string[] }).addresses, (o.spec as { resolution: string }).resolution]);
    expect(entries).toEqual([
      ['svc-a-api-stripe-com-443', ['api.stripe.com'], undefined, 'DNS'],
      ['svc-b-cidr-0-25', ['svc-b-cidr-0-25.external'], ['198.51.100.0/24'], 'NONE'],
      ['svc-b-partner-example-net-8443', ['partner.example.net'], undefined, 'DNS'],
    ]);
  });

  test('TCP to a host with its cidrs is matched by address, not by name', () => {
    // GIVEN an SMTP relay on 587 (STARTTLS: plain TCP at first) with its addresses
    const text = stringify({ ...spec, services: { 'svc-a': { ...spec.services['svc-a'], calls: [], egress: [{ host: 'smtp.example.net', cidrs: ['203.0.113.0/28'], port: 587, protocol: 'TCP' }] } } });
    // WHEN synthesized
    const entry = synth(text)[0].files.flatMap((f) => f.objects).find((o) => o.kind === 'ServiceEntry')!;
    // THEN the ServiceEntry carries the addresses and passes connections on unresolved
    expect(entry.spec).toEqual({
      hosts: ['smtp.example.net'], addresses: ['203.0.113.0/28'], location: 'MESH_EXTERNAL', resolution: 'NONE',
      ports: [{ number: 587, name: 'tcp-587', protocol: 'TCP' }], exportTo: ['.'],
    });
  });
});

describe('egress spec checks', () => {
  test('an egress entry without host or cidrs is rejected', () => {
    const text = editReference(['{ host: smtp.sendgrid.net, port: 465, protocol: TLS }', '{ port: 587 }']);
    expect(referenceText()).toContain('smtp.sendgrid.net');
    expect(synthProblems(text)).toEqual([
      expect.stringMatching(/^platform\.yaml:\d+: services\.notification-service\.egress\.0: names neither a host nor cidrs; give the host name \(such as smtp\.sendgrid\.net\), its address ranges \(cidrs\), or both$/),
    ]);
  });

  test('TCP by host name alone is rejected: the mesh cannot match it by name', () => {
    // GIVEN SMTP on 587 over TCP without addresses
    const text = editReference(['{ host: smtp.sendgrid.net, port: 465, protocol: TLS }', '{ host: smtp.sendgrid.net, port: 587, protocol: TCP }']);
    // WHEN checked / THEN the message says why and what to do
    expect(synthProblems(text)).toEqual([
      expect.stringMatching(/services\.notification-service\.egress\.0: TCP to smtp\.sendgrid\.net port 587 needs its cidrs: TCP carries no host name, .*add cidrs, or use a TLS port \(such as 465 for SMTP over TLS, 443 for HTTPS\) with protocol TLS$/),
    ]);
  });

  test('a malformed CIDR is rejected by the schema', () => {
    const text = editReference(['{ host: smtp.sendgrid.net, port: 465, protocol: TLS }', '{ host: smtp.sendgrid.net, cidrs: [10.0.0.0/33], port: 587 }']);
    expect(synthProblems(text)).toEqual([
      expect.stringMatching(/services\.notification-service\.egress\.0\.cidrs\.0: must be an IPv4 range in CIDR notation, such as 10\.0\.0\.0\/8 or 203\.0\.113\.7\/32$/),
    ]);
  });
});

function synthProblems(text: string): string[] {
  return [...new Set(problemsOf(text))];
}
