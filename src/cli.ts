/** Argument handling and reporting for the synth command. */
import * as fs from 'fs';
import * as path from 'path';
import { rateLimitNotes } from './platform/mesh';
import { platformReportWriter } from './report/platform-report';
import type { ExtraWriter } from './synth';
import { SpecError } from './spec/errors';
import { loadPlatformFile, SpecInputs } from './spec/load';
import { OutputError, StagedOutput } from './staged-output';
import { UsageError, readFlags } from './cli-args';
import { safeLine } from './spec/escape';
import { GITOPS_DIR } from './gitops';
import { gitopsFiles } from './platform/gitops';
import { renderFile, synthPlatform } from './synth';

export interface SynthArgs {
  readonly config: string;
  readonly out: string;
  readonly envs: string[];
  /** Directory every file the spec names must lie in; the spec file's directory when absent. */
  readonly filesRoot?: string;
  /** `--help`: print the usage and do nothing else. */
  readonly help: boolean;
}

const USAGE = 'usage: synth [--env NAME]... [--config FILE] [--out DIR] [--files-root DIR] [--help]';

const HELP = `${USAGE}

Turns the platform spec into Kubernetes YAML, one directory per environment.

  --env NAME         synthesize only this environment (repeat, or NAME,NAME); default: all
  --config FILE      the platform spec; default: config/platform.yaml
  --out DIR          where dist/<env>/ directories go; default: $CDK8S_OUTDIR or dist
  --files-root DIR   files the spec names (database.schema) may lie anywhere under DIR;
                     default: only under the spec file's directory
  --help             print this and exit

Exit codes: 0 the output is what was asked; 1 the spec has problems (each printed as
file:line: path: message; nothing was written); 2 anything else (bad arguments, the output
could not be written; the message says whether the previous output is intact).
`;

/** The files `npm run synth` writes beside each environment's manifests (and `npm run check` builds): REPORT.md. */
export const SYNTH_EXTRA_WRITERS: readonly ExtraWriter[] = [platformReportWriter];

export { UsageError };

/** Parses CLI arguments; throws a UsageError on anything unknown. */
export function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv): SynthArgs {
  const args: { config: string; out: string; envs: string[]; filesRoot?: string; help: boolean } = {
    config: 'config/platform.yaml',
    // `cdk8s synth` tells the app where to write through CDK8S_OUTDIR.
    out: env.CDK8S_OUTDIR ?? 'dist',
    envs: [],
    help: false,
  };
  readFlags(argv, USAGE, (flag, value) => {
    if (flag === '--help' || flag === '-h') args.help = true;
    else if (flag === '--env') args.envs.push(...value().split(','));
    else if (flag === '--config') args.config = value();
    else if (flag === '--out') args.out = value();
    else if (flag === '--files-root') args.filesRoot = value();
    else return false;
    return true;
  });
  return args;
}

/** What a successful synth read, wrote and printed: for a caller that skips the next one when nothing changed. */
export interface SynthRun {
  /** The spec file and the files it names (see LoadedPlatform.readFrom). */
  readonly inputs: SpecInputs;
  /** The output directory, absolute (every environment's, and gitops/, below it). */
  readonly outDir: string;
  /** The directories it put in place below `outDir`, with their inodes (StagedOutput.committed). */
  readonly committed: ReadonlyMap<string, number>;
  /** What the synth printed on stdout about its output as it is now (not its time, nor what it removed). */
  readonly summary: string;
  /** Whether it printed warnings (on stderr). */
  readonly warned: boolean;
}

/**
 * Runs synth; resolves to the exit code. Errors go to stderr, one per line. Each file is
 * written to a staging directory as soon as it is rendered; dist/<env>/ is replaced only when
 * every environment is complete and valid. `onSynthesized` is told about a successful run.
 */
export async function runSynthCli(argv: readonly string[], env: NodeJS.ProcessEnv, onSynthesized?: (run: SynthRun) => void): Promise<number> {
  const started = process.hrtime.bigint();
  let output: StagedOutput | undefined;
  try {
    const args = parseArgs(argv, env);
    if (args.help) {
      process.stdout.write(HELP);
      return 0;
    }
    const loaded = loadPlatformFile(args.config, { filesRoot: args.filesRoot });
    // One form of the output directory for every file operation (the staging directories are
    // joined to it, which resolves `..` by the text): `out/link/..` is one directory, not two.
    const outDir = path.resolve(args.out);
    const staged = output = new StagedOutput(outDir);
    const envs = synthPlatform(loaded, args.envs, { extraWriters: SYNTH_EXTRA_WRITERS, onFile: (name, file, text) => staged.write(name, file, text) });
    for (const e of envs) e.extras.forEach((x) => staged.write(e.name, x.name, x.text));
    // dist/gitops/ names every environment, so a synth of some environments leaves it as it is.
    const gitops = args.envs.length ? [] : gitopsFiles(envs);
    for (const f of gitops) staged.write(GITOPS_DIR, f.name, renderFile(f));
    staged.commit([...envs.map((e) => e.name), ...(gitops.length ? [GITOPS_DIR] : [])]);
    for (const w of staged.warnings) process.stderr.write(`warning: ${safeLine(w)}\n`);
    // A spec without `gitops` no longer deploys through it: objects left from an earlier synth would mislead.
    const staleGitops = !args.envs.length && !gitops.length && fs.existsSync(path.join(outDir, GITOPS_DIR));
    if (staleGitops) fs.rmSync(path.join(outDir, GITOPS_DIR), { recursive: true, force: true });
    const lines: string[] = [];
    for (const e of envs) {
      const objects = e.files.reduce((n, f) => n + f.objects.length, 0);
      lines.push(`${safeLine(args.out)}/${e.name}: ${e.files.length} files, ${objects} objects\n`);
      for (const note of rateLimitNotes(e.platform.spec)) lines.push(`${safeLine(args.out)}/${e.name}: ${note}\n`);
    }
    if (gitops.length) lines.push(`${safeLine(args.out)}/${GITOPS_DIR}: ${gitops.map((f) => f.name).join(', ')}\n`);
    // Right after the output is written, before anything is printed: what it is now is what the synth wrote.
    onSynthesized?.({ inputs: loaded.readFrom!(), outDir, committed: staged.committed, summary: lines.join(''), warned: staged.warnings.length > 0 });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    for (const line of lines) process.stdout.write(line);
    if (staleGitops) process.stdout.write(`${safeLine(args.out)}/${GITOPS_DIR}: removed (the spec has no platform.gitops)\n`);
    process.stdout.write(`synthesized ${envs.length} environment(s) in ${ms.toFixed(0)} ms\n`);
    return 0;
  } catch (e) {
    try {
      output?.abort();
    } catch (cleanup) {
      process.stderr.write(`could not remove the staging directories: ${safeLine((cleanup as Error).message)}\n`);
    }
    for (const w of output?.warnings ?? []) process.stderr.write(`warning: ${safeLine(w)}\n`);
    if (e instanceof SpecError) {
      process.stderr.write(`${e.message}\nnothing was written; the previous output is unchanged\n`);
      return 1;
    }
    if (e instanceof UsageError) {
      process.stderr.write(`${e.message}\n`);
      return 2;
    }
    if (e instanceof OutputError) {
      const state = e.previousIntact ? 'the previous output is unchanged' : 'the output is NOT what was asked: see above';
      process.stderr.write(`${safeLine(e.message)}\n${state}\n`);
      return 2;
    }
    // A fault of this program, not of the input: its message, never a stack trace.
    process.stderr.write(`internal error: ${safeLine(String((e as Error)?.message ?? e))}\nthe previous output is unchanged\n`);
    return 2;
  }
}
