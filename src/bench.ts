/**
 * `npm run bench`: synth time of the reference platform and of generated specs with 10, 100
 * and 1000 services, each in a fresh node process running the compiled CLI. Prints objects,
 * wall time and time per object; compares with the time to load cdk8s-plus-27 alone.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const MAIN = path.join(__dirname, 'main.js');
const ROOT = path.join(__dirname, '..', '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

interface NodeRun {
  readonly args: string[];
  readonly env?: NodeJS.ProcessEnv;
}

/** Runs node once; wall time in ms and stdout. */
function runNode(run: NodeRun): { ms: number; stdout: string } {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, run.args, { cwd: ROOT, encoding: 'utf8', env: run.env ?? process.env });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`node ${run.args.join(' ')} failed:\n${r.stderr}`);
  return { ms, stdout: r.stdout };
}

/**
 * Median wall time of each command, the commands taking turns run by run, so that a machine
 * that speeds up or slows down during the bench moves all of them alike and their ratios hold.
 */
function timeInTurns(runs: readonly NodeRun[], times = RUNS): Array<{ ms: number; stdout: string }> {
  const samples = runs.map(() => [] as number[]);
  const stdout = runs.map(() => '');
  for (let i = 0; i < times; i++) {
    runs.forEach((run, k) => {
      const r = runNode(run);
      samples[k].push(r.ms);
      stdout[k] = r.stdout;
    });
  }
  return samples.map((t, k) => ({ ms: [...t].sort((a, b) => a - b)[Math.floor(t.length / 2)], stdout: stdout[k] }));
}

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
    if (i % 4 === 2) lines.push('    delivery: { strategy: canary, canary: { steps: [{ setWeight: 20 }, { pause: { duration: 1m } }, { setWeight: 100 }] } }');
  }
  lines.push('environments:', '  bench: {}', '');
  return lines.join('\n');
}

function countObjects(stdout: string): number {
  return [...stdout.matchAll(/(\d+) objects/g)].reduce((n, m) => n + Number(m[1]), 0);
}

function main(): void {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  console.log(`node ${process.version}, ${os.cpus().length} cores (${cpu}), median of ${RUNS} runs, each a fresh process\n`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-bench-'));
  const rows: Array<{ label: string; services: number; objects: number; ms: number }> = [];
  const reference = [MAIN, '--config', path.join(ROOT, 'config', 'platform.yaml'), '--out', path.join(work, 'reference')];
  // One unmeasured run, so that the CLI's code cache is warm, as it is from a user's second synth on.
  runNode({ args: reference });
  const [baseline, warm, cold] = timeInTurns([
    { args: ['-e', "require('cdk8s-plus-27')"] },
    { args: reference },
    { args: reference, env: { ...process.env, NODE_DISABLE_COMPILE_CACHE: '1' } },
  ]);
  console.log(`baseline: node -e "require('cdk8s-plus-27')": ${baseline.ms.toFixed(0)} ms (taking turns with the reference synth)\n`);
  rows.push({ label: 'reference (all environments)', services: 4, objects: countObjects(warm.stdout), ms: warm.ms });
  rows.push({ label: 'reference, code cache off (compiled from source)', services: 4, objects: countObjects(cold.stdout), ms: cold.ms });

  fs.writeFileSync(path.join(work, 'bench.sql'), 'CREATE TABLE IF NOT EXISTS items (id UUID PRIMARY KEY);\n');
  for (const n of [10, 100, 1000]) {
    const spec = path.join(work, `bench-${n}.yaml`);
    fs.writeFileSync(spec, generatedSpec(n));
    const [r] = timeInTurns([{ args: [MAIN, '--config', spec, '--out', path.join(work, `out-${n}`)] }], n >= 1000 ? Math.min(RUNS, 3) : RUNS);
    rows.push({ label: `generated, ${n} services (1 environment)`, services: n, objects: countObjects(r.stdout), ms: r.ms });
  }

  console.log('| spec | objects | wall time | per object |');
  console.log('|---|---:|---:|---:|');
  for (const r of rows) console.log(`| ${r.label} | ${r.objects} | ${r.ms.toFixed(0)} ms | ${(r.ms / r.objects).toFixed(3)} ms |`);
  const [, , , s100, s1000] = rows;
  console.log(`\nreference synth / cdk8s-plus-27 load: ${(warm.ms / baseline.ms).toFixed(2)}x (target <= 3x); with the code cache off: ${(cold.ms / baseline.ms).toFixed(2)}x`);
  console.log(`1000 services: ${(s1000.ms / 1000).toFixed(2)} s (target < 5 s)`);
  const marginal = (s1000.ms - s100.ms) / (s1000.objects - s100.objects);
  console.log(`growth 100 -> 1000 services: ${(s1000.ms / s100.ms).toFixed(2)}x time for ${(s1000.objects / s100.objects).toFixed(2)}x objects; marginal ${marginal.toFixed(3)} ms per object`);
  fs.rmSync(work, { recursive: true, force: true });
}

if (require.main === module) main();
