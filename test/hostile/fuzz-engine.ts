/**
 * A seeded fuzzer of the synth CLI: random mutations of the fixture spec (type swaps, deletions,
 * out-of-range numbers, long and unicode strings, aliases, file references, bad bytes, bad flags)
 * run through the CLI in process. Each case must end in exactly one of:
 * - exit 0, and every object written passes the Kubernetes schemas of kubernetes-models (in
 *   `npm test`) or also the upstream Kubernetes and CRD schemas of ../shared (the same cases in the
 *   conformance step: test/hostile/fuzz.conformance.test.ts);
 * - exit 1 (2 for a bad flag), every problem located (file:line: path: message), and the
 *   previous output byte for byte as it was;
 * never a stack trace, an internal error, a hang or unbounded memory.
 * Case i of seed s is reproducible alone: FUZZ_SEED=s FUZZ_CASE=i.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments, parse, stringify } from 'yaml';
import type { Manifest } from '../../src/synth';
import { referenceText } from '../helpers';
import { isCoreKind, validateWithModels, validateWithShared } from '../support/schema-validator';
import { fixtureCopy, nestedScratchDir, runCli, treeOf } from './support';

/** mulberry32: small, fast, good enough to pick mutations; the same seed gives the same cases. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Json = unknown;
type Rng = () => number;
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)];

const STRINGS = [
  '', ' ', 'x'.repeat(5000), 'ünïcødé-名前', '\u202eevil', 'a\nb', '\u001b[31mred', '\u0000', '😀', '-leading', 'trailing-', 'UPPER',
  'a'.repeat(64), 'a.b', '../etc', '/abs', '1e3', '2Ei', '8Ei', '-1', 'latest', 'x:latest', 'x@sha256:abc', 'http://h', 'https://h/p',
  '5xx,bogus', '1h', '0s', 'user-service', 'order.created', '"quoted"', "it's", '${HOME}', '{{x}}', '\\', '%00', 'null', 'true',
];
const NUMBERS = [-1, 0, 1, 1.5, 99, 100, 101, 65535, 65536, 2 ** 31, 2 ** 31 - 1, 2 ** 53 + 1, 1e308, -1e308, 0.1, 3];
const QUANTITIES = ['2Ei', '8Ei', '7Ei', '1e3', '1E3', '100n', '5u', '.5', '3.', '+1Ki', '-1', '1Ki ', '1KiB', '0', '1e19', '9223372036854775807', '128Mi', '1'];
const FILES = ['/etc/passwd', '../outside.sql', '/proc/self/environ', 'sql', 'sql/missing.sql', 'sql/link-out.sql', 'sql/link-in.sql', 'sql/fifo.sql', 'sql/latin1.sql', 'sql/empty.sql'];
const FLAGS: string[][] = [['--bogus'], ['--env'], ['--env=nope'], ['--env', 'dev,prod'], ['--config'], ['--out='], ['--files-root', '/'], ['--help'], ['-x'], ['--env', '\u001b[2J']];

/** Every path in the data to a leaf or a node, for picking mutation targets. */
function pathsOf(data: Json, at: Array<string | number> = [], out: Array<Array<string | number>> = []): Array<Array<string | number>> {
  out.push(at);
  if (Array.isArray(data)) data.forEach((v, i) => pathsOf(v, [...at, i], out));
  else if (data && typeof data === 'object') for (const [k, v] of Object.entries(data)) pathsOf(v, [...at, k], out);
  return out;
}

function getAt(data: Json, p: ReadonlyArray<string | number>): Json {
  return p.reduce<Json>((d, k) => (d && typeof d === 'object' ? (d as Record<string | number, Json>)[k] : undefined), data);
}

function setAt(data: Json, p: ReadonlyArray<string | number>, value: Json | typeof DELETE): void {
  const parent = getAt(data, p.slice(0, -1)) as Record<string | number, Json> | Json[];
  const key = p[p.length - 1];
  if (value === DELETE) {
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete (parent as Record<string, Json>)[key];
  } else {
    (parent as Record<string | number, Json>)[key] = value;
  }
}
const DELETE = Symbol('delete');

function anyValue(rng: Rng): Json {
  switch (Math.floor(rng() * 7)) {
    case 0: return pick(rng, NUMBERS);
    case 1: return pick(rng, STRINGS);
    case 2: return rng() < 0.5;
    case 3: return null;
    case 4: return [pick(rng, STRINGS), pick(rng, NUMBERS)];
    case 5: return { [pick(rng, STRINGS) || 'k']: pick(rng, STRINGS) };
    default: return pick(rng, QUANTITIES);
  }
}

/** Whether an object occurs twice in the data (yaml writes it once, with an anchor, and aliases it). */
function hasSharedObjects(data: Json, seen = new Set<object>()): boolean {
  if (!data || typeof data !== 'object') return false;
  if (seen.has(data)) return true;
  seen.add(data);
  return Object.values(data).some((v) => hasSharedObjects(v, seen));
}

/**
 * yaml's text of each top-level entry of the unmutated spec, by the entry's JSON. A case changes
 * one or two of the spec's sections: the others are written as they were, instead of again (yaml's
 * stringify was most of the cost of making a case). Only the base's entries are kept, so a long
 * campaign does not grow it.
 */
const baseEntryTexts = new WeakMap<object, Map<string, string>>();

/** A mapping whose text is its entries' texts one after the other (anchors would be numbered across them). */
const isPlainMapping = (d: Json): d is Record<string, Json> => !!d && typeof d === 'object' && !Array.isArray(d) && Object.keys(d).length > 0 && !hasSharedObjects(d);
const entryText = (key: string, value: Json) => stringify({ [key]: value }, { lineWidth: 0 });

/** The spec text of the data (a mutated copy of `base`): byte for byte `stringify(data, { lineWidth: 0 })`. */
export function specText(data: Json, base: Json): string {
  if (!isPlainMapping(data) || !base || typeof base !== 'object') return stringify(data, { lineWidth: 0 });
  let known = baseEntryTexts.get(base);
  if (!known) {
    known = new Map(isPlainMapping(base) ? Object.entries(base).map(([key, value]) => [JSON.stringify([key, value]), entryText(key, value)]) : []);
    baseEntryTexts.set(base, known);
  }
  return Object.entries(data).map(([key, value]) => known.get(JSON.stringify([key, value])) ?? entryText(key, value)).join('');
}

/** One case: the spec bytes, extra arguments, and what was done (for the failure message). */
export interface FuzzCase {
  readonly spec: Buffer;
  readonly flags: string[];
  readonly mutations: string[];
  /** Whether a bad flag was added (exit 2 with the usage is then a valid answer). */
  readonly badFlags: boolean;
}

/** Builds case `index` of `seed`: one to three mutations of the fixture spec. */
export function makeCase(seed: number, index: number, base: Json): FuzzCase {
  const rng = random(seed * 100_003 + index);
  const data = structuredClone(base);
  const mutations: string[] = [];
  const flags: string[] = [];
  let textEdits: Array<(t: string) => string> = [];
  let bytes: ((b: Buffer) => Buffer) | undefined;
  let badFlags = false;
  const count = 1 + Math.floor(rng() * 3);
  for (let m = 0; m < count; m++) {
    const paths = pathsOf(data).filter((p) => p.length > 0);
    const p = pick(rng, paths);
    const kind = Math.floor(rng() * 10);
    const at = p.join('.');
    if (kind === 0) {
      const v = anyValue(rng);
      setAt(data, p, v);
      mutations.push(`type swap ${at} = ${JSON.stringify(v)?.slice(0, 40)}`);
    } else if (kind === 1) {
      setAt(data, p, DELETE);
      mutations.push(`delete ${at}`);
    } else if (kind === 2) {
      const numeric = paths.filter((q) => typeof getAt(data, q) === 'number');
      const q = numeric.length ? pick(rng, numeric) : p;
      const v = pick(rng, NUMBERS);
      setAt(data, q, v);
      mutations.push(`number ${q.join('.')} = ${v}`);
    } else if (kind === 3) {
      const strings = paths.filter((q) => typeof getAt(data, q) === 'string');
      const q = strings.length ? pick(rng, strings) : p;
      const v = pick(rng, STRINGS);
      setAt(data, q, v);
      mutations.push(`string ${q.join('.')} = ${JSON.stringify(v.slice(0, 20))}`);
    } else if (kind === 4) {
      const q = pick(rng, paths.filter((x) => /memory|cpu|size/.test(String(x[x.length - 1])))) ?? p;
      const v = pick(rng, QUANTITIES);
      setAt(data, q, v);
      mutations.push(`quantity ${q.join('.')} = ${v}`);
    } else if (kind === 5) {
      const services = Object.keys((data as { services?: object }).services ?? {});
      const svc = services.length ? pick(rng, services) : 'user-service';
      const v = pick(rng, FILES);
      const target = getAt(data, ['services', svc]);
      if (target && typeof target === 'object' && !Array.isArray(target)) {
        (target as Record<string, Json>).database = { name: 'fuzz_db', schema: v };
        mutations.push(`file services.${svc}.database.schema = ${v}`);
      }
    } else if (kind === 6) {
      const alias = pick(rng, ['undefined', 'forward', 'cycle', 'bomb', 'ok']);
      mutations.push(`alias ${alias}`);
      textEdits.push((t) => {
        if (alias === 'undefined') return t.replace('LOG_LEVEL: info', 'LOG_LEVEL: *nowhere');
        if (alias === 'forward') return t.replace('LOG_LEVEL: info', 'LOG_LEVEL: *later').replace(/\n$/, '\nlater: &later x\n');
        if (alias === 'cycle') return t.replace(/^ {2}user-service:\n/m, '  user-service: &svc\n    self: *svc\n');
        if (alias === 'bomb') {
          const lines = ['b0: &b0 [x, x, x, x, x, x, x, x, x]'];
          for (let i = 1; i <= 9; i++) lines.push(`b${i}: &b${i} [${Array(9).fill(`*b${i - 1}`).join(', ')}]`);
          return `${lines.join('\n')}\n${t}`;
        }
        return t.replace('LOG_LEVEL: info', 'LOG_LEVEL: &lvl info').replace(/\n$/, '\n');
      });
    } else if (kind === 7) {
      const f = pick(rng, FLAGS);
      flags.push(...f);
      badFlags = true;
      mutations.push(`flags ${JSON.stringify(f)}`);
    } else if (kind === 8) {
      // Rename a key: a service, an environment or a field.
      const parent = getAt(data, p.slice(0, -1));
      if (parent && typeof parent === 'object' && !Array.isArray(parent)) {
        const v = getAt(data, p);
        const name = pick(rng, STRINGS.filter((s) => s.length < 100)) || 'x';
        setAt(data, p, DELETE);
        (parent as Record<string, Json>)[name] = v;
        mutations.push(`rename ${at} -> ${JSON.stringify(name)}`);
      }
    } else {
      const what = pick(rng, ['bad byte', 'truncate', 'tab indent', 'duplicate key']);
      mutations.push(what);
      if (what === 'bad byte') bytes = (b) => Buffer.concat([b.subarray(0, Math.floor(b.length / 2)), Buffer.from([0xff]), b.subarray(Math.floor(b.length / 2))]);
      else if (what === 'truncate') bytes = (b) => b.subarray(0, Math.floor(b.length * rng()));
      else if (what === 'tab indent') textEdits.push((t) => t.replace('\n  name:', '\n\tname:'));
      else textEdits.push((t) => t.replace('    port: 3001\n', '    port: 3001\n    port: 3002\n'));
    }
  }
  let text = specText(data, base);
  for (const edit of textEdits) text = edit(text);
  textEdits = [];
  const spec = bytes ? bytes(Buffer.from(text)) : Buffer.from(text);
  return { spec, flags, mutations, badFlags };
}

/** The scratch project every case of a run shares: spec directory with odd files, and an output with a previous synth. */
export interface FuzzBench {
  readonly dir: string;
  readonly spec: string;
  readonly out: string;
  readonly base: Json;
  /** Whether written objects are also validated against the upstream schemas of ../shared. */
  readonly upstreamSchemas: boolean;
  /** The output as it is now (updated after each exit 0). */
  before: Record<string, string>;
}

/** The bench; `upstreamSchemas` validates written objects against ../shared's schemas too (required then). */
export async function makeBench(upstreamSchemas = false): Promise<FuzzBench> {
  const dir = nestedScratchDir('hostile-fuzz-');
  const spec = fixtureCopy(referenceText(), path.join(dir));
  // What '../outside.sql' (one of FILES) names: a readable file just outside the spec's tree.
  fs.writeFileSync(path.join(path.dirname(dir), 'outside.sql'), 'create table t (id int);\n');
  fs.symlinkSync('/etc/passwd', path.join(dir, 'sql', 'link-out.sql'));
  fs.symlinkSync('order_service.sql', path.join(dir, 'sql', 'link-in.sql'));
  fs.writeFileSync(path.join(dir, 'sql', 'latin1.sql'), Buffer.from([0x63, 0xe9, 0x0a]));
  fs.writeFileSync(path.join(dir, 'sql', 'empty.sql'), '');
  require('child_process').execFileSync('mkfifo', [path.join(dir, 'sql', 'fifo.sql')]);
  const out = path.join(dir, 'dist');
  const first = await runCli(['--config', spec, '--out', out]);
  if (first.code !== 0) throw new Error(`the fixture does not synthesize: ${first.stderr}`);
  const base = parse(referenceText()) as Json;
  // specText's premise (a mapping's text is its entries' texts joined), checked against this yaml.
  if (specText(base, base) !== stringify(base, { lineWidth: 0 })) throw new Error('specText no longer writes what yaml\'s stringify writes: make it call stringify');
  return { dir, spec, out, base, upstreamSchemas, before: treeOf(out) };
}

/** A line that starts a YAML document: no scalar may hold one, so written files split there safely. */
const DOCUMENT_START = /^(?=---(?:[ \t]|$))/m;

/**
 * Schema errors of one written file (base64 bytes). Most files of an exit-0 case are byte for byte
 * a file an earlier case wrote, and a mutation changes a few objects of a file, not all of them: each
 * distinct file and each distinct document (object) is parsed and validated once per run, with the
 * same result as the first time.
 */
const validatedFiles = new Map<string, string[]>();
const validatedDocuments = new Map<string, string[]>();
function schemaErrorsOf(content: string, upstreamSchemas: boolean): string[] {
  let errors = validatedFiles.get(content);
  if (!errors) {
    errors = [];
    for (const text of Buffer.from(content, 'base64').toString('utf8').split(DOCUMENT_START)) {
      let documentErrors = validatedDocuments.get(text);
      if (!documentErrors) {
        documentErrors = [];
        for (const doc of parseAllDocuments(text)) {
          const o = doc.toJS() as Manifest;
          documentErrors.push(...(isCoreKind(o) ? validateWithModels(o) : []));
          if (upstreamSchemas) documentErrors.push(...validateWithShared(o));
        }
        validatedDocuments.set(text, documentErrors);
      }
      errors.push(...documentErrors);
    }
    validatedFiles.set(content, errors);
  }
  return errors;
}

/** Whether the tree below `dir` is `tree` (treeOf's answer): the same entries, each file byte for byte. */
function isTree(dir: string, tree: Record<string, string>): boolean {
  let entries = 0;
  const same = (rel: string): boolean => fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).every((e) => {
    const p = rel ? `${rel}/${e.name}` : e.name;
    entries++;
    if (e.isDirectory()) return tree[`${p}/`] === '' && same(p);
    return tree[p] !== undefined && tree[p] === fs.readFileSync(path.join(dir, p)).toString('base64');
  });
  return same('') && entries === Object.keys(tree).length;
}

const LOCATED = /^.+:[1-9]\d*: \S.*: .+$/;
const FORBIDDEN = /\n\s+at |internal error|RangeError|TypeError|ReferenceError|Maximum call stack|SyntaxError/;

/** Runs one case; returns what is wrong with its outcome ([] when it is one of the allowed ones). */
export async function runCase(bench: FuzzBench, c: FuzzCase): Promise<{ code: number; wrong: string[] }> {
  fs.writeFileSync(bench.spec, c.spec);
  const started = Date.now();
  const run = await runCli(['--config', bench.spec, '--out', bench.out, ...c.flags]);
  const ms = Date.now() - started;
  const wrong: string[] = [];
  if (FORBIDDEN.test(run.stderr)) wrong.push(`a crash: ${run.stderr.slice(0, 600)}`);
  if (ms > 20_000) wrong.push(`took ${ms} ms`);
  if (process.memoryUsage().rss > 3 * 2 ** 30) wrong.push(`memory: rss ${process.memoryUsage().rss} bytes`);
  if (run.code === 0) {
    if (c.flags.includes('--help') || c.flags.includes('-h')) {
      if (!isTree(bench.out, bench.before)) wrong.push('--help changed the output');
      return { code: run.code, wrong };
    }
    const now = treeOf(bench.out);
    for (const [file, content] of Object.entries(now)) {
      if (!file.endsWith('.yaml')) continue;
      wrong.push(...schemaErrorsOf(content, bench.upstreamSchemas).map((e) => `${file}: ${e}`));
    }
    bench.before = now;
  } else if (run.code === 1 || (run.code === 2 && c.badFlags)) {
    if (!isTree(bench.out, bench.before)) wrong.push(`exit ${run.code} but the previous output changed`);
    if (run.code === 1) {
      const lines = run.stderr.split('\n').filter((l) => l !== '');
      const problems = lines.slice(1, -1);
      if (!/^\d+ problem\(s\) in the platform spec:$/.test(lines[0] ?? '') || problems.length === 0) wrong.push(`exit 1 without the problem list: ${run.stderr.slice(0, 300)}`);
      for (const l of problems) if (!LOCATED.test(l)) wrong.push(`not located: ${l.slice(0, 300)}`);
    } else if (!/usage: synth/.test(run.stderr)) {
      wrong.push(`exit 2 without the usage: ${run.stderr.slice(0, 300)}`);
    }
  } else {
    wrong.push(`exit ${run.code}: ${run.stderr.slice(0, 600)}`);
  }
  return { code: run.code, wrong };
}

/** What a campaign runs: FUZZ_SEED (default fixed, so a run is reproducible), FUZZ_CASES (default 150), FUZZ_CASE (one case). */
export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20261126);
export const FUZZ_CASES = Number(process.env.FUZZ_CASES ?? 150);
const FUZZ_ONLY = process.env.FUZZ_CASE === undefined ? undefined : Number(process.env.FUZZ_CASE);

/** The test's name: the seed and the cases it runs. */
export function campaignName(): string {
  return `random mutations of the spec (seed ${FUZZ_SEED}, ${FUZZ_ONLY === undefined ? `${FUZZ_CASES} cases` : `case ${FUZZ_ONLY}`}) end in exit 0 with valid output or located problems with the output intact`;
}

/** A timeout that grows with the cases. */
export const campaignTimeout = FUZZ_CASES * 2_000 + 60_000;

/**
 * Runs the campaign; throws with every broken case (up to 10), each with the command that reruns it
 * alone (`rerun`, given the seed and the case).
 */
export async function runCampaign(upstreamSchemas: boolean, rerun: (seed: number, index: number) => string): Promise<void> {
  const bench = await makeBench(upstreamSchemas);
  const failures: string[] = [];
  const exits: Record<number, number> = {};
  const indexes = FUZZ_ONLY === undefined ? Array.from({ length: FUZZ_CASES }, (_, i) => i) : [FUZZ_ONLY];
  for (const i of indexes) {
    const c = makeCase(FUZZ_SEED, i, bench.base);
    const { code, wrong } = await runCase(bench, c);
    exits[code] = (exits[code] ?? 0) + 1;
    if (wrong.length) failures.push(`case ${i} (reproduce: ${rerun(FUZZ_SEED, i)})\n  mutations: ${c.mutations.join('; ')} ${c.flags.length ? `flags ${JSON.stringify(c.flags)}` : ''}\n  ${wrong.slice(0, 5).join('\n  ')}`);
    if (failures.length >= 10) break;
  }
  if (process.env.FUZZ_VERBOSE) process.stdout.write(`seed ${FUZZ_SEED}: ${indexes.length} cases, exit codes ${JSON.stringify(exits)}\n`);
  // Both answers must occur, or the mutations test nothing.
  if (FUZZ_ONLY === undefined && indexes.length >= 50) expect(Object.keys(exits).sort()).toEqual(expect.arrayContaining(['0', '1']));
  if (failures.length) throw new Error(`seed ${FUZZ_SEED}: ${failures.length} case(s) broke a promise\n${failures.join('\n')}`);
}
