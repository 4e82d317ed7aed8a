/**
 * `npm run check [-- --config FILE] [--env NAME]...` (run through tools/launch.cjs): loads the
 * spec, runs every check and synthesizes in memory; writes nothing. An entry point: it acts when
 * loaded, so it lives outside src/.
 */
import { runCheckCli } from '../src/check-cli';

process.exitCode = runCheckCli(process.argv.slice(2), process.env);
