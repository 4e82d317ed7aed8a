/** Generated platform specs of any size, for the bench and for tests of scale. */

/** A spec with `n` services: calls, routes, databases, events and every delivery strategy. */
export function generatedSpec(n: number): string {
  const lines = [
    'platform:', '  name: bench', '  host: api.bench.example.com',
    '  jwt: { issuer: https://auth.bench.example.com, jwksUri: https://auth.bench.example.com/jwks.json }',
    'services:',
  ];
  for (let i = 0; i < n; i++) {
    const name = `svc-${String(i).padStart(4, '0')}`;
    lines.push(`  ${name}:`, `    image: registry.example.com/bench/${name}:1.0.${i}`, `    port: ${3000 + i}`, '    replicas: 2',
      '    autoscaling: { minReplicas: 2, maxReplicas: 4 }',
      `    routes: [{ prefix: /api/${name}, auth: jwt, rateLimit: { requests: 100, window: 15m } }]`);
    if (i > 0) lines.push(`    calls: [svc-${String(i - 1).padStart(4, '0')}]`);
    if (i % 2 === 0) lines.push(`    database: { name: db_${i}, schema: bench.sql }`);
    if (i % 3 === 0) lines.push('    cache: {}');
    if (i % 5 === 0) lines.push(`    publishes: [bench.event-${i}]`);
    if (i % 5 === 1) lines.push(`    consumes: [bench.event-${i - 1}]`);
    if (i % 4 === 1) lines.push('    delivery: { strategy: blueGreen, blueGreen: {} }');
    if (i % 4 === 2) lines.push('    delivery: { strategy: canary, canary: { steps: [{ setWeight: 20 }, { pause: { duration: 4m } }, { setWeight: 100 }] } }');
  }
  lines.push('environments:', '  bench: {}', '');
  return lines.join('\n');
}
