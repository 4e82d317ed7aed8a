/**
 * Names shared with the mesh (issue 4 contract): the mesh generates, per service, a VirtualService
 * named after the service with a `version-pin` route and a `primary` route whose destinations are
 * these Services. Argo Rollouts rewrites only the weights of `primary` (canary) or only the
 * Service selectors (blue-green).
 */

/** The VirtualService route whose weights Argo Rollouts shifts during a canary. */
export const PRIMARY_ROUTE = 'primary';

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

/** The in-cluster FQDN of a Service. */
export function serviceHost(service: string, namespace: string): string {
  return `${service}.${namespace}.svc.cluster.local`;
}
