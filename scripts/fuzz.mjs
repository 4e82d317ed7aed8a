// `npm run fuzz -- --cases 10000 [--seed N] [--case I] [--upstream]`: the property test of
// test/hostile/fuzz.test.ts with more cases (npm test runs 150 with a fixed seed); `--upstream`
// validates written objects against ../shared's upstream schemas too (fuzz.conformance.test.ts).
// Prints the seed and the exit codes seen; a failure prints, for each broken case, the line that
// reproduces it alone.
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const env = { ...process.env, FUZZ_VERBOSE: '1' };
let upstream = false;
for (let i = 0; i < args.length; i++) {
  const [flag, inline] = args[i].split(/=(.*)/s, 2);
  const value = () => inline ?? args[++i];
  if (flag === '--cases') env.FUZZ_CASES = value();
  else if (flag === '--seed') env.FUZZ_SEED = value();
  else if (flag === '--case') env.FUZZ_CASE = value();
  else if (flag === '--upstream' && inline === undefined) upstream = true;
  else {
    process.stderr.write(`unknown argument "${args[i]}"\nusage: npm run fuzz -- [--cases N] [--seed N] [--case I] [--upstream]\n`);
    process.exit(2);
  }
}
env.FUZZ_SEED ??= String(Math.floor(Math.random() * 2 ** 31));
process.stdout.write(`fuzz seed ${env.FUZZ_SEED}\n`);
const tests = upstream ? ['-c', 'jest.conformance.config.js', 'test/hostile/fuzz.conformance.test.ts'] : ['test/hostile/fuzz.test.ts'];
const jest = spawnSync(process.execPath, ['node_modules/jest/bin/jest.js', ...tests, '--testTimeout', String(24 * 3600 * 1000)], { env, stdio: 'inherit' });
process.exit(jest.status ?? 1);
