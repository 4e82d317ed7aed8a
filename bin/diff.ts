/** `npm run diff -- --env NAME [--config FILE] [--out DIR]` (run through tools/launch.cjs). An entry point: it acts when loaded. */
import { runDiffCli } from '../src/diff/cli';

process.exitCode = runDiffCli(process.argv.slice(2));
