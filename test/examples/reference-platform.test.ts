/**
 * The reference platform declared in TypeScript (examples/reference-platform) against the same
 * platform in YAML: the test fixture test/fixtures/platform/platform.yaml, the reference as the
 * suite keeps it. So a user's edits to config/platform.yaml never break this test; a change to the
 * fixture needs the same change in examples/reference-platform/platform.ts.
 */
import * as path from 'path';
import { runSynthCli } from '../../src/cli';
import { captured, filesUnder, firstDifference } from '../support/captured';
import { tempDir } from '../support/temp-dirs';
import { CONFIG_DIR, REFERENCE_FILE } from '../helpers';

const TYPESCRIPT_EXAMPLE = path.join(__dirname, '..', '..', 'examples', 'reference-platform', 'main.ts');

describe('the reference platform declared in TypeScript (examples/reference-platform)', () => {
  test('main.ts writes byte for byte what `npm run synth` writes for the same platform in YAML (the fixture; after changing it, change platform.ts beside main.ts too)', async () => {
    // GIVEN `npm run synth`'s output (its CLI, in process) for the YAML declaration
    const yamlOut = path.join(tempDir('reference-yaml-'), 'dist');
    const synth = await captured(() => runSynthCli(['--config', REFERENCE_FILE, '--out', yamlOut], {}));
    expect(synth.code).toBe(0);
    const expected = filesUnder(yamlOut);
    // WHEN the TypeScript example runs (in process, as `main.ts OUT_DIR SQL_DIR`), with the fixture's sql/ for its SQL files
    const out = path.join(tempDir('reference-ts-'), 'dist');
    const run = await captured(() => {
      const [argv, exitCode] = [process.argv, process.exitCode];
      process.argv = [process.execPath, TYPESCRIPT_EXAMPLE, out, CONFIG_DIR];
      try {
        // An entry point: it runs when loaded (once per test file, so this test has it alone).
        require(TYPESCRIPT_EXAMPLE);
        return Number(process.exitCode ?? 0);
      } finally {
        process.argv = argv;
        process.exitCode = exitCode;
      }
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    // THEN it wrote the same files: every environment's manifests, Kustomization and REPORT.md (and gitops/, when the spec sets it)
    const written = filesUnder(out);
    expect(written.map(([f]) => f)).toEqual(expected.map(([f]) => f));
    expect(expected.map(([f]) => f)).toEqual(expect.arrayContaining(['dev/REPORT.md', 'staging/Kustomization', 'prod/30-order-service.yaml']));
    // AND each with the same bytes (else: which files differ, and their first line that does)
    const differences = written.flatMap(([file, bytes], i) => (bytes.equals(expected[i][1]) ? [] : [{ file, firstDifference: firstDifference(bytes, expected[i][1]) }]));
    expect(differences).toEqual([]);
  });
});
