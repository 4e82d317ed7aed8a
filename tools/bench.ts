/**
 * `npm run bench`: the commands users run, timed side by side with the floor, the time node
 * takes to load cdk8s-plus-27 alone. Commands take turns run by run (a machine that speeds up
 * or slows down moves all of them alike) and each figure is the median of BENCH_RUNS runs
 * (default 5; 3 for the 1000-service spec), each a fresh process:
 *
 * - `npm run synth` with nothing changed (the launcher prints the last synth's output again,
 *   tools/result-cache.cjs), the same with the result cache off (a synth), and after an edit
 *   (src/cli.ts touched: its mtime changes, its content does not, and the launcher bundles again);
 * - npm's own start (`npm run env`), which every `npm run` pays;
 * - `npx cdk8s synth`, and cdk8s-cli's own start (an app that writes nothing);
 * - the reference synth through the launcher (result cache off: the synth's own time), and with
 *   each other performance seam switched off (code cache, direct renderer, V8 tuning);
 * - generated specs with 100 and 1000 services: time, peak RSS and growth.
 *
 * Outputs go to a temporary directory; dist/ is not touched. An entry point: it runs when loaded.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { generatedSpec } from './generated-spec';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const ROOT = process.cwd(); // npm runs scripts in the project directory
const LAUNCH = path.join(ROOT, 'tools', 'launch.cjs');
const EDITED = path.join(ROOT, 'src', 'cli.ts');
/** node's own options in `npm run synth` (package.json); every synth the bench starts itself gets them too. */
const SYNTH_NODE_OPTIONS: string[] = (/^node((?: --\S+)*) tools\/launch\.cjs /.exec(JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts.synth)?.[1] ?? '').split(' ').filter(Boolean);

interface Command {
  readonly label: string;
  readonly file: string;
  readonly args: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  /** Run before each timed run, untimed. */
  readonly before?: () => void;
  /** Run after each timed run, untimed. */
  readonly after?: () => void;
}

interface Sample { readonly ms: number; readonly stdout: string; readonly maxRssKb?: number; readonly bundled?: boolean; readonly result?: string }
/** The median run of a command, and the range of peak RSS over its runs. */
interface Result extends Sample { readonly rssRangeKb: readonly [number, number] }

function runOnce(c: Command): Sample {
  c.before?.();
  const start = process.hrtime.bigint();
  const r = spawnSync(c.file, c.args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...c.env, PLATFORM_LAUNCH_TRACE: '1' } });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${c.label} failed (exit ${r.status}):\n${r.stderr}`);
  c.after?.();
  const trace = /^platform-launch (\{.*\})$/m.exec(r.stderr);
  const t = trace ? JSON.parse(trace[1]) as { maxRssKb: number; bundled: boolean; result: string } : undefined;
  return { ms, stdout: r.stdout, maxRssKb: t?.maxRssKb, bundled: t?.bundled, result: t?.result };
}

/** The median run of each command, the commands taking turns. */
function inTurns(commands: readonly Command[], runs: number): Result[] {
  const samples = commands.map(() => [] as Sample[]);
  for (let i = 0; i < runs; i++) commands.forEach((c, k) => samples[k].push(runOnce(c)));
  return samples.map((s) => {
    const rss = s.map((x) => x.maxRssKb ?? 0);
    return { ...[...s].sort((a, b) => a.ms - b.ms)[Math.floor(s.length / 2)], rssRangeKb: [Math.min(...rss), Math.max(...rss)] };
  });
}

function countObjects(stdout: string): number {
  return [...stdout.matchAll(/(\d+) objects/g)].reduce((n, m) => n + Number(m[1]), 0);
}

function touch(file: string): void {
  const now = new Date();
  fs.utimesSync(file, now, now);
}

function main(): void {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-bench-'));
  try {
    bench(work);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

function bench(work: string): void {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  console.log(`node ${process.version}, ${os.cpus().length} cores (${cpu}), load average ${os.loadavg()[0].toFixed(1)}; median of ${RUNS} runs, commands taking turns\n`);
  const out = (name: string) => path.join(work, name);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
  const node = process.execPath;
  const floor: Command = { label: 'floor: node -e "require(\'cdk8s-plus-27\')"', file: node, args: ['-e', "require('cdk8s-plus-27')"] };
  // The synths the bench starts itself measure the synth: the result cache would skip it.
  const synthOnly = { PLATFORM_RESULT_CACHE: 'off' };
  const commands: Command[] = [
    floor,
    { label: 'npm run synth (nothing changed)', file: npm, args: ['run', '--silent', 'synth', '--', '--out', out('npm')] },
    { label: 'npm run synth, result cache off (PLATFORM_RESULT_CACHE=off)', file: npm, args: ['run', '--silent', 'synth', '--', '--out', out('npmoff')], env: synthOnly },
    // The edit makes a new bundle, which every code cache but the one this run writes no longer
    // fits: the commands with other node options or V8 flags get theirs again, untimed.
    { label: 'npm run synth after an edit (src/cli.ts touched)', file: npm, args: ['run', '--silent', 'synth', '--', '--out', out('edit')], before: () => touch(EDITED), after: () => warmCaches() },
    { label: 'npm\'s own start (npm run env)', file: npm, args: ['run', '--silent', 'env'] },
    { label: 'npx cdk8s synth', file: npx, args: ['cdk8s', 'synth', '--no-check-upgrade', '-o', out('cdk8s')] },
    { label: 'cdk8s-cli\'s own start (npx cdk8s synth, app writes nothing)', file: npx, args: ['cdk8s', 'synth', '--no-check-upgrade', '-o', out('empty'), '--app', `mkdir -p "${out('empty')}"`] },
    { label: `synth (node ${[...SYNTH_NODE_OPTIONS, ''].join(' ')}tools/launch.cjs bin/synth.ts, result cache off)`, file: node, args: [...SYNTH_NODE_OPTIONS, LAUNCH, 'bin/synth.ts', '--out', out('launch')], env: synthOnly },
    { label: 'synth without node\'s options (node tools/launch.cjs bin/synth.ts)', file: node, args: [LAUNCH, 'bin/synth.ts', '--out', out('nooptions')], env: synthOnly },
    { label: 'synth, code cache off (NODE_DISABLE_COMPILE_CACHE=1)', file: node, args: [...SYNTH_NODE_OPTIONS, LAUNCH, 'bin/synth.ts', '--out', out('nocache')], env: { ...synthOnly, NODE_DISABLE_COMPILE_CACHE: '1' } },
    { label: 'synth, direct renderer off (PLATFORM_DIRECT_RENDER=off)', file: node, args: [...SYNTH_NODE_OPTIONS, LAUNCH, 'bin/synth.ts', '--out', out('nodirect')], env: { ...synthOnly, PLATFORM_DIRECT_RENDER: 'off' } },
    { label: 'synth, V8 tuning off (PLATFORM_V8_TUNING=off)', file: node, args: [...SYNTH_NODE_OPTIONS, LAUNCH, 'bin/synth.ts', '--out', out('untuned')], env: { ...synthOnly, PLATFORM_V8_TUNING: 'off' } },
  ];
  // Unmeasured: bundles if needed and warms the code caches (one per V8 tuning), as a user's second
  // synth finds them; then `npm run synth` once, whose record the next one finds (the edit made a
  // new bundle, and the edited run's record is of other arguments).
  function warmCaches(): void {
    runOnce(commands[7]);
    runOnce(commands[8]); // a code cache of its own: V8 refuses one made under other options
    runOnce(commands[commands.length - 1]);
    runOnce(commands[1]);
  }
  warmCaches();
  const results = inTurns(commands, RUNS);
  const base = results[0].ms;
  console.log('| command | median | x floor | objects |');
  console.log('|---|---:|---:|---:|');
  commands.forEach((c, k) => {
    const r = results[k];
    console.log(`| ${c.label} | ${r.ms.toFixed(0)} ms | ${(r.ms / base).toFixed(2)} | ${countObjects(r.stdout) || ''} |`);
  });
  const [, unchanged, synthesized, edited, npmStart, cdk8s, cdk8sStart, launched] = results;
  if (!edited.bundled) throw new Error('the edit did not make the launcher bundle again');
  if (unchanged.result !== 'hit') throw new Error(`npm run synth with nothing changed did not replay the last synth (result cache: ${unchanged.result})`);
  console.log(`\nnpm run synth, nothing changed: ${(unchanged.ms / base).toFixed(2)}x the floor (target <= 2.5x); of it npm's own start ${(npmStart.ms / base).toFixed(2)}x`);
  console.log(`npm run synth, result cache off: ${(synthesized.ms / base).toFixed(2)}x the floor; of it the synth ${(launched.ms / base).toFixed(2)}x`);
  console.log(`npm run synth after an edit: ${(edited.ms / 1000).toFixed(2)} s (target < 1.5 s)`);
  console.log(`npx cdk8s synth: cdk8s-cli's start + ${((cdk8s.ms - cdk8sStart.ms) / 1000).toFixed(2)} s (target <= 0.6 s)`);

  fs.writeFileSync(path.join(work, 'bench.sql'), 'CREATE TABLE IF NOT EXISTS items (id UUID PRIMARY KEY);\n');
  const sized = (n: number, env?: NodeJS.ProcessEnv, label = `${n} services`): Command => {
    const spec = path.join(work, `bench-${n}.yaml`);
    if (!fs.existsSync(spec)) fs.writeFileSync(spec, generatedSpec(n));
    return { label, file: node, args: [...SYNTH_NODE_OPTIONS, LAUNCH, 'bin/synth.ts', '--config', spec, '--out', out(`out-${n}-${label.length}`)], env: { ...synthOnly, ...env } };
  };
  const scale = [sized(100), sized(1000), sized(1000, { PLATFORM_DIRECT_RENDER: 'off' }, '1000 services, direct renderer off'), sized(1000, { PLATFORM_V8_TUNING: 'off' }, '1000 services, V8 tuning off')];
  const big = inTurns(scale, Math.min(RUNS, 3));
  console.log('\n| generated spec (1 environment) | objects | median | peak RSS (median run; range) | per object |');
  console.log('|---|---:|---:|---:|---:|');
  scale.forEach((c, k) => {
    const r = big[k];
    const objects = countObjects(r.stdout);
    const mb = (kb: number) => (kb / 1024).toFixed(0);
    console.log(`| ${c.label} | ${objects} | ${r.ms.toFixed(0)} ms | ${mb(r.maxRssKb ?? 0)} MB; ${mb(r.rssRangeKb[0])}-${mb(r.rssRangeKb[1])} MB | ${(r.ms / objects).toFixed(3)} ms |`);
  });
  const [s100, s1000] = big;
  const o100 = countObjects(s100.stdout);
  const o1000 = countObjects(s1000.stdout);
  console.log(`\n1000 services: ${(s1000.ms / 1000).toFixed(2)} s, ${((s1000.maxRssKb ?? 0) / 1024).toFixed(0)} MB peak RSS (targets < 3 s, < 300 MB)`);
  console.log(`growth 100 -> 1000 services: ${(s1000.ms / s100.ms).toFixed(2)}x time for ${(o1000 / o100).toFixed(2)}x objects; marginal ${((s1000.ms - s100.ms) / (o1000 - o100)).toFixed(3)} ms per object`);
}

main();
