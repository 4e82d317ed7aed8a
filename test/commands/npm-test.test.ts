/**
 * scripts/test.cjs (`npm test`): the environment it gives the type check and jest, and so every
 * process a test starts; the processes it starts get it.
 */
import * as path from 'path';
import { withEnvironmentVariables } from '../support/environment-variables';

interface NpmTest {
  testEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
  /** Runs node with `args` in the project as the type check and jest run; resolves to its exit code and piped output. */
  run(args: string[], stdio: string[]): Promise<{ code: number; output: Buffer }>;
}
const { testEnvironment, run } = require(path.join(__dirname, '..', '..', 'scripts', 'test.cjs')) as NpmTest;

test('the tests run without NODE_EXTRA_CA_CERTS (node 20 parses that bundle at every start), with every other variable as it was', () => {
  // GIVEN a shell that sets an extra CA bundle for every process, among other variables
  const env = { PATH: '/usr/bin', NODE_EXTRA_CA_CERTS: '/etc/ssl/certs/ca-certificates.crt', NODE_OPTIONS: '--enable-source-maps', PLATFORM_V8_TUNING: 'off' };
  // WHEN npm test makes the environment of its processes
  const tests = testEnvironment(env);
  // THEN the bundle is gone, everything else is passed on, and the shell's own is untouched
  expect(tests).toEqual({ PATH: '/usr/bin', NODE_OPTIONS: '--enable-source-maps', PLATFORM_V8_TUNING: 'off' });
  expect(env.NODE_EXTRA_CA_CERTS).toBe('/etc/ssl/certs/ca-certificates.crt');
});

test('the processes npm test starts (the type check, jest) get that environment', () => withEnvironmentVariables({
  // GIVEN a shell that sets an extra CA bundle, and a variable of its own
  NODE_EXTRA_CA_CERTS: '/etc/ssl/certs/ca-certificates.crt',
  PLATFORM_NPM_TEST_PROBE: 'passed on',
}, async () => {
  // WHEN npm test starts a process the way it starts tsc and jest
  const probe = await run(['-e', 'process.stdout.write(`probe ${JSON.stringify([process.env.NODE_EXTRA_CA_CERTS ?? null, process.env.PLATFORM_NPM_TEST_PROBE])}\\n`)'], ['ignore', 'pipe', 'pipe']);
  // THEN that process has no CA bundle to parse, and the shell's other variables (its output is
  // stdout and stderr together: the probe's line is found among any warnings)
  const seen = /^probe (.*)$/m.exec(probe.output.toString())?.[1];
  expect([probe.code, seen && JSON.parse(seen)]).toEqual([0, [null, 'passed on']]);
}));
