#!/usr/bin/env node
/**
 * The CLI: `npm run synth [-- --env NAME --config FILE --out DIR]`. Nothing else lives here.
 */
import { runSynthCli } from './cli';

void runSynthCli(process.argv.slice(2), process.env).then((code) => { process.exitCode = code; });
