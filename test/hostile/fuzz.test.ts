/**
 * The property test of issue 14: random mutations of the fixture spec end in exit 0 with valid
 * objects, or in located problems with the previous output intact; never a crash. FUZZ_CASES
 * (default 150) and FUZZ_SEED (default: fixed, so npm test is reproducible) pick the cases;
 * FUZZ_CASE=i runs one. `npm run fuzz -- --cases 10000 [--seed N]` runs a longer campaign.
 */
import { FuzzBench, makeBench, makeCase, runCase } from './fuzz-engine';

const SEED = Number(process.env.FUZZ_SEED ?? 20261126);
const CASES = Number(process.env.FUZZ_CASES ?? 150);
const ONLY = process.env.FUZZ_CASE === undefined ? undefined : Number(process.env.FUZZ_CASE);

test(`random mutations of the spec (seed ${SEED}, ${ONLY === undefined ? `${CASES} cases` : `case ${ONLY}`}) end in exit 0 with valid output or located problems with the output intact`, async () => {
  const bench: FuzzBench = await makeBench();
  const failures: string[] = [];
  const exits: Record<number, number> = {};
  const indexes = ONLY === undefined ? Array.from({ length: CASES }, (_, i) => i) : [ONLY];
  for (const i of indexes) {
    const c = makeCase(SEED, i, bench.base);
    const { code, wrong } = await runCase(bench, c);
    exits[code] = (exits[code] ?? 0) + 1;
    if (wrong.length) failures.push(`case ${i} (reproduce: FUZZ_SEED=${SEED} FUZZ_CASE=${i} npx jest test/hostile/fuzz.test.ts)\n  mutations: ${c.mutations.join('; ')} ${c.flags.length ? `flags ${JSON.stringify(c.flags)}` : ''}\n  ${wrong.slice(0, 5).join('\n  ')}`);
    if (failures.length >= 10) break;
  }
  if (process.env.FUZZ_VERBOSE) process.stdout.write(`seed ${SEED}: ${indexes.length} cases, exit codes ${JSON.stringify(exits)}\n`);
  // Both answers must occur, or the mutations test nothing.
  if (ONLY === undefined && indexes.length >= 50) expect(Object.keys(exits).sort()).toEqual(expect.arrayContaining(['0', '1']));
  if (failures.length) throw new Error(`seed ${SEED}: ${failures.length} case(s) broke a promise\n${failures.join('\n')}`);
}, Number(process.env.FUZZ_CASES ?? 150) * 2_000 + 60_000);
