import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse, parseAllDocuments } from 'yaml';
import { buildKustomization, KUSTOMIZATION_FILE } from '../../src/gitops';
import { apiGroup } from '../../src/manifest';
import { platformReportWriter } from '../../src/report/platform-report';
import { loadPlatform } from '../../src/spec/load';
import { Manifest, synthPlatform, SynthesizedEnvironment, writeEnvironments } from '../../src/synth';
import { REFERENCE_FILE, referenceText, synth } from '../helpers';
import { findKubectl } from '../support/kubectl';

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

  const kubectl = findKubectl();
  const withKubectl = kubectl ? test : test.skip;
  if (!kubectl) {
    // eslint-disable-next-line no-console
    console.warn('kubectl not found ($KUBECTL_BIN, ~/.cache/platform-validate or PATH): the kubectl kustomize / apply -f comparisons are skipped; run scripts/validate/install-tools.sh');
  }

  withKubectl('kubectl kustomize dist/<env> gives exactly the synthesized objects, and kubectl -f dist/<env>/ reads exactly them too', () => {
    // GIVEN every environment written as `npm run synth` writes it (with REPORT.md)
    const envs = withReport();
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'kustomize-'));
    try {
      writeEnvironments(out, envs);
      for (const env of envs) {
        const dir = path.join(out, env.name);
        const expected = env.files.flatMap((f) => f.objects);
        // WHEN kubectl builds the directory as a kustomization
        const built = execFileSync(kubectl!.bin, ['kustomize', dir], { encoding: 'utf8', maxBuffer: 64 << 20 });
        // THEN it yields the synthesized objects, same content, same order
        const objects = parseAllDocuments(built).map((d) => d.toJS() as Manifest);
        expect(objects).toEqual(expected);
        // AND the built-in model of kustomize build (for simulations) agrees with kubectl
        expect(buildKustomization(dir)).toEqual(objects);

        // WHEN kubectl reads the directory with -f, as `kubectl apply -f dist/<env>/` does
        // (label --local goes through the same file reader and needs no cluster)
        const names = execFileSync(kubectl!.bin, ['label', '--local', '-f', `${dir}/`, 'gitops-check=1', '-o', 'name'], {
          encoding: 'utf8', maxBuffer: 64 << 20, env: { ...process.env, KUBECONFIG: '/dev/null' },
        }).trim().split('\n');
        // THEN it reads the objects and neither the Kustomization nor the report
        expect(names).toEqual(expected.map(nameOf));
      }
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});

/** What `kubectl ... -o name` prints for an object: kind.group/name. */
function nameOf(o: Manifest): string {
  const group = apiGroup(o.apiVersion);
  return `${o.kind.toLowerCase()}${group ? `.${group}` : ''}/${o.metadata.name}`;
}
