/**
 * Names shared with the mesh: per service, a VirtualService named after the service with a
 * `version-pin` route and a `primary` route whose destinations are these Services. Argo Rollouts
 * rewrites only the weights of `primary` (canary) or only the Service selectors (blue-green).
 * One definition, in the mesh, so the two sides cannot drift apart.
 */
export { PRIMARY_ROUTE, previewServiceName, canaryServiceName, stableServiceName, serviceHost } from '../mesh/names';
