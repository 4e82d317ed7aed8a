/**
 * `npm run synth [-- --env NAME --config FILE --out DIR]` and `npx cdk8s synth` (run through
 * tools/launch.cjs). An entry point: it acts when loaded, so it lives outside src/.
 *
 * cdk8s-cli deletes its output directory before it runs the app, so cdk8s.yaml points `output`
 * at a scratch directory and names it with `--cdk8s-scratch DIR`. When cdk8s-cli runs this with
 * that directory, the manifests go to dist/ as with `npm run synth` (replaced only when every
 * environment is complete and valid), and the scratch directory gets links to them for
 * cdk8s-cli's listing and validation plugins. Any other CDK8S_OUTDIR (`npx cdk8s synth -o DIR`)
 * is the output directory itself.
 *
 * Run through the launcher, a successful synth (not cdk8s-cli's) asks it to record what the result
 * depends on: the next `npm run synth` with nothing changed prints the same lines and skips the
 * synth (tools/result-cache.cjs; PLATFORM_RESULT_CACHE=off synthesizes anyway).
 */
import * as fs from 'fs';
import * as path from 'path';
import { runSynthCli, SynthRun } from '../src/cli';
import type { FileIdentity } from '../src/spec/files';

/** What tools/launch.cjs offers an entry to record a run (tools/result-cache.cjs); absent when run otherwise. */
type RecordResult = (request: {
  inputs: readonly string[];
  inputsAsRead: ReadonlyArray<FileIdentity | undefined>;
  inputDirs: readonly string[];
  outputs: readonly string[];
  outputsMade: Readonly<Record<string, number>>;
  listed: readonly string[];
  replay: string;
}) => void;

/**
 * Asks the launcher to record a synth run: the spec and its files as inputs (as they were read),
 * the directories it put in place as outputs (with their inodes), and the output directory's
 * entries by name (a leftover or a removed gitops/ is a change; a .git below it is not looked at).
 */
function recordRun(run: SynthRun): void {
  const record = (globalThis as Record<symbol, RecordResult | undefined>)[Symbol.for('platform-constructs.launch.result')];
  if (!record || run.warned) return; // warnings are printed again by a real run only
  record({
    inputs: run.inputs.files,
    inputsAsRead: run.inputs.asRead,
    inputDirs: [run.inputs.filesRoot],
    outputs: [...run.committed.keys()],
    outputsMade: Object.fromEntries(run.committed),
    listed: [run.outDir],
    replay: `${run.summary}up to date: the spec, the files it names, the code and the output are as the last synth left them (PLATFORM_RESULT_CACHE=off synthesizes anyway)\n`,
  });
}

/** Links every file of `from` into `to` (created), keeping the tree; hidden entries (staging) are skipped. */
function linkTree(from: string, to: string): void {
  fs.mkdirSync(to, { recursive: true });
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isDirectory()) linkTree(source, target);
    else fs.symlinkSync(path.relative(to, source), target);
  }
}

async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const i = argv.indexOf('--cdk8s-scratch');
  if (i < 0) return runSynthCli(argv, env, recordRun);
  const scratch = argv[i + 1];
  const args = [...argv.slice(0, i), ...argv.slice(i + 2)];
  if (!scratch || !env.CDK8S_OUTDIR || path.resolve(env.CDK8S_OUTDIR) !== path.resolve(scratch)) {
    return runSynthCli(args, env); // not run by cdk8s-cli with its scratch directory
  }
  const { CDK8S_OUTDIR: _, ...rest } = env;
  const code = await runSynthCli(args, rest);
  if (code === 0) {
    const out = runOut(args);
    fs.rmSync(scratch, { recursive: true, force: true });
    linkTree(out, scratch);
  }
  return code;
}

/** The output directory of a synth run with `args` and no CDK8S_OUTDIR. */
function runOut(args: readonly string[]): string {
  let out = 'dist';
  args.forEach((a, k) => {
    if (a === '--out') out = args[k + 1] ?? out;
    else if (a.startsWith('--out=')) out = a.slice(6);
  });
  return out;
}

void main(process.argv.slice(2), process.env).then((code) => { process.exitCode = code; });
