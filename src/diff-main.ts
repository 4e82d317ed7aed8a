#!/usr/bin/env node
/** The plan CLI: `npm run diff -- --env NAME [--config FILE] [--out DIR]`. Nothing else lives here. */
import { runDiffCli } from './diff/cli';

process.exitCode = runDiffCli(process.argv.slice(2));
