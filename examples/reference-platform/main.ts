/**
 * Writes the reference platform declared in TypeScript (./platform.ts) to an output directory,
 * as `npm run synth` writes config/platform.yaml: dist/<env>/ with the manifests, the
 * Kustomization and REPORT.md, and dist/gitops/ when the platform sets `gitops`.
 *
 *   node tools/launch.cjs examples/reference-platform/main.ts OUT_DIR [SQL_DIR]
 *
 * SQL_DIR is where the `database.schema` files are (default: config, relative to the current
 * directory). An entry point: it acts when loaded. Exit codes as synth's: 0 written, 1 spec
 * problems (nothing written), 2 bad arguments or the output could not be written.
 */
import { SpecError, writeEnvironments } from '../../src';
import { synthReferencePlatform } from './platform';

function main(args: readonly string[]): number {
  const [outDir, sqlDir = 'config', ...rest] = args;
  if (!outDir || rest.length > 0) {
    process.stderr.write('usage: main.ts OUT_DIR [SQL_DIR]\n');
    return 2;
  }
  try {
    const environments = synthReferencePlatform(sqlDir);
    writeEnvironments(outDir, environments);
    for (const env of environments) {
      process.stdout.write(`${outDir}/${env.name}: ${env.files.length} files, ${env.files.reduce((n, f) => n + f.objects.length, 0)} objects\n`);
    }
    return 0;
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    return e instanceof SpecError ? 1 : 2;
  }
}

process.exitCode = main(process.argv.slice(2));
