/**
 * The platform's topology as a Mermaid flowchart, drawn from the spec: gateway routes,
 * service-to-service calls, each service's data stores, event flows through the exchange, and
 * the destinations outside the cluster that services declare (egress).
 */
import { EnvironmentSpec, RouteSpec, ServiceSpec } from '../spec/schema';

/** Mermaid node ids: letters, digits and "_" only, prefixed by what the node is. */
const id = {
  service: (name: string) => `svc_${name.replace(/-/g, '_')}`,
  database: (name: string) => `db_${name.replace(/-/g, '_')}`,
};

/** The topology flowchart (Mermaid source, without the code fence). */
export function topologyDiagram(env: EnvironmentSpec): string {
  const services = Object.entries(env.services);
  const routed = services.filter(([, s]) => s.routes.length > 0);
  const withDb = services.filter(([, s]) => s.database);
  const cached = services.filter(([, s]) => s.cache);
  const eventful = services.some(([, s]) => s.publishes.length || s.consumes.length);
  const exchange = 'exchange';
  const lines: string[] = ['flowchart LR'];

  if (routed.length) {
    lines.push('  clients(["Clients"])', `  gateway{{"Gateway<br/>${env.platform.host}"}}`, '  clients --> gateway');
  }
  lines.push(`  subgraph services["Services in ${env.namespace}"]`);
  for (const [name, s] of services) lines.push(`    ${id.service(name)}["${name}<br/>${podsText(s)}, ${s.delivery.strategy}"]`);
  lines.push('  end');
  if (withDb.length || cached.length || eventful) {
    lines.push('  subgraph data["Data stores"]');
    for (const [name, s] of withDb) lines.push(`    ${id.database(name)}[("PostgreSQL ${name}-db<br/>database ${s.database?.name}")]`);
    if (cached.length) lines.push('    redis[("Redis")]');
    if (eventful) lines.push(`    ${exchange}{{"RabbitMQ exchange ${env.platform.rabbitmq.exchange}"}}`);
    lines.push('  end');
  }

  for (const [name, s] of routed) {
    for (const r of s.routes) lines.push(`  gateway -->|"${routeText(r)}"| ${id.service(name)}`);
  }
  for (const [name, s] of services) {
    for (const callee of s.calls) lines.push(`  ${id.service(name)} -->|HTTP| ${id.service(callee)}`);
  }
  for (const [name] of withDb) lines.push(`  ${id.service(name)} --> ${id.database(name)}`);
  for (const [name] of cached) lines.push(`  ${id.service(name)} -.->|cache| redis`);
  for (const [name, s] of services) {
    for (const event of s.publishes) lines.push(`  ${id.service(name)} -->|"publishes ${event}"| ${exchange}`);
  }
  for (const [name, s] of services) {
    for (const event of s.consumes) lines.push(`  ${exchange} -->|"${event}"| ${id.service(name)}`);
  }
  // One node per destination (host, or its address ranges), shared by the services that reach it.
  const outside = new Map<string, string>();
  const edges: string[] = [];
  for (const [name, s] of services) {
    for (const e of s.egress) {
      const what = e.host ?? (e.cidrs ?? []).join(', ');
      if (!outside.has(what)) outside.set(what, `ext_${outside.size}`);
      edges.push(`  ${id.service(name)} -->|"${e.protocol} ${e.port}"| ${outside.get(what)}`);
    }
  }
  if (outside.size) {
    lines.push('  subgraph outside["Outside the cluster"]');
    for (const [what, node] of outside) lines.push(`    ${node}[/"${what}"/]`);
    lines.push('  end', ...edges);
  }
  return lines.join('\n');
}

/** "3 pods" or "5-20 pods" under an autoscaler. */
function podsText(s: ServiceSpec): string {
  return s.autoscaling ? `${s.autoscaling.minReplicas}-${s.autoscaling.maxReplicas} pods` : `${s.replicas} pods`;
}

/** "/api/auth (open, 5 per 15m)". */
function routeText(r: RouteSpec): string {
  const auth = r.auth === 'jwt' ? 'JWT' : 'open';
  return `${r.prefix} (${auth}${r.rateLimit ? `, ${r.rateLimit.requests} per ${r.rateLimit.window}` : ''})`;
}
