/**
 * Small evaluators of the synthesized access objects: Istio AuthorizationPolicy (principals and
 * paths; DENY before ALLOW; no ALLOW policy admits everything) and Kubernetes NetworkPolicy
 * (podSelector, namespaceSelector, ports; a pod selected by a policy of a direction is denied
 * that direction unless a rule admits it). They read objects, never the spec.
 */
import { Manifest } from '../../src/synth';

type Labels = Record<string, string>;
interface LabelSelector { matchLabels?: Labels }

/** A running pod as the policies see it. */
export interface Pod {
  readonly namespace: string;
  readonly labels: Labels;
  /** The mTLS principal of its ServiceAccount. */
  readonly principal: string;
}

/** The pods of a Deployment (or Rollout) and the port its first container serves. */
export function podOf(objects: readonly Manifest[], name: string): Pod & { port: number } {
  const workload = objects.find((o) => (o.kind === 'Deployment' || o.kind === 'Rollout') && o.metadata.name === name) as Manifest & {
    spec: { template: { metadata: { labels: Labels }; spec: { serviceAccountName: string; containers: Array<{ ports: Array<{ containerPort: number }> }> } } };
  };
  if (!workload) throw new Error(`no workload ${name}`);
  const namespace = workload.metadata.namespace as string;
  const t = workload.spec.template;
  return { namespace, labels: t.metadata.labels, principal: `cluster.local/ns/${namespace}/sa/${t.spec.serviceAccountName}`, port: t.spec.containers[0].ports[0].containerPort };
}

function selects(selector: LabelSelector | undefined, labels: Labels): boolean {
  return Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
}

function wildcard(pattern: string, value: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('*')) return value.startsWith(pattern.slice(0, -1));
  if (pattern.startsWith('*')) return value.endsWith(pattern.slice(1));
  return pattern === value;
}

interface Source { principals?: string[]; notPrincipals?: string[]; namespaces?: string[] }
interface Operation { paths?: string[]; notPaths?: string[] }
interface Rule { from?: Array<{ source: Source }>; to?: Array<{ operation: Operation }> }
interface AuthzSpec { selector?: LabelSelector; action?: string; rules?: Rule[] }

/** Whether Istio admits a request from `source` to pod `target` (at `path`, or at any path when absent). */
export function authorizationAdmits(objects: readonly Manifest[], source: Pod, target: Pod, path?: string): boolean {
  const policies = objects
    .filter((o) => o.kind === 'AuthorizationPolicy' && o.metadata.namespace === target.namespace)
    .map((o) => o.spec as AuthzSpec)
    .filter((s) => selects(s.selector, target.labels));
  const matches = (r: Rule) => ruleMatches(r, source, path);
  if (policies.some((p) => p.action === 'DENY' && (p.rules ?? []).some(matches))) return false;
  const allow = policies.filter((p) => (p.action ?? 'ALLOW') === 'ALLOW');
  return allow.length === 0 || allow.some((p) => (p.rules ?? []).some(matches));
}

function ruleMatches(rule: Rule, source: Pod, path: string | undefined): boolean {
  const fromOk = !rule.from || rule.from.some(({ source: s }) =>
    (!s.principals || s.principals.some((p) => wildcard(p, source.principal)))
    && !(s.notPrincipals ?? []).some((p) => wildcard(p, source.principal))
    && (!s.namespaces || s.namespaces.includes(source.namespace)));
  const toOk = !rule.to || rule.to.some(({ operation: o }) =>
    path === undefined || ((!o.paths || o.paths.some((p) => wildcard(p, path))) && !(o.notPaths ?? []).some((p) => wildcard(p, path))));
  return fromOk && toOk;
}

interface Peer { podSelector?: LabelSelector; namespaceSelector?: LabelSelector; ipBlock?: { cidr: string } }
interface NetRule { from?: Peer[]; to?: Peer[]; ports?: Array<{ port: number; protocol?: string }> }
interface NetSpec { podSelector: LabelSelector; policyTypes?: string[]; ingress?: NetRule[]; egress?: NetRule[] }

/** Whether the NetworkPolicies let `from` open a TCP connection to `to` on `port`. */
export function networkAdmits(objects: readonly Manifest[], from: Pod, to: Pod, port: number): boolean {
  return egressAdmits(objects, from, to, port) && ingressAdmits(objects, from, to, port);
}

/** Whether the policies selecting `from` let it send to `to` on `port`. */
export function egressAdmits(objects: readonly Manifest[], from: Pod, to: Pod, port: number): boolean {
  return direction(objects, from, 'Egress', to, port);
}

/** Whether the policies selecting `to` let it receive from `from` on `port`. */
export function ingressAdmits(objects: readonly Manifest[], from: Pod, to: Pod, port: number): boolean {
  return direction(objects, to, 'Ingress', from, port);
}

function direction(objects: readonly Manifest[], pod: Pod, type: 'Ingress' | 'Egress', peer: Pod, port: number): boolean {
  const policies = objects
    .filter((o) => o.kind === 'NetworkPolicy' && o.metadata.namespace === pod.namespace)
    .map((o) => ({ namespace: o.metadata.namespace as string, spec: o.spec as NetSpec }))
    .filter(({ spec }) => selects(spec.podSelector, pod.labels) && (spec.policyTypes ?? ['Ingress']).includes(type));
  if (policies.length === 0) return true;
  return policies.some(({ namespace, spec }) => ((type === 'Ingress' ? spec.ingress : spec.egress) ?? []).some((rule) => {
    const peers = type === 'Ingress' ? rule.from : rule.to;
    const peerOk = !peers || peers.some((p) => peerMatches(p, namespace, peer));
    const portOk = !rule.ports || rule.ports.some((p) => p.port === port && (p.protocol ?? 'TCP') === 'TCP');
    return peerOk && portOk;
  }));
}

function peerMatches(peer: Peer, policyNamespace: string, pod: Pod): boolean {
  if (peer.ipBlock) return false; // pod addresses are not modelled: an ipBlock never admits a pod here
  const nsOk = peer.namespaceSelector ? selects(peer.namespaceSelector, { 'kubernetes.io/metadata.name': pod.namespace }) : pod.namespace === policyNamespace;
  return nsOk && (!peer.podSelector || selects(peer.podSelector, pod.labels));
}
