/**
 * `npm run diff -- --env NAME [--config FILE] [--out DIR]`: synthesizes the environment in
 * memory and plans it against DIR/NAME/. Writes nothing. Exit codes follow
 * `terraform plan -detailed-exitcode`: 0 no changes, 2 changes, 1 errors.
 */
import * as path from 'path';
import { parseArgs } from '../cli';
import { formatProblem, SpecError } from '../spec/errors';
import { loadPlatformFile } from '../spec/load';
import { synthPlatform } from '../synth';
import { locatedManifests } from './identity';
import { planChanges, renderPlan } from './plan';
import { readOutputDir } from './read-output';
import { CliOutput, processOutput } from '../cli-output';

const USAGE = 'usage: diff --env NAME [--config FILE] [--out DIR] [--files-root DIR]';

/** Exit codes of the plan. */
export const DIFF_EXIT = { noChanges: 0, errors: 1, changes: 2 } as const;

/** Output streams, replaceable in tests. */
export type DiffOutput = CliOutput;

/** Runs the plan; returns the exit code. */
export function runDiffCli(argv: readonly string[], out: DiffOutput = processOutput): number {
  let envName: string;
  let config: string;
  let dir: string;
  let filesRoot: string | undefined;
  try {
    const args = parseArgs(argv, {});
    if (args.envs.length !== 1) throw new Error(`name exactly one environment with --env`);
    [envName] = args.envs;
    config = args.config;
    filesRoot = args.filesRoot;
    dir = path.join(args.out, envName);
  } catch (e) {
    out.error(`${(e as Error).message.split('\n')[0]}\n${USAGE}\n`);
    return DIFF_EXIT.errors;
  }
  try {
    const [env] = synthPlatform(loadPlatformFile(config, { filesRoot }), [envName]);
    const existing = readOutputDir(dir, { expected: env.files });
    if (existing.problems.length) {
      existing.problems.forEach((p) => out.error(`${path.join(dir, p.file)}:${p.line}: ${p.message}\n`));
      return DIFF_EXIT.errors;
    }
    const plan = planChanges(existing.objects, locatedManifests(env));
    out.write(`Comparing ${config} (environment ${envName}) with ${dir}/\n`);
    if (!existing.exists) out.write(`${dir}/ does not exist: every object is new.\n`);
    out.write(`\n${renderPlan(plan)}`);
    return plan.changes.length ? DIFF_EXIT.changes : DIFF_EXIT.noChanges;
  } catch (e) {
    // Spec problems print one per line as file:line: path: message; anything else as its message.
    if (e instanceof SpecError) e.problems.forEach((p) => out.error(`${formatProblem(p)}\n`));
    else out.error(`${(e as Error).message}\n`);
    return DIFF_EXIT.errors;
  }
}
