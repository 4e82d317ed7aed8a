/**
 * `npm test` (beside the type check, scripts/test.cjs): the unit tests, through swc (no type check here).
 * The conformance tests (*.conformance.test.ts, upstream schemas from ../shared) are
 * `npm run test:conformance` (jest.conformance.config.js); the comparisons with an installed tool
 * (*.tools.test.ts, kubectl) are `npm run test:tools` (jest.tools.config.js); the integration tests
 * against real servers are `npm run test:integration`.
 */
module.exports = {
  // jest's node environment, compiling each module once per worker instead of once per test file.
  testEnvironment: '<rootDir>/test/support/node-environment.cjs',
  // jest's runtime, with each module's transformed code and resolutions kept for the worker's later
  // test files, and the library's packages loaded from one bundle of them (made by the global setup).
  runtime: '<rootDir>/test/support/runtime.cjs',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/test/integration/', '/test/cluster/', '\\.conformance\\.test\\.ts$', '\\.tools\\.test\\.ts$'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  // Jest's default is one worker fewer than the cores: on two cores, one. Use them all.
  maxWorkers: '100%',
  // Several tests synthesize every environment more than once (a CLI run, a write, a re-run): about
  // 1-2 s on an idle machine, but jest's default limit of 5 s per test failed them on a loaded one.
  testTimeout: 30_000,
  // Each run gets its own TMPDIR and fails if a test leaves anything in it; the setup also brings the
  // runtime's bundle of the packages up to date.
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/temp-guard-teardown.ts',
  setupFilesAfterEnv: ['<rootDir>/test/support/temp-dirs-cleanup.ts'],
};
