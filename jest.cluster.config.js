/** `npm run test:cluster`: scenarios on a simulated cluster; scripts/cluster/run.sh starts it and runs this. */
const base = require('./jest.config.js');

module.exports = {
  ...base,
  roots: ['<rootDir>/test/cluster'],
  testPathIgnorePatterns: ['/node_modules/'],
  // Rollouts take tens of seconds per step; each test waits with its own, reporting, deadlines.
  testTimeout: 300_000,
  verbose: true,
};
