#!/usr/bin/env node
/**
 * The CLI: `npm run synth [-- --env NAME --config FILE --out DIR]`. Nothing else lives here.
 */
import * as path from 'path';
import { loadCli } from './cli-bundle';

const LIB = path.join(__dirname, '..');
const { runSynthCli } = loadCli(LIB, path.join(LIB, '..', 'node_modules', '.cache', 'platform-constructs'));

void runSynthCli(process.argv.slice(2), process.env).then((code) => { process.exitCode = code; });
