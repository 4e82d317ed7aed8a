/** Checks of the gateway routes (who owns each prefix, rate limit windows, JWT configuration) and mesh headers. */
import { routeName } from '../../mesh/names';
import { windowProblem } from '../../mesh/rate-limit';
import type { Report } from '../checks';
import { EnvironmentSpec } from '../schema';

/** Istio matches header names in lowercase (HTTP/2 sends them so). */
const HEADER_NAME = /^[a-z0-9][-a-z0-9]*$/;

export function checkMesh(env: EnvironmentSpec, report: Report): void {
  const prefixOwner = new Map<string, string>();
  const nameOwner = new Map<string, string>();
  for (const [name, svc] of Object.entries(env.services)) {
    if (!HEADER_NAME.test(svc.traffic.versionHeader)) {
      report(['services', name, 'traffic', 'versionHeader'], `versionHeader "${svc.traffic.versionHeader}" is not a lowercase HTTP header name; use lowercase letters, digits and "-", such as version or x-version`);
    }
    svc.routes.forEach((route, i) => {
      const at = (...p: PropertyKey[]) => ['services', name, 'routes', i, ...p];
      const prefix = route.prefix.replace(/\/+$/, '') || '/';
      const owner = prefixOwner.get(prefix);
      if (owner) {
        report(at('prefix'), `prefix ${route.prefix} is already routed to ${owner}; each prefix belongs to exactly one service`);
      } else {
        prefixOwner.set(prefix, name);
        const sameName = nameOwner.get(routeName(prefix));
        if (sameName) {
          report(at('prefix'), `prefix ${route.prefix} gets the same route name "${routeName(prefix)}" as ${sameName}; route names (the prefix with "/" and other symbols as "-") must differ`);
        } else {
          nameOwner.set(routeName(prefix), `${route.prefix} of ${name}`);
        }
      }
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
