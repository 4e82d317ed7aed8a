/** Checks of each service's egress: every destination names a host or addresses, each once. */
import type { Report } from '../checks';
import { EnvironmentSpec } from '../schema';

export function checkEgress(env: EnvironmentSpec, report: Report): void {
  for (const [name, svc] of Object.entries(env.services)) {
    const seen = new Map<string, number>();
    svc.egress.forEach((e, i) => {
      const at = ['services', name, 'egress', i];
      if (!e.host && !e.cidrs) {
        report(at, 'names neither a host nor cidrs; give the host name (such as smtp.sendgrid.net), its address ranges (cidrs), or both');
        return;
      }
      const key = `${e.host ?? [...(e.cidrs ?? [])].sort().join(',')}:${e.port}`;
      const first = seen.get(key);
      if (first !== undefined) report(at, `repeats egress ${first} (${e.host ?? e.cidrs?.join(', ')} port ${e.port}); declare each destination once`);
      else seen.set(key, i);
    });
  }
}
