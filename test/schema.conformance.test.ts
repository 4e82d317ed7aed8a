/**
 * Conformance (`npm run test:conformance`): every synthesized object of every environment is
 * valid against the upstream Kubernetes 1.27 and CRD schemas in ../shared/crds, with unknown
 * fields rejected. Compiling those schemas takes long, so this is a step of its own.
 */
import { objectsOf, synth } from './helpers';
import { validateWithShared } from './support/schema-validator';
import type { Manifest } from '../src/synth';

const environments = synth().map((e) => ({ name: e.name, objects: e.files.flatMap((f) => f.objects) }));

describe.each(environments)('the $name environment', ({ objects }) => {
  test('every object is valid against the upstream Kubernetes 1.27 and CRD schemas in ../shared (strict)', () => {
    // GIVEN every object, CRD kinds included
    // WHEN each is validated against the upstream schema of its kind
    const errors = objects.flatMap(validateWithShared);
    // THEN none is rejected
    expect(objects.length).toBeGreaterThan(0);
    expect(errors).toEqual([]);
  });
});

describe('the validator itself', () => {
  test('rejects an unknown field against the upstream schema', () => {
    // GIVEN a dev Deployment with a misspelt field
    const broken = JSON.parse(JSON.stringify(objectsOf('dev').find((o) => o.kind === 'Deployment'))) as Manifest & { spec: Record<string, unknown> };
    broken.spec.strategyy = {};
    // WHEN it is validated THEN it is rejected, naming the field
    expect(validateWithShared(broken).join()).toMatch(/additional properties "strategyy"/);
  });
});
