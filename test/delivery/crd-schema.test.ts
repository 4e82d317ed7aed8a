/**
 * Validates every synthesized Rollout and AnalysisTemplate against the upstream Argo Rollouts
 * CRD schemas, with unknown fields rejected. The CRDs live outside the repository
 * (../shared/crds); without them the suite is skipped, so `npm test` passes anywhere.
 */
import * as fs from 'fs';
import * as path from 'path';
import Ajv, { ValidateFunction } from 'ajv';
import { parseAllDocuments } from 'yaml';
import { synth } from '../helpers';

const CRD_DIR = path.join(__dirname, '../../../shared/crds');
const KINDS = ['Rollout', 'AnalysisTemplate'] as const;
const exists = fs.existsSync(CRD_DIR);
if (!exists) console.log(`crd-schema: ${CRD_DIR} is absent; Rollout and AnalysisTemplate schema validation skipped`);

type Schema = Record<string, unknown>;

/** additionalProperties: false on every object schema that lists properties and allows nothing else. */
function strict(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(strict);
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Schema = {};
  for (const [k, v] of Object.entries(schema)) out[k] = strict(v);
  if (out.properties && out.additionalProperties === undefined && out['x-kubernetes-preserve-unknown-fields'] !== true) {
    out.additionalProperties = false;
  }
  return out;
}

/** The openAPIV3Schema of each wanted kind, from every CRD file in the directory. */
function loadSchemas(): Map<string, Schema> {
  const found = new Map<string, Schema>();
  for (const file of fs.readdirSync(CRD_DIR).filter((f) => /\.ya?ml$/.test(f))) {
    for (const doc of parseAllDocuments(fs.readFileSync(path.join(CRD_DIR, file), 'utf8'))) {
      const crd = doc.toJS() as { kind?: string; spec?: { group: string; names: { kind: string }; versions: Array<{ name: string; schema?: { openAPIV3Schema: Schema } }> } } | null;
      if (crd?.kind !== 'CustomResourceDefinition' || crd.spec?.group !== 'argoproj.io') continue;
      const kind = crd.spec.names.kind;
      const version = crd.spec.versions.find((v) => v.name === 'v1alpha1');
      if ((KINDS as readonly string[]).includes(kind) && version?.schema) found.set(kind, version.schema.openAPIV3Schema);
    }
  }
  return found;
}

(exists ? describe : describe.skip)('Argo Rollouts CRD schemas (strict)', () => {
  const validators = new Map<string, ValidateFunction>();
  let objects: Array<{ env: string; object: { kind: string; metadata: { name: string } } }>;

  beforeAll(() => {
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    for (const [kind, schema] of loadSchemas()) validators.set(kind, ajv.compile(strict(schema) as Schema));
    objects = synth().flatMap((env) => env.files.flatMap((f) => f.objects)
      .filter((o) => (KINDS as readonly string[]).includes(o.kind))
      .map((object) => ({ env: env.name, object })));
  });

  test('both schemas are found', () => {
    // GIVEN the shared CRD directory WHEN it is read THEN Rollout and AnalysisTemplate are there
    expect([...validators.keys()].sort()).toEqual(['AnalysisTemplate', 'Rollout']);
  });

  test('every environment has Rollouts and an AnalysisTemplate to check', () => {
    // GIVEN the reference spec WHEN every environment is synthesized
    // THEN each has two Rollouts and one AnalysisTemplate (so the next test is not vacuous)
    for (const env of ['dev', 'staging', 'prod']) {
      expect(objects.filter((o) => o.env === env).map((o) => `${o.object.kind}/${o.object.metadata.name}`).sort())
        .toEqual(['AnalysisTemplate/success-rate', 'Rollout/order-service', 'Rollout/user-service']);
    }
  });

  test('the strict schema rejects an unknown field', () => {
    // GIVEN the prod canary Rollout with a misspelt strategy field
    const rollout = objects.find((o) => o.env === 'prod' && o.object.metadata.name === 'order-service')?.object as unknown as { spec: { strategy: { canary: object } } };
    const bad = { ...rollout, spec: { ...rollout.spec, strategy: { canary: { ...rollout.spec.strategy.canary, scaleDownDelaySecond: 30 } } } };
    // WHEN it is validated THEN it fails on that field
    expect(validators.get('Rollout')?.(bad)).toBe(false);
    expect(validators.get('Rollout')?.errors?.[0]?.params).toEqual({ additionalProperty: 'scaleDownDelaySecond' });
  });

  test('every synthesized Rollout and AnalysisTemplate is valid, with no unknown field', () => {
    // GIVEN the strict schemas WHEN every object of every environment is validated
    const failures = objects.flatMap(({ env, object }) => {
      const id = `${env} ${object.kind}/${object.metadata.name}`;
      const validate = validators.get(object.kind);
      if (!validate) return [`${id}: no schema`];
      return validate(object) ? [] : (validate.errors ?? []).map((e) => `${id}: ${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
    });
    // THEN nothing fails
    expect(failures).toEqual([]);
  });
});
