/** `npm run test:integration`: the generated configuration against real servers (see scripts/integration/). */
const base = require('./jest.config.js');

module.exports = {
  ...base,
  roots: ['<rootDir>/test/integration'],
  testPathIgnorePatterns: ['/node_modules/'],
  // Servers run as their own users, who cannot enter a run directory only root may (mkdtemp: 0700),
  // so these suites keep the system TMPDIR and remove their directories themselves.
  globalSetup: undefined,
  globalTeardown: undefined,
  // Servers take seconds to start; each suite starts its own.
  testTimeout: 60_000,
};
