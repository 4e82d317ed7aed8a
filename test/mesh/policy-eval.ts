/**
 * Small evaluators of the synthesized access objects: Istio AuthorizationPolicy (selector in the
 * workload's or the root namespace; peer and request principals, namespaces, hosts, paths after
 * Istio's default normalization, ports, methods and their not-fields; DENY before ALLOW; no ALLOW
 * policy admits everything) and Kubernetes NetworkPolicy
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

/** Istio's string match: exact, prefix "abc*", suffix "*abc" or presence "*". */
function wildcard(pattern: string, value: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('*')) return value.startsWith(pattern.slice(0, -1));
  if (pattern.startsWith('*')) return value.endsWith(pattern.slice(1));
  return pattern === value;
}

interface Source {
  principals?: string[]; notPrincipals?: string[]; namespaces?: string[]; notNamespaces?: string[];
  requestPrincipals?: string[]; notRequestPrincipals?: string[];
}
interface Operation { hosts?: string[]; notHosts?: string[]; paths?: string[]; notPaths?: string[]; ports?: string[]; notPorts?: string[]; methods?: string[]; notMethods?: string[] }
interface Rule { from?: Array<{ source: Source }>; to?: Array<{ operation: Operation }>; when?: unknown[] }
interface AuthzSpec { selector?: LabelSelector; action?: string; rules?: Rule[] }

/** Istio's root namespace (meshConfig.rootNamespace): its policies apply in every namespace. */
export const ROOT_NAMESPACE = 'istio-system';

/**
 * One request as a workload's proxy sees it. An attribute left out is absent from the request
 * (a field that needs it does not match, its not-field does), except where noted.
 */
export interface AuthzRequest {
  /** The calling pod (mTLS peer); absent for a request from outside the mesh. */
  readonly source?: Pod;
  /** iss/sub of a validated JWT; absent without a (valid) token. */
  readonly requestPrincipal?: string;
  /** Host (:authority) as sent, possibly with a :port suffix and in any case. */
  readonly host?: string;
  /** Path as sent, possibly with a query; normalized as Istio's default (BASE) does before matching. */
  readonly path?: string;
  /** The workload port the request arrives on. */
  readonly port?: number;
  readonly method?: string;
}

/**
 * Istio's default path normalization (meshConfig.pathNormalization BASE, Envoy normalize_path):
 * percent-decodes unreserved characters (not %2F or %5C), turns "\\" into "/", resolves "." and
 * ".." segments; does not merge "//". The query is not part of the matched path. Routing sees the
 * same normalized path.
 */
export function normalizePath(raw: string): string {
  const path = raw.split('?')[0].replace(/%([0-9a-fA-F]{2})/g, (m, hex: string) => {
    const c = String.fromCharCode(parseInt(hex, 16));
    return /[A-Za-z0-9\-._~]/.test(c) ? c : m;
  }).replace(/\\/g, '/');
  const out: string[] = [];
  const segments = path.split('/').slice(1);
  segments.forEach((seg, i) => {
    const last = i === segments.length - 1;
    if (seg === '.') { if (last) out.push(''); return; }
    if (seg === '..') { out.pop(); if (last) out.push(''); return; }
    out.push(seg);
  });
  return `/${out.join('/')}`;
}

/** The policies that apply to a workload: its namespace's and the root namespace's, whose selector matches its labels. */
function policiesFor(objects: readonly Manifest[], target: Pod): AuthzSpec[] {
  return objects
    .filter((o) => o.kind === 'AuthorizationPolicy' && (o.metadata.namespace === target.namespace || o.metadata.namespace === ROOT_NAMESPACE))
    .map((o) => o.spec as AuthzSpec)
    .filter((s) => selects(s.selector, target.labels));
}

/**
 * Whether Istio lets `request` reach workload `target`: a matching DENY rule refuses it; then, if
 * any ALLOW policy applies, one of its rules must match; with none, it is admitted. A rule matches
 * when one of its `from` entries and one of its `to` entries match (each entry: all its fields).
 */
export function authorizationDecision(objects: readonly Manifest[], target: Pod, request: AuthzRequest): boolean {
  const policies = policiesFor(objects, target);
  const matches = (r: Rule) => ruleMatches(r, request);
  if (policies.some((p) => p.action === 'DENY' && (p.rules ?? []).some(matches))) return false;
  const allow = policies.filter((p) => (p.action ?? 'ALLOW') === 'ALLOW');
  return allow.length === 0 || allow.some((p) => (p.rules ?? []).some(matches));
}

/** Whether Istio admits a request from `source` to pod `target` (at `path`, or at any path when absent). */
export function authorizationAdmits(objects: readonly Manifest[], source: Pod, target: Pod, path?: string): boolean {
  const request: AuthzRequest = { source, path, port: (target as Partial<Pod & { port: number }>).port };
  if (path !== undefined) return authorizationDecision(objects, target, request);
  // "At any path": admitted when some path is; paths named by the policies are the candidates.
  const candidates = policiesFor(objects, target).flatMap((p) => (p.rules ?? []).flatMap((r) => (r.to ?? []).flatMap((t) => t.operation.paths ?? [])));
  return [...candidates.map((p) => p.replace(/\*$/, 'x')), '/'].some((p) => authorizationDecision(objects, target, { ...request, path: p }));
}

/** A list field matches when absent or when a pattern matches the value (an absent value matches nothing). */
function anyOf(patterns: string[] | undefined, value: string | undefined, eq: (p: string, v: string) => boolean = wildcard): boolean {
  return !patterns || (value !== undefined && patterns.some((p) => eq(p, value)));
}

/** A not-field matches when absent, or when the value is absent or no pattern matches it. */
function noneOf(patterns: string[] | undefined, value: string | undefined, eq: (p: string, v: string) => boolean = wildcard): boolean {
  return !patterns || value === undefined || !patterns.some((p) => eq(p, value));
}

/** Hosts compare case-insensitively (Istio >= 1.11.1, RFC 4343); "h:*" matches h with any port. */
const hostEq = (p: string, v: string) => wildcard(p.toLowerCase(), v.toLowerCase());

function ruleMatches(rule: Rule, request: AuthzRequest): boolean {
  const peer = request.source?.principal;
  const peerNs = request.source?.namespace;
  const path = request.path === undefined ? undefined : normalizePath(request.path);
  const port = request.port === undefined ? undefined : String(request.port);
  const fromOk = !rule.from || rule.from.some(({ source: s }) =>
    anyOf(s.principals, peer) && noneOf(s.notPrincipals, peer)
    && anyOf(s.namespaces, peerNs) && noneOf(s.notNamespaces, peerNs)
    && anyOf(s.requestPrincipals, request.requestPrincipal) && noneOf(s.notRequestPrincipals, request.requestPrincipal));
  const toOk = !rule.to || rule.to.some(({ operation: o }) =>
    anyOf(o.hosts, request.host, hostEq) && noneOf(o.notHosts, request.host, hostEq)
    && anyOf(o.paths, path) && noneOf(o.notPaths, path)
    && anyOf(o.ports, port, (p, v) => p === v) && noneOf(o.notPorts, port, (p, v) => p === v)
    && anyOf(o.methods, request.method) && noneOf(o.notMethods, request.method));
  if (rule.when) throw new Error('policy-eval does not model "when" conditions');
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
