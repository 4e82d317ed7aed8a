#!/usr/bin/env node
/**
 * The CLI: `npm run synth [-- --env NAME --config FILE --out DIR]`. Nothing else lives here.
 */
import * as fs from 'fs';
import * as path from 'path';
import { requireWithCodeCache } from './code-cache';
import type * as Cli from './cli';

// `npm run build` also bundles the CLI into one file (scripts/bundle.mjs). Loaded with a code
// cache, it starts in a third of the time that resolving, reading and compiling its 365 modules
// takes. Without the bundle (only tsc has run), the same code runs from lib/src.
const BUNDLE = path.join(__dirname, '..', 'bundle', 'cli.js');
const CACHE_DIR = path.join(__dirname, '..', '..', 'node_modules', '.cache', 'platform-constructs');
const { runSynthCli } = (fs.existsSync(BUNDLE) ? requireWithCodeCache(BUNDLE, { dir: CACHE_DIR }) : require('./cli')) as typeof Cli;

void runSynthCli(process.argv.slice(2), process.env).then((code) => { process.exitCode = code; });
