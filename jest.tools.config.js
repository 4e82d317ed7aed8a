/**
 * `npm run test:tools`: the tests that compare the output with what an installed tool reads
 * (*.tools.test.ts; kubectl kustomize and kubectl -f). CI runs it after
 * scripts/validate/install-tools.sh; without the tool this step fails instead of skipping.
 */
const base = require('./jest.config.js');

module.exports = {
  ...base,
  testMatch: ['**/*.tools.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/test/integration/'],
};
