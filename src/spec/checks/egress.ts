/**
 * Checks of each service's egress: every destination names a host or addresses, each once, and
 * plain TCP names its addresses: TCP carries no host name (no SNI, no Host header), so the mesh
 * can only tell TCP destinations apart by address; a TCP ServiceEntry without addresses would
 * capture every connection of the namespace on that port (istioctl analyze IST0134).
 */
import type { Report } from './types';
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
      if (e.protocol === 'TCP' && !e.cidrs) {
        report(at, `TCP to ${e.host} port ${e.port} needs its cidrs: TCP carries no host name, so the mesh and the NetworkPolicy can only match it by address; `
          + 'add cidrs, or use a TLS port (such as 465 for SMTP over TLS, 443 for HTTPS) with protocol TLS');
      }
      const key = `${e.host ?? [...(e.cidrs ?? [])].sort().join(',')}:${e.port}`;
      const first = seen.get(key);
      if (first !== undefined) report(at, `repeats egress ${first} (${e.host ?? e.cidrs?.join(', ')} port ${e.port}); declare each destination once`);
      else seen.set(key, i);
    });
  }
}
