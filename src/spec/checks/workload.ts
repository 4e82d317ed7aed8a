/** Checks of each service's workload: ports, calls, replicas and resources (image pins: src/spec/load.ts). */
import type { CheckContext, Report } from './types';
import { quote } from '../escape';
import { firstRepeat, listOf } from '../lists';
import { parseQuantity } from '../quantity';
import { EnvironmentSpec } from '../schema';

export function checkWorkloads(env: EnvironmentSpec, report: Report, context: CheckContext): void {
  const names = new Set(context.declaredServices);
  const known = listOf(context.declaredServices);
  const portOwner = new Map<number, string>();
  for (const [name, svc] of Object.entries(env.services)) {
    const at = (...p: PropertyKey[]) => ['services', name, ...p];

    const other = portOwner.get(svc.port);
    if (other) report(at('port'), `port ${svc.port} is already used by ${other}; every service needs its own port`);
    else portOwner.set(svc.port, name);

    svc.calls.forEach((callee, i) => {
      if (callee === name) report(at('calls', i), `a service cannot declare a call to itself`);
      else if (!names.has(callee)) report(at('calls', i), `calls unknown service ${quote(callee)}; known services: ${known}`);
    });
    const dup = firstRepeat(svc.calls);
    if (dup !== undefined) report(at('calls'), `calls ${quote(svc.calls[dup])} more than once`);

    if (svc.autoscaling) {
      const { minReplicas, maxReplicas } = svc.autoscaling;
      if (minReplicas > maxReplicas) {
        report(at('autoscaling', 'minReplicas'), `minReplicas (${minReplicas}) is greater than maxReplicas (${maxReplicas})`);
      } else if (svc.replicas < minReplicas || svc.replicas > maxReplicas) {
        report(at('replicas'), `replicas (${svc.replicas}) must lie within autoscaling bounds ${minReplicas}-${maxReplicas}`);
      }
    }

    for (const r of ['cpu', 'memory'] as const) {
      const request = parseQuantity(svc.resources.requests[r]);
      const limit = parseQuantity(svc.resources.limits[r]);
      if (request > limit) {
        report(at('resources', 'requests', r), `request ${svc.resources.requests[r]} exceeds limit ${svc.resources.limits[r]}`);
      }
    }
  }
}
