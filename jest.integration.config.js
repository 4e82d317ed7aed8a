/** `npm run test:integration`: the generated configuration against real servers (see scripts/integration/). */
const base = require('./jest.config.js');

module.exports = {
  ...base,
  roots: ['<rootDir>/test/integration'],
  testPathIgnorePatterns: ['/node_modules/'],
  // Servers take seconds to start; each suite starts its own.
  testTimeout: 60_000,
};
