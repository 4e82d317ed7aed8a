#!/usr/bin/env node
/** The check CLI: `npm run check [-- --config FILE] [--env NAME]...`. Nothing else lives here. */
import { runCheckCli } from './check-cli';

process.exitCode = runCheckCli(process.argv.slice(2), process.env);
