/**
 * Conformance (`npm run test:conformance`): every synthesized Rollout and AnalysisTemplate
 * against the upstream Argo Rollouts CRD schemas, with unknown fields rejected (the shared strict
 * validator of test/support). The CRDs live outside the repository (../shared/crds); without
 * them the conformance step fails.
 */
import type { Manifest } from '../../src/synth';
import { synth } from '../helpers';
import { validateWithShared } from '../support/schema-validator';

const KINDS = ['Rollout', 'AnalysisTemplate'];

describe('Argo Rollouts CRD schemas (strict)', () => {
  const objects = synth().flatMap((env) => env.files.flatMap((f) => f.objects)
    .filter((o) => KINDS.includes(o.kind))
    .map((object) => ({ env: env.name, object })));

  test('every environment has Rollouts and an AnalysisTemplate to check', () => {
    // GIVEN the reference spec WHEN every environment is synthesized
    // THEN each has two Rollouts and one AnalysisTemplate (so the next tests are not vacuous)
    for (const env of ['dev', 'staging', 'prod']) {
      expect(objects.filter((o) => o.env === env).map((o) => `${o.object.kind}/${o.object.metadata.name}`).sort())
        .toEqual(['AnalysisTemplate/success-rate', 'Rollout/order-service', 'Rollout/user-service']);
    }
  });

  test('the strict schema rejects an unknown field', () => {
    // GIVEN the prod canary Rollout with a misspelt strategy field
    const rollout = objects.find((o) => o.env === 'prod' && o.object.metadata.name === 'order-service')!.object as unknown as { spec: { strategy: { canary: object } } };
    const bad = { ...rollout, spec: { ...rollout.spec, strategy: { canary: { ...rollout.spec.strategy.canary, scaleDownDelaySecond: 30 } } } } as unknown as Manifest;
    // WHEN it is validated THEN it fails on that field
    expect(validateWithShared(bad).join()).toMatch(/additional properties "scaleDownDelaySecond"/);
  });

  test('every synthesized Rollout and AnalysisTemplate is valid, with no unknown field', () => {
    // GIVEN the strict schemas WHEN every object of every environment is validated THEN nothing fails
    expect(objects.flatMap(({ env, object }) => validateWithShared(object).map((e) => `${env} ${e}`))).toEqual([]);
  });
});
