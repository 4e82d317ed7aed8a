/**
 * The platform report written beside the manifests as dist/<env>/REPORT.md (kubectl apply
 * reads only .yaml, .yml and .json, so it is never applied): topology, routes, events and
 * the inventory. Deterministic: the same spec gives the same bytes.
 */
import { rateLimitNotes } from '../platform/mesh';
import { EnvironmentSpec } from '../spec/schema';
import type { ExtraWriter, ManifestFile } from '../synth';
import { Amounts, buildInventory, formatCpu, formatMemory, Inventory } from './inventory';
import { markdownTable } from './table';
import { topologyDiagram } from './topology';
import { compareText } from '../compare-text';

/** The report's file name inside dist/<env>/. */
export const REPORT_FILE = 'REPORT.md';

/** The report of one environment as Markdown. */
export function platformReport(env: EnvironmentSpec, files: readonly ManifestFile[]): string {
  const inventory = buildInventory(files, Object.keys(env.services));
  const objectCount = files.reduce((n, f) => n + f.objects.length, 0);
  const sections = [
    `# Platform ${env.platform.name}: environment ${env.name}`,
    `Namespace \`${env.namespace}\`, gateway host \`${env.platform.host}\`: ${Object.keys(env.services).length} services, ` +
      `${objectCount} objects in ${files.length} files. Generated with the manifests; do not edit.`,
    '## Topology',
    '```mermaid\n' + topologyDiagram(env) + '\n```',
    'Gateway edges are routes (path prefix, authentication, rate limit); `HTTP` edges are declared calls, ' +
      'the only service-to-service traffic the mesh admits; dotted edges are cache access; ' +
      'events go from publishers through the topic exchange to each consumer\'s own queue; ' +
      'edges out of the cluster are declared egress (protocol and port).',
    ...routesSection(env),
    ...eventsSection(env),
    '## Objects by owner and kind',
    objectsTable(inventory),
    'An object belongs to a service when it is in the service\'s file or named after it (`order-service-db`); ' +
      'everything else is shared.',
    '## Compute',
    computeTable(inventory),
    computeNotes(inventory),
  ];
  return `${sections.join('\n\n')}\n`;
}

function routesSection(env: EnvironmentSpec): string[] {
  const rows = Object.entries(env.services).flatMap(([name, s]) => s.routes.map((r) => [r.prefix, name, r.auth === 'jwt' ? 'JWT' : 'none', r.rateLimit ? `${r.rateLimit.requests} per ${r.rateLimit.window}` : '-']));
  if (!rows.length) return [];
  rows.sort((a, b) => compareText(a[0], b[0]));
  const limits = rateLimitNotes(env);
  return [
    '## Gateway routes',
    markdownTable(['Prefix', 'Service', 'Authentication', 'Rate limit per client'], rows),
    ...(limits.length
      ? ['The rate limit service counts in fixed clock seconds, minutes, hours or days, never more than declared per window ' +
        '(see docs/mesh.md):\n\n' + limits.map((l) => `- ${l}`).join('\n')]
      : []),
  ];
}

function eventsSection(env: EnvironmentSpec): string[] {
  const events = new Map<string, { publishers: string[]; consumers: string[] }>();
  const entry = (e: string) => events.get(e) ?? events.set(e, { publishers: [], consumers: [] }).get(e)!;
  for (const [name, s] of Object.entries(env.services)) {
    s.publishes.forEach((e) => entry(e).publishers.push(name));
    s.consumes.forEach((e) => entry(e).consumers.push(name));
  }
  if (!events.size) return [];
  const rows = [...events.entries()].sort(([a], [b]) => compareText(a, b))
    .map(([e, { publishers, consumers }]) => [e, publishers.join(', ') || '(none)', consumers.join(', ') || '(none)']);
  return [`## Events (exchange \`${env.platform.rabbitmq.exchange}\`)`, markdownTable(['Event', 'Published by', 'Consumed by'], rows)];
}

function objectsTable(inv: Inventory): string {
  const rows = inv.kinds.map((kind) => {
    const cells = inv.owners.map((o) => inv.counts[kind]?.[o] ?? 0);
    return [kind, ...cells.map((n) => (n ? String(n) : '-')), String(cells.reduce((a, b) => a + b, 0))];
  });
  const totals = inv.owners.map((o) => inv.kinds.reduce((n, k) => n + (inv.counts[k]?.[o] ?? 0), 0));
  rows.push(['**Total**', ...totals.map((n) => `**${n}**`), `**${totals.reduce((a, b) => a + b, 0)}**`]);
  return markdownTable(['Kind', ...inv.owners, 'Total'], rows, ['l', ...inv.owners.map(() => 'r' as const), 'r']);
}

function computeTable(inv: Inventory): string {
  const amounts = (a: Amounts) => [formatCpu(a.cpuRequest), formatCpu(a.cpuLimit), formatMemory(a.memoryRequest), formatMemory(a.memoryLimit)];
  const rows = inv.workloads.map((w) => [
    w.workload,
    w.owner,
    w.maxReplicas !== w.replicas ? `${w.replicas} (max ${w.maxReplicas})` : String(w.replicas),
    w.replicaSource,
    w.initContainers ? `${w.containers} + ${w.initContainers} init` : String(w.containers),
    ...amounts(w.total),
  ]);
  rows.push(['**Total (long-running)**', '', '', '', '', ...amounts(inv.steadyState).map((s) => `**${s}**`)]);
  rows.push(['At every autoscaler\'s maxReplicas', '', '', '', '', ...amounts(inv.atMaxReplicas)]);
  return markdownTable(
    ['Workload', 'Owner', 'Pods', 'Pods counted from', 'Containers per pod', 'CPU requests', 'CPU limits', 'Memory requests', 'Memory limits'],
    rows,
    ['l', 'l', 'r', 'l', 'r', 'r', 'r', 'r', 'r'],
  );
}

function computeNotes(inv: Inventory): string {
  const notes = [
    'CPU in cores (`m` = millicores), memory in binary units. Each row is one pod\'s resources (all its containers; ' +
      'an init container counts when it alone is larger) times the pods counted: the autoscaler\'s minReplicas when one ' +
      'scales the workload, else spec.replicas. Istio sidecars are injected at admission and are not in these figures. ' +
      'During a blue-green or canary rollout up to twice the pods of that service run.',
  ];
  if (inv.workloads.some((w) => w.perRun)) notes.push('Jobs and CronJobs are counted per run and are not in the totals.');
  if (inv.missingResources.length) notes.push(`Containers without requests or limits (counted as 0): ${inv.missingResources.join('; ')}.`);
  return notes.join('\n\n');
}

/**
 * Writes REPORT.md beside each environment's manifests: pass it in `extraWriters` of
 * synthPlatform (or synthEnvironment, renderEnvironment), as `npm run synth` and `npm run check` do.
 */
export const platformReportWriter: ExtraWriter = (platform, files) => [{ name: REPORT_FILE, text: platformReport(platform.spec, files) }];
