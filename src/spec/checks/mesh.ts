/**
 * Checks of the gateway routes (who owns each prefix, rate limit windows, JWT configuration), mesh
 * headers, and, across environments, that no two environments share ingress gateway pods.
 */
import { windowProblem } from '../rate-limit-window';
import { routeClashes } from '../route-name';
import type { Report } from './types';
import { EnvironmentSpec } from '../schema';

/** Istio matches header names in lowercase (HTTP/2 sends them so). */
const HEADER_NAME = /^[a-z0-9][-a-z0-9]*$/;

export function checkMesh(env: EnvironmentSpec, report: Report): void {
  // Every route of every service, in spec order: a prefix clashes with the first one before it.
  const routes = Object.entries(env.services).flatMap(([name, svc]) => svc.routes.map((route, i) => ({ service: name, i, prefix: route.prefix })));
  for (const { kind, first, second, name } of routeClashes(routes.map((r) => r.prefix))) {
    const [owner, route] = [routes[first], routes[second]];
    report(['services', route.service, 'routes', route.i, 'prefix'], kind === 'same-name'
      ? `prefix ${route.prefix} gets the same route name "${name}" as ${owner.prefix} of ${owner.service}; route names (the prefix with "/" and other symbols as "-") must differ`
      : `prefix ${route.prefix} is already routed to ${owner.service}; each prefix belongs to exactly one service`);
  }
  for (const [name, svc] of Object.entries(env.services)) {
    if (!HEADER_NAME.test(svc.traffic.versionHeader)) {
      report(['services', name, 'traffic', 'versionHeader'], `versionHeader "${svc.traffic.versionHeader}" is not a lowercase HTTP header name; use lowercase letters, digits and "-", such as version or x-version`);
    }
    svc.routes.forEach((route, i) => {
      const at = (...p: PropertyKey[]) => ['services', name, 'routes', i, ...p];
      if (route.rateLimit) {
        const problem = windowProblem(route.rateLimit.window);
        if (problem) report(at('rateLimit', 'window'), problem);
      }
      if (route.auth === 'jwt' && !env.platform.jwt) {
        report(at('auth'), `route ${route.prefix} demands a JWT but platform.jwt is not set; set platform.jwt (issuer and jwksUri) or use auth: none`);
      }
    });
  }
}

/** Where a spec path of an environment is, e.g. "platform.yaml:12 (environments.dev.platform.gateway.selector)". */
export type Locate = (env: string, path: readonly PropertyKey[]) => string;
/** Reports a problem at a spec path of one environment. */
export type ReportIn = (env: string, path: readonly PropertyKey[], message: string) => void;

/**
 * Two environments must not share ingress gateway pods. Each environment's Gateway selects gateway
 * pods by label in every namespace, and its JWT RequestAuthentication and DENY policy, rate-limit
 * EnvoyFilter and access-log Telemetry select them too: on shared pods one environment's rate-limit
 * filters and services see the other's requests, its RequestAuthentication rejects the other's
 * tokens, and its routes are served by pods whose policies it did not write. Host scoping cannot
 * fix all of it (a RequestAuthentication has no host match), so environments get their own gateway.
 * Selectors overlap when no label they both name differs: one pod could carry both, whatever the
 * gateway namespace, since a Gateway selects across namespaces.
 */
export function checkGatewaySharing(envs: readonly EnvironmentSpec[], report: ReportIn, locate: Locate): void {
  const users = envs.filter((e) => e.platform.jwt || Object.values(e.services).some((s) => s.routes.length));
  const selectorPath = ['platform', 'gateway', 'selector'];
  users.forEach((b, i) => {
    for (const a of users.slice(0, i)) {
      const sa = a.platform.gateway.selector;
      const sb = b.platform.gateway.selector;
      if (!selectorsOverlap(sa, sb)) continue;
      report(b.name, selectorPath,
        `environments ${a.name} and ${b.name} share ingress gateway pods: ${b.name} selects ${describeSelector(sb)} and ${a.name} ${describeSelector(sa)} (${locate(a.name, selectorPath)}), ` +
        `which can be the same pods, so each environment's routes, JWT policies, rate-limit filters and access log would act on the other's requests; ` +
        `give ${b.name} its own ingress gateway: set environments.${b.name}.platform.gateway (selector, namespace, serviceAccount) to a gateway deployment of its own whose labels ${a.name}'s selector does not match`);
    }
  });
}

function selectorsOverlap(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  return Object.entries(a).every(([k, v]) => !(k in b) || b[k] === v);
}

function describeSelector(selector: Readonly<Record<string, string>>): string {
  const labels = Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(',');
  return labels ? `labels ${labels}` : 'an empty selector';
}
