/**
 * What each pod of an environment may reach, read from the synthesized NetworkPolicies alone:
 * a connection (destination, port, protocol) is possible when the policies selecting the source
 * admit it as egress and those selecting the destination admit it as ingress. Destinations are
 * the environment's pods (on the ports they listen on), the cluster's own components (DNS,
 * istiod, the ingress gateway, Prometheus, a pod of another namespace) and addresses outside the
 * cluster (on every port any of them uses). Pods have addresses too, and an ipBlock matches
 * them (as Calico and Cilium do): so a rule "anywhere on port 587" that forgot to except the
 * cluster is caught.
 */
import { Manifest } from '../../src/synth';

type Labels = Readonly<Record<string, string>>;
type Protocol = 'TCP' | 'UDP';

/** A destination or source on the network. */
export interface Endpoint {
  /** Name in reach sets, e.g. "order-service" or "internet". */
  readonly name: string;
  /** Namespace, for pods; absent for addresses outside the cluster. */
  readonly namespace?: string;
  /** Pod labels, for pods. */
  readonly labels?: Labels;
  /** IPv4 address. */
  readonly ip: string;
  /** Ports it listens on; absent: every probed port (an address outside the cluster). */
  readonly ports?: ReadonlyArray<{ readonly port: number; readonly protocol: Protocol }>;
}

interface Selector { matchLabels?: Record<string, string> }
interface Peer { podSelector?: Selector; namespaceSelector?: Selector; ipBlock?: { cidr: string; except?: string[] } }
interface Rule { to?: Peer[]; from?: Peer[]; ports?: Array<{ port?: number; protocol?: string }> }
interface NetSpec { podSelector: Selector; policyTypes?: string[]; ingress?: Rule[]; egress?: Rule[] }

/** The pods of every workload (Deployment, StatefulSet, Rollout) of the objects, one address each in 10.244.0.0/16. */
export function podsOf(objects: readonly Manifest[]): Endpoint[] {
  type Workload = { spec: { template: { metadata: { labels: Record<string, string> }; spec: { containers: Array<{ ports?: Array<{ containerPort: number; protocol?: string }> }> } } } };
  return objects.filter((o) => ['Deployment', 'StatefulSet', 'Rollout'].includes(o.kind)).map((o, i) => {
    const t = (o as unknown as Workload).spec.template;
    return {
      name: o.metadata.name,
      namespace: o.metadata.namespace as string,
      labels: t.metadata.labels,
      ip: `10.244.${Math.floor(i / 250)}.${(i % 250) + 1}`,
      ports: t.spec.containers.flatMap((c) => (c.ports ?? []).map((p) => ({ port: p.containerPort, protocol: (p.protocol ?? 'TCP') as Protocol }))),
    };
  });
}

/** The cluster's own components and a few addresses outside the cluster. */
export const CLUSTER_COMPONENTS: readonly Endpoint[] = [
  { name: 'kube-dns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' }, ip: '10.244.250.10', ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }] },
  { name: 'istiod', namespace: 'istio-system', labels: { app: 'istiod' }, ip: '10.244.250.20', ports: [15010, 15012, 15014, 15017].map((port) => ({ port, protocol: 'TCP' as const })) },
  { name: 'ingress-gateway', namespace: 'istio-system', labels: { istio: 'ingressgateway' }, ip: '10.244.250.30', ports: [8080, 8443, 15021].map((port) => ({ port, protocol: 'TCP' as const })) },
  { name: 'prometheus', namespace: 'monitoring', labels: { app: 'prometheus' }, ip: '10.244.250.40', ports: [{ port: 9090, protocol: 'TCP' }] },
  { name: 'other-namespace-pod', namespace: 'other', labels: { app: 'other' }, ip: '10.244.250.50', ports: [80, 443, 587, 5432, 6379, 5672, 8080].map((port) => ({ port, protocol: 'TCP' as const })) },
];
/** Addresses outside the cluster's pods: the API server, a host on the internet, a private host of the company network. */
export const OUTSIDE: readonly Endpoint[] = [
  { name: 'api-server', ip: '172.20.0.10' },
  { name: 'internet', ip: '198.51.100.25' },
  { name: 'company-network', ip: '10.20.0.5' },
];

function ipNumber(ip: string): number {
  return ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
}

/** Whether an IPv4 address lies in a CIDR range. */
export function inCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  return Math.floor(ipNumber(ip) / size) === Math.floor(ipNumber(base) / size);
}

function selects(selector: Selector | undefined, labels: Labels | undefined): boolean {
  return labels !== undefined && Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
}

function peerMatches(peer: Peer, policyNamespace: string, other: Endpoint): boolean {
  if (peer.ipBlock) return inCidr(other.ip, peer.ipBlock.cidr) && !(peer.ipBlock.except ?? []).some((c) => inCidr(other.ip, c));
  if (other.namespace === undefined) return false; // selectors select pods only
  const nsOk = peer.namespaceSelector ? selects(peer.namespaceSelector, { 'kubernetes.io/metadata.name': other.namespace }) : other.namespace === policyNamespace;
  return nsOk && (!peer.podSelector || selects(peer.podSelector, other.labels));
}

function admits(policies: readonly Manifest[], pod: Endpoint, type: 'Ingress' | 'Egress', other: Endpoint, port: number, protocol: Protocol): boolean {
  if (pod.namespace === undefined) return true;
  const selecting = policies
    .filter((o) => o.metadata.namespace === pod.namespace)
    .map((o) => o.spec as NetSpec)
    .filter((s) => selects(s.podSelector, pod.labels) && (s.policyTypes ?? ['Ingress']).includes(type));
  if (selecting.length === 0) return true;
  return selecting.some((s) => ((type === 'Ingress' ? s.ingress : s.egress) ?? []).some((rule) => {
    const peers = type === 'Ingress' ? rule.from : rule.to;
    const peerOk = !peers || peers.some((p) => peerMatches(p, pod.namespace as string, other));
    const portOk = !rule.ports || rule.ports.some((p) => (p.port === undefined || p.port === port) && (p.protocol ?? 'TCP') === protocol);
    return peerOk && portOk;
  }));
}

/** Every connection `source` may open, as "destination:port/protocol", sorted. */
export function reachOf(objects: readonly Manifest[], source: Endpoint, destinations: readonly Endpoint[], probePorts: readonly number[]): string[] {
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
  const out: string[] = [];
  for (const dest of destinations) {
    const ports = dest.ports ?? probePorts.flatMap((port) => [{ port, protocol: 'TCP' as const }, { port, protocol: 'UDP' as const }]);
    for (const { port, protocol } of ports) {
      if (admits(policies, source, 'Egress', dest, port, protocol) && admits(policies, dest, 'Ingress', source, port, protocol)) {
        out.push(`${dest.name}:${port}/${protocol}`);
      }
    }
  }
  return [...new Set(out)].sort();
}
