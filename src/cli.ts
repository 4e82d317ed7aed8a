/** Argument handling and reporting for the synth command. */
import { rateLimitNotes } from './mesh';
import { registerPlatformReport } from './report/platform-report';
import { SpecError } from './spec/errors';
import { loadPlatformFile } from './spec/load';
import { StagedOutput } from './staged-output';
import { synthPlatform } from './synth';

export interface SynthArgs {
  readonly config: string;
  readonly out: string;
  readonly envs: string[];
}

const USAGE = 'usage: synth [--env NAME]... [--config FILE] [--out DIR]';

/** Parses CLI arguments; throws with the usage on anything unknown. */
export function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv): SynthArgs {
  const args: { config: string; out: string; envs: string[] } = {
    config: 'config/platform.yaml',
    // `cdk8s synth` tells the app where to write through CDK8S_OUTDIR.
    out: env.CDK8S_OUTDIR ?? 'dist',
    envs: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new Error(`${flag} needs a value\n${USAGE}`);
      return v;
    };
    if (flag === '--env') args.envs.push(...value().split(','));
    else if (flag === '--config') args.config = value();
    else if (flag === '--out') args.out = value();
    else throw new Error(`unknown argument "${argv[i]}"\n${USAGE}`);
  }
  return args;
}

/**
 * Runs synth; resolves to the exit code. Errors go to stderr, one per line. Each file is
 * written to a staging directory as soon as it is rendered; dist/<env>/ is replaced only when
 * every environment is complete and valid.
 */
export async function runSynthCli(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  registerPlatformReport();
  const started = process.hrtime.bigint();
  let output: StagedOutput | undefined;
  try {
    const args = parseArgs(argv, env);
    const loaded = loadPlatformFile(args.config);
    const staged = output = new StagedOutput(args.out);
    const envs = synthPlatform(loaded, args.envs, (name, file, text) => staged.write(name, file, text));
    for (const e of envs) e.extras.forEach((x) => staged.write(e.name, x.name, x.text));
    await staged.commit(envs.map((e) => e.name));
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    for (const e of envs) {
      const objects = e.files.reduce((n, f) => n + f.objects.length, 0);
      process.stdout.write(`${args.out}/${e.name}: ${e.files.length} files, ${objects} objects\n`);
      for (const note of rateLimitNotes(e.platform.spec)) process.stdout.write(`${args.out}/${e.name}: ${note}\n`);
    }
    process.stdout.write(`synthesized ${envs.length} environment(s) in ${ms.toFixed(0)} ms\n`);
    return 0;
  } catch (e) {
    try {
      await output?.abort();
    } catch (cleanup) {
      process.stderr.write(`could not remove the staging directories: ${(cleanup as Error).message}\n`);
    }
    if (e instanceof SpecError) {
      process.stderr.write(`${e.message}\nnothing was written; the previous output is unchanged\n`);
      return 1;
    }
    process.stderr.write(`${(e as Error).message}\n`);
    return 2;
  }
}
