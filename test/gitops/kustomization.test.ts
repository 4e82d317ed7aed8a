/**
 * The Kustomization written beside each environment's manifests, and buildKustomization, the model
 * of kustomize build the simulations use. What kubectl itself reads from the directory is
 * kustomization.tools.test.ts (`npm run test:tools`, after the tools are installed).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse } from 'yaml';
import { buildKustomization, KUSTOMIZATION_FILE } from '../../src/gitops';
import { platformReportWriter } from '../../src/report/platform-report';
import { loadPlatform } from '../../src/spec/load';
import { synthPlatform, SynthesizedEnvironment, writeEnvironments } from '../../src/synth';
import { REFERENCE_FILE, referenceText, synth } from '../helpers';

/** Every environment of the fixture spec as `npm run synth` builds it: with REPORT.md. */
function withReport(): SynthesizedEnvironment[] {
  return synthPlatform(loadPlatform(referenceText(), REFERENCE_FILE), undefined, { extraWriters: [platformReportWriter] });
}

describe('the Kustomization of each environment', () => {
  test('lists exactly the manifest files, in apply order, and transforms nothing', () => {
    // GIVEN the fixture spec, with the report writer (so a non-manifest file sits beside the manifests)
    // WHEN every environment is synthesized
    for (const env of withReport()) {
      // THEN each has one Kustomization naming its manifest files in file order, and nothing else
      const found = env.extras.filter((x) => x.name === KUSTOMIZATION_FILE);
      expect(found).toHaveLength(1);
      const k = parse(found[0].text) as Record<string, unknown>;
      expect(k).toEqual({
        apiVersion: 'kustomize.config.k8s.io/v1beta1',
        kind: 'Kustomization',
        resources: env.files.map((f) => f.name),
        sortOptions: { order: 'fifo' },
      });
      expect(env.files.map((f) => f.name)).toEqual([...env.files.map((f) => f.name)].sort());
      expect(k.resources).not.toContain('REPORT.md');
    }
  });

  test('has a name kubectl apply -f DIR does not read, and one kustomize, Argo CD and Flux do', () => {
    // kubectl apply -f DIR reads *.json, *.yaml and *.yml; kustomize (and so Argo CD and Flux)
    // recognizes kustomization.yaml, kustomization.yml and Kustomization.
    expect(KUSTOMIZATION_FILE).not.toMatch(/\.(ya?ml|json)$/);
    expect(['kustomization.yaml', 'kustomization.yml', 'Kustomization']).toContain(KUSTOMIZATION_FILE);
  });

  test('buildKustomization (kustomize build without kustomize) gives the written objects, and refuses what it does not model', () => {
    const [env] = synth(undefined, ['dev']);
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'kustomize-model-'));
    try {
      writeEnvironments(out, [env]);
      const dir = path.join(out, 'dev');
      expect(buildKustomization(dir)).toEqual(env.files.flatMap((f) => f.objects));
      fs.appendFileSync(path.join(dir, KUSTOMIZATION_FILE), 'namespace: elsewhere\n');
      expect(() => buildKustomization(dir)).toThrow(/namespace not modelled/);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});

