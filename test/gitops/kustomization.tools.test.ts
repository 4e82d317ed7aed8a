/**
 * `npm run test:tools` (jest.tools.config.js, a CI step after scripts/validate/install-tools.sh):
 * each environment directory read by kubectl itself, as Argo CD, Flux (`kubectl kustomize`) and
 * `kubectl apply -f dist/<env>/` read it. It needs the pinned kubectl (KUBECTL_BIN overrides it) and
 * fails without one instead of skipping. TOOLS_DIST_DIR names an output of `npm run synth` to check
 * too (CI: dist/, the reference spec as the CLI wrote it). kustomization.test.ts (npm test) checks the
 * same directory against the built-in model of kustomize build, which needs no tool.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { readOutputDir } from '../../src/diff/read-output';
import { buildKustomization } from '../../src/gitops';
import { apiGroup } from '../../src/manifest';
import { platformReportWriter } from '../../src/report/platform-report';
import { loadPlatform } from '../../src/spec/load';
import { Manifest, synthPlatform, writeEnvironments } from '../../src/synth';
import { REFERENCE_FILE, referenceText } from '../helpers';
import { findKubectl, PINNED_KUBECTL_VERSION } from '../support/kubectl';
import { tempDir } from '../support/temp-dirs';

const kubectl = findKubectl();

beforeAll(() => {
  const chosen = process.env.KUBECTL_BIN;
  if (!kubectl || (chosen && kubectl.bin !== chosen)) {
    throw new Error(chosen
      ? `KUBECTL_BIN=${chosen} is not a working kubectl`
      : 'kubectl not found (~/.cache/platform-validate or PATH): run scripts/validate/install-tools.sh apiserver, or set KUBECTL_BIN');
  }
  if (!chosen && kubectl.version !== PINNED_KUBECTL_VERSION) {
    throw new Error(`${kubectl.bin} is kubectl ${kubectl.version}, not the pinned ${PINNED_KUBECTL_VERSION} (scripts/validate/versions.env): run scripts/validate/install-tools.sh apiserver, or choose one with KUBECTL_BIN`);
  }
});

/** The objects of an environment directory's manifest files, read as `kubectl apply -f DIR/` reads them (readOutputDir, the plan's reader). */
function writtenObjects(dir: string): Manifest[] {
  const read = readOutputDir(dir);
  expect(read.problems).toEqual([]);
  return read.objects.map((o) => o.object);
}

/** kubectl kustomize DIR and kubectl -f DIR/ both read exactly `expected`, in order; the built-in model of kustomize agrees. */
function expectKubectlReads(dir: string, expected: Manifest[]): void {
  // WHEN kubectl builds the directory as a kustomization
  const built = execFileSync(kubectl!.bin, ['kustomize', dir], { encoding: 'utf8', maxBuffer: 64 << 20 });
  // THEN it yields those objects, same content, same order
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

/** An output directory `npm run synth` wrote, to check as well (CI: dist/, from config/platform.yaml). */
const DIST_DIR = process.env.TOOLS_DIST_DIR;

describe('kubectl reads each dist/<env>/', () => {
  test('kubectl kustomize dist/<env> gives exactly the synthesized objects, and kubectl -f dist/<env>/ reads exactly them too', () => {
    // GIVEN every environment of the fixture spec written as `npm run synth` writes it (with REPORT.md)
    const envs = synthPlatform(loadPlatform(referenceText(), REFERENCE_FILE), undefined, { extraWriters: [platformReportWriter] });
    const out = tempDir('kustomize-');
    writeEnvironments(out, envs);
    for (const env of envs) {
      const dir = path.join(out, env.name);
      const expected = env.files.flatMap((f) => f.objects);
      // (the written manifest files, in name order, hold those objects)
      expect(writtenObjects(dir)).toEqual(expected);
      expectKubectlReads(dir, expected);
    }
  });

  (DIST_DIR ? test : test.skip)(`the output of npm run synth in TOOLS_DIST_DIR (${DIST_DIR ?? 'unset'}): kubectl kustomize and kubectl -f read exactly its manifest files' objects`, () => {
    // GIVEN each environment directory the CLI wrote
    const envDirs = fs.readdirSync(DIST_DIR!, { withFileTypes: true }).filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => path.join(DIST_DIR!, e.name));
    expect(envDirs.length).toBeGreaterThan(0);
    for (const dir of envDirs) {
      const written = writtenObjects(dir);
      expect(written.length).toBeGreaterThan(0);
      expectKubectlReads(dir, written);
    }
  });
});

/** What `kubectl ... -o name` prints for an object: kind.group/name. */
function nameOf(o: Manifest): string {
  const group = apiGroup(o.apiVersion);
  return `${o.kind.toLowerCase()}${group ? `.${group}` : ''}/${o.metadata.name}`;
}
