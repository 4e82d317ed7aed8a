/**
 * scripts/test.cjs (`npm test`): the environment it gives the type check and jest, and so every
 * process a test starts.
 */
import * as path from 'path';

const { testEnvironment } = require(path.join(__dirname, '..', '..', 'scripts', 'test.cjs')) as { testEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv };

test('the tests run without NODE_EXTRA_CA_CERTS (node 20 parses that bundle at every start), with every other variable as it was', () => {
  // GIVEN a shell that sets an extra CA bundle for every process, among other variables
  const env = { PATH: '/usr/bin', NODE_EXTRA_CA_CERTS: '/etc/ssl/certs/ca-certificates.crt', NODE_OPTIONS: '--enable-source-maps', PLATFORM_V8_TUNING: 'off' };
  // WHEN npm test makes the environment of its processes
  const tests = testEnvironment(env);
  // THEN the bundle is gone, everything else is passed on, and the shell's own is untouched
  expect(tests).toEqual({ PATH: '/usr/bin', NODE_OPTIONS: '--enable-source-maps', PLATFORM_V8_TUNING: 'off' });
  expect(env.NODE_EXTRA_CA_CERTS).toBe('/etc/ssl/certs/ca-certificates.crt');
});
