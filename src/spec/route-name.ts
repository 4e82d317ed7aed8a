/**
 * The name of a gateway route: the VirtualService route, the rate limit descriptor and the
 * Rollout's managed route all use it, and the spec checks require it to differ between prefixes.
 */

/** A route prefix without its trailing slashes ("/" becomes ""). */
export function trimSlash(prefix: string): string {
  return prefix.replace(/\/+$/, '');
}

/** A readable, stable name of a gateway route, e.g. "/api/auth" -> "api-auth". */
export function routeName(prefix: string): string {
  return trimSlash(prefix).replace(/^\//, '').replace(/[^a-zA-Z0-9]+/g, '-').toLowerCase() || 'root';
}

/** Why a prefix would be the same gateway route as an earlier one (see routeClashes). */
export interface RouteClash {
  /** "same-prefix": given twice; "same-match": equal but for a trailing "/"; "same-name": another prefix of the same route name. */
  readonly kind: 'same-prefix' | 'same-match' | 'same-name';
  /** Index of the earlier prefix it clashes with. */
  readonly first: number;
  /** Index of the prefix that clashes. */
  readonly second: number;
  /** The route name of the later prefix. */
  readonly name: string;
}

/**
 * Prefixes that would be one gateway route, each against the first earlier prefix it clashes with:
 * the same requests matched (a trailing "/" makes no difference: Istio takes the first route and
 * never the other), else the same route name (the rate limit's route patches and Argo Rollouts find
 * gateway routes by name, so one would get the other's limit or weights). The spec checks and the
 * gateway constructs each word their own message. Linear in the prefixes.
 */
export function routeClashes(prefixes: readonly string[]): RouteClash[] {
  const clashes: RouteClash[] = [];
  const byMatch = new Map<string, number>();
  const byName = new Map<string, number>();
  prefixes.forEach((prefix, second) => {
    const match = trimSlash(prefix) || '/';
    const name = routeName(prefix);
    const sameMatch = byMatch.get(match);
    if (sameMatch !== undefined) {
      clashes.push({ kind: prefixes[sameMatch] === prefix ? 'same-prefix' : 'same-match', first: sameMatch, second, name });
      return;
    }
    byMatch.set(match, second);
    const sameName = byName.get(name);
    if (sameName !== undefined) clashes.push({ kind: 'same-name', first: sameName, second, name });
    else byName.set(name, second);
  });
  return clashes;
}
