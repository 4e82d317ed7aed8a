import * as fs from 'fs';
import * as path from 'path';
import { runSynthCli } from '../../src/cli';
import { KUSTOMIZATION_FILE } from '../../src/gitops';
import { platformReport, platformReportWriter, REPORT_FILE } from '../../src/report/platform-report';
import { loadPlatform } from '../../src/spec/load';
import { synthPlatform, writeEnvironments } from '../../src/synth';
import { REFERENCE_FILE, referenceText, synth } from '../helpers';
import { tempDir } from '../support/temp-dirs';

describe('platform report', () => {
  test('the report writer puts REPORT.md beside the manifests, where kubectl apply -f ignores it', () => {
    // GIVEN the report writer passed to synthesis (as the synth CLI passes it)
    const loaded = loadPlatform(referenceText(), REFERENCE_FILE);
    // WHEN the fixture spec is synthesized with it and written
    const envs = synthPlatform(loaded, undefined, { extraWriters: [platformReportWriter] });
    const out = tempDir('report-');
    writeEnvironments(out, envs);
    // THEN each environment has exactly one report, and it is not a manifest file
    for (const env of envs) {
      expect(env.extras.filter((x) => x.name === REPORT_FILE)).toHaveLength(1);
      expect(fs.readFileSync(path.join(out, env.name, REPORT_FILE), 'utf8')).toContain(`# Platform shop: environment ${env.name}`);
    }
    expect(REPORT_FILE).not.toMatch(/\.(ya?ml|json)$/);
  });

  test('a synthesis gets only the writers it is given: one with the report changes no later one', () => {
    // GIVEN a synthesis with the report writer
    const loaded = loadPlatform(referenceText(), REFERENCE_FILE);
    synthPlatform(loaded, ['dev'], { extraWriters: [platformReportWriter] });
    // WHEN the same environment is synthesized without writers, and with a writer of its own
    const [plain] = synthPlatform(loaded, ['dev']);
    const [own] = synthPlatform(loaded, ['dev'], { extraWriters: [(platform) => [{ name: 'NOTES.txt', text: platform.spec.name }]] });
    // THEN the first has the Kustomization only, the second the Kustomization and its own file
    expect(plain.extras.map((x) => x.name)).toEqual([KUSTOMIZATION_FILE]);
    expect(own.extras).toEqual([plain.extras[0], { name: 'NOTES.txt', text: 'dev' }]);
  });

  test('npm run synth writes REPORT.md in every environment directory', async () => {
    // GIVEN the synth CLI
    jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const out = tempDir('report-cli-');
    // WHEN it synthesizes the fixture spec
    try {
      expect(await runSynthCli(['--config', REFERENCE_FILE, '--out', out], {})).toBe(0);
    } finally {
      jest.restoreAllMocks();
    }
    // THEN each environment directory holds the report
    for (const env of ['dev', 'prod', 'staging']) {
      expect(fs.readFileSync(path.join(out, env, REPORT_FILE), 'utf8')).toContain(`# Platform shop: environment ${env}`);
    }
  });

  test('is deterministic', () => {
    // Two separate syntheses (the helper's synth() would return one shared result twice).
    const [a] = synthPlatform(loadPlatform(referenceText(), REFERENCE_FILE), ['prod']);
    const [b] = synthPlatform(loadPlatform(referenceText(), REFERENCE_FILE), ['prod']);
    expect(platformReport(a.platform.spec, a.files)).toBe(platformReport(b.platform.spec, b.files));
  });

  test('counts every object in the inventory', () => {
    // GIVEN the prod environment
    const [env] = synth(undefined, ['prod']);
    const objects = env.files.reduce((n, f) => n + f.objects.length, 0);
    // WHEN reported
    const report = platformReport(env.platform.spec, env.files);
    // THEN the objects table total equals the number of synthesized objects
    const totalRow = report.split('\n').find((l) => l.startsWith('| **Total** |'))!;
    expect(totalRow.trim().split('|').filter(Boolean).pop()!.trim()).toBe(`**${objects}**`);
  });

  test('sums order-service resources over its HPA minReplicas', () => {
    // GIVEN order-service requests 200m and 256Mi per pod with 10 minReplicas in prod
    const [env] = synth(undefined, ['prod']);
    const report = platformReport(env.platform.spec, env.files);
    // THEN its row shows 2 cores and 2.5Gi requested
    expect(report).toMatch(/\| order-service \| 10 \(max 30\) \| HPA minReplicas \| \d+ \| 2 \| 10 \| 2\.5Gi \| 5Gi \|/);
  });
});
