import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { platformReport, registerPlatformReport, REPORT_FILE } from '../../src/report/platform-report';
import { loadPlatform } from '../../src/spec/load';
import { synthPlatform, writeEnvironments } from '../../src/synth';
import { REFERENCE_FILE, referenceText, synth } from '../helpers';

describe('platform report', () => {
  test('every synth writes REPORT.md beside the manifests, where kubectl apply -f ignores it', () => {
    // GIVEN the report is registered (the synth CLI does this)
    registerPlatformReport();
    registerPlatformReport();
    // WHEN the reference spec is synthesized and written
    const envs = synth();
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'report-'));
    try {
      writeEnvironments(out, envs);
      // THEN each environment has exactly one report, and it is not a manifest file
      for (const env of envs) {
        expect(env.extras.filter((x) => x.name === REPORT_FILE)).toHaveLength(1);
        expect(fs.readFileSync(path.join(out, env.name, REPORT_FILE), 'utf8')).toContain(`# Platform shop: environment ${env.name}`);
      }
      expect(REPORT_FILE).not.toMatch(/\.(ya?ml|json)$/);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
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
