/**
 * The TypeScript compiler for the tests that read the sources with it (test/api/public-api.ts,
 * test/structure/import-graph.ts), through workerModule: loading its 9 MB takes about 0.2 s of CPU
 * in each test file's context, once per jest worker here.
 */
'use strict';
module.exports = require('typescript');
