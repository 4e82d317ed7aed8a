/**
 * `npm run test:conformance`: the synthesized objects against the upstream Kubernetes 1.27 and
 * CRD schemas in ../shared/crds (or SHARED_CRDS_DIR), strict. Compiling those schemas takes long,
 * so they are a step of their own; without the schemas this step fails instead of skipping.
 */
const base = require('./jest.config.js');

module.exports = {
  ...base,
  testMatch: ['**/*.conformance.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/test/integration/'],
};
