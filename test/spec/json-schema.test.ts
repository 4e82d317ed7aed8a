import Ajv from 'ajv';
import { parse } from 'yaml';
import { renderJsonSchema } from '../../src/spec/json-schema';
import { editReference, referenceText } from '../helpers';

// The schema as generated; that config/platform.schema.json is current is test/reference.test.ts.
const validate = new Ajv({ allErrors: true, strict: true }).compile(JSON.parse(renderJsonSchema()));

describe('the editor JSON Schema', () => {
  test('the fixture spec validates against it', () => {
    // GIVEN the fixture spec as an editor sees it (plain YAML data)
    // WHEN validated against the schema
    const ok = validate(parse(referenceText()));
    // THEN it passes
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  test('fields with defaults may be left out', () => {
    // GIVEN a service with only the required fields
    const text = editReference(['services:\n', 'services:\n  tiny-service: { image: "ghcr.io/x/tiny:1.0.0", port: 3999 }\n']);
    // THEN the schema accepts it
    expect(validate(parse(text))).toBe(true);
  });

  test('an unknown key is rejected where it stands', () => {
    // GIVEN a misspelt key in a service
    const text = editReference(['    port: 3002\n', '    port: 3002\n    prot: 3002\n']);
    // WHEN validated
    expect(validate(parse(text))).toBe(false);
    // THEN the error names the service and the key
    expect(validate.errors).toContainEqual(expect.objectContaining({
      instancePath: '/services/order-service',
      keyword: 'additionalProperties',
      params: { additionalProperty: 'prot' },
    }));
  });

  test('an unknown key in an environment overlay is rejected', () => {
    // GIVEN a misspelt key in the prod overlay of a service
    const text = editReference(['order-service: { replicas: 10,', 'order-service: { replikas: 10,']);
    // THEN the overlay schema rejects it
    expect(validate(parse(text))).toBe(false);
    expect(validate.errors).toContainEqual(expect.objectContaining({
      instancePath: '/environments/prod/services/order-service',
      params: { additionalProperty: 'replikas' },
    }));
  });

  test('a value of the wrong type is rejected', () => {
    // GIVEN a port written as text
    const text = editReference(['    port: 3002\n', '    port: "3002"\n']);
    // THEN the schema rejects it at that path
    expect(validate(parse(text))).toBe(false);
    expect(validate.errors).toContainEqual(expect.objectContaining({ instancePath: '/services/order-service/port', keyword: 'type' }));
  });
});
