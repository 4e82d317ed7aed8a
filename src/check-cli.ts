/**
 * `npm run check [-- --config FILE] [--env NAME]...`: validates a platform spec without writing
 * anything. Loads it, runs every spec check, synthesizes every environment in memory (construct
 * validations, duplicate objects, reports), and prints one summary line. Exit codes follow
 * synth: 0 valid, 1 problems in the spec (each printed as file:line: path: message),
 * 2 a usage error or a failure that is not the spec's.
 */
import { readFlags } from './cli-args';
import { SYNTH_EXTRA_WRITERS } from './cli';
import { formatProblem, SpecError } from './spec/errors';
import { loadPlatformFile } from './spec/load';
import { synthPlatform } from './synth';
import { CliOutput, processOutput } from './cli-output';

/** Exit codes of the check, the same as synth's: 2 is a usage error or a failure that is not the spec's. */
export const CHECK_EXIT = { valid: 0, problems: 1, other: 2 } as const;

const USAGE = 'usage: check [--config FILE] [--env NAME]... [--files-root DIR]';
const DEFAULT_CONFIG = 'config/platform.yaml';

/** Output streams, replaceable in tests. */
export type CheckOutput = CliOutput;

/** What to check. */
export interface CheckArgs {
  /** The spec file. */
  readonly config: string;
  /** Environments to check; empty for all. */
  readonly envs: readonly string[];
  /** Where files the spec names may lie, as synth's --files-root; the spec's directory when absent. */
  readonly filesRoot?: string;
}

/** Parses the arguments; throws with the usage on anything unknown. */
export function parseCheckArgs(argv: readonly string[]): CheckArgs {
  let config = DEFAULT_CONFIG;
  let filesRoot: string | undefined;
  const envs: string[] = [];
  readFlags(argv, USAGE, (flag, value) => {
    if (flag === '--config') config = value();
    else if (flag === '--env') envs.push(...value().split(','));
    else if (flag === '--files-root') filesRoot = value();
    else return false;
    return true;
  });
  return { config, envs, filesRoot };
}

/**
 * Runs the check; returns the exit code. `env` is the process environment, taken like synth's
 * for the launcher's sake; nothing in it changes what is checked today.
 */
export function runCheckCli(argv: readonly string[], env: NodeJS.ProcessEnv = process.env, out: CheckOutput = processOutput): number {
  void env;
  let args: CheckArgs;
  try {
    args = parseCheckArgs(argv);
  } catch (e) {
    out.error(`${(e as Error).message}\n`);
    return CHECK_EXIT.other;
  }
  const started = process.hrtime.bigint();
  try {
    // The same writers as synth, so a report that cannot be built fails here too.
    const envs = synthPlatform(loadPlatformFile(args.config, { filesRoot: args.filesRoot }), args.envs, { extraWriters: SYNTH_EXTRA_WRITERS });
    const objects = envs.reduce((n, e) => n + e.files.reduce((m, f) => m + f.objects.length, 0), 0);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    out.write(`${args.config}: valid: ${envs.length} environment(s) (${envs.map((e) => e.name).join(', ')}), ${objects} objects, checked in ${ms.toFixed(0)} ms; nothing written\n`);
    return CHECK_EXIT.valid;
  } catch (e) {
    if (e instanceof SpecError) {
      out.error(e.problems.map((p) => `${formatProblem(p)}\n`).join(''));
      out.error(`${args.config}: ${e.problems.length} problem(s); nothing written\n`);
      return CHECK_EXIT.problems;
    }
    out.error(`${(e as Error).message}\n`);
    return CHECK_EXIT.other;
  }
}
