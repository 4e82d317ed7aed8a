/**
 * Every synthesized core object of every environment is valid against the Kubernetes 1.27
 * schemas of kubernetes-models, with unknown fields rejected. The same against the upstream
 * schemas in ../shared, CRD kinds included, is schema.conformance.test.ts.
 */
import * as v8 from 'v8';
import * as vm from 'vm';
import { objectsOf, synth } from './helpers';
import { isCoreKind, validateWithModels } from './support/schema-validator';
import type { Manifest } from '../src/synth';

const environments = synth().map((e) => ({ name: e.name, objects: e.files.flatMap((f) => f.objects) }));

describe.each(environments)('the $name environment', ({ objects }) => {
  test('every core object is valid against the Kubernetes 1.27 schema (kubernetes-models, strict)', () => {
    // GIVEN every core-kind object of the environment
    const core = objects.filter(isCoreKind);
    // WHEN each is validated strictly
    const errors = core.flatMap(validateWithModels);
    // THEN none is rejected
    expect(core.length).toBeGreaterThan(0);
    expect(errors).toEqual([]);
  });
});

describe('the validator itself', () => {
  const deployment = objectsOf('dev').find((o) => o.kind === 'Deployment') as Manifest;

  test('rejects an unknown field in a core object', () => {
    // GIVEN a Deployment whose container has a misspelt field
    const broken = JSON.parse(JSON.stringify(deployment));
    broken.spec.template.spec.containers[0].imagePullPolicyy = 'Always';
    // WHEN it is validated
    const errors = validateWithModels(broken);
    // THEN it is rejected
    expect(errors.join()).toMatch(/additional properties/);
  });

  test('keeps nothing of an object it rejected, so no test file\'s context outlives the file (it serves every test file of a jest worker)', async () => {
    // GIVEN a context of its own, as each test file has, and in it a Service whose port is not a number
    const rejected = (() => {
      const context = vm.createContext({});
      const service = vm.runInContext("({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { ports: [{ port: 'eighty' }] } })", context) as Manifest;
      // WHEN it is validated
      expect(validateWithModels(service).join()).toMatch(/port/);
      return new WeakRef(context);
    })();
    // THEN once garbage is collected the context is gone: the validator holds nothing made in it
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    await new Promise((resolve) => setTimeout(resolve, 0));
    gc();
    expect(rejected.deref()).toBeUndefined();
  });
});
