/**
 * The name of a gateway route: the VirtualService route, the rate limit descriptor and the
 * Rollout's managed route all use it, and the spec checks require it to differ between prefixes.
 */

/** A readable, stable name of a gateway route, e.g. "/api/auth" -> "api-auth". */
export function routeName(prefix: string): string {
  return prefix.replace(/\/+$/, '').replace(/^\//, '').replace(/[^a-zA-Z0-9]+/g, '-').toLowerCase() || 'root';
}
