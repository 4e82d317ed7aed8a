/** Names the mesh objects share: service hosts, workload identities and gateway route names. */

import { Chart } from 'cdk8s';
import { IConstruct } from 'constructs';

import { trimSlash } from '../spec/route-name';

// Shared with the spec checks (two prefixes must not get one name), which must not load constructs.
export { routeName, trimSlash } from '../spec/route-name';

/** Trust domain of the mesh when the spec sets none (Istio's default, meshConfig.trustDomain). */
export const TRUST_DOMAIN = 'cluster.local';
/** Construct context key under which each environment's charts carry platform.trustDomain. */
export const TRUST_DOMAIN_CONTEXT = 'platform-constructs/trustDomain';
/** Namespace where istiod runs (the sidecars' control plane). */
export const ISTIOD_NAMESPACE = 'istio-system';

/** The cluster-local FQDN of a Service, as Istio hosts and destinations name it. */
export function serviceHost(service: string, namespace: string): string {
  return `${service}.${namespace}.svc.cluster.local`;
}

/** The trust domain of the environment a construct belongs to (its chart's context), else the default. */
export function trustDomainOf(scope: IConstruct): string {
  const value: unknown = scope.node.tryGetContext(TRUST_DOMAIN_CONTEXT);
  return typeof value === 'string' ? value : TRUST_DOMAIN;
}

/** The mTLS identity (SPIFFE path) of a ServiceAccount, as AuthorizationPolicy principals name it. */
export function principalOf(namespace: string, serviceAccount: string, trustDomain: string): string {
  return `${trustDomain}/ns/${namespace}/sa/${serviceAccount}`;
}

/** Every identity of a namespace. */
export function namespacePrincipals(namespace: string, trustDomain: string): string {
  return `${trustDomain}/ns/${namespace}/sa/*`;
}

/** AuthorizationPolicy paths of a route prefix: the prefix itself and everything below it. */
export function prefixPaths(prefix: string): string[] {
  const base = trimSlash(prefix);
  return base === '' ? ['/*'] : [base, `${base}/*`];
}

/** The VirtualService route whose weights Argo Rollouts shifts during a canary (shared with delivery). */
export const PRIMARY_ROUTE = 'primary';

/** The VirtualService route that pins requests carrying the version header to the new version. */
export const VERSION_PIN_ROUTE = 'version-pin';

/** The blue-green preview Service: the new version before promotion. */
export function previewServiceName(service: string): string {
  return `${service}-preview`;
}

/** The canary Service: the new ReplicaSet during a canary, the stable one otherwise. */
export function canaryServiceName(service: string): string {
  return `${service}-canary`;
}

/** The stable Service: the current ReplicaSet. */
export function stableServiceName(service: string): string {
  return `${service}-stable`;
}

/**
 * The namespace a construct's objects live in: the one given, else its chart's. Constructs that
 * write cluster host names or identities need it spelled out; `owner` names the construct in the error.
 */
export function namespaceOf(scope: IConstruct, given: string | undefined, owner: string): string {
  const namespace = given ?? Chart.of(scope).namespace;
  if (!namespace) throw new Error(`${owner}: give its namespace, or add it to a chart that has one (it names hosts or identities in that namespace)`);
  return namespace;
}
