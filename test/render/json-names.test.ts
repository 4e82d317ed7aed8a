/** The committed name tables match the generated code they stand in for. */
import * as fs from 'fs';
import { currentJsonNamesModule, extractJsonNames, JSON_NAMES_FILE } from '../../src/render/json-names-gen';

describe('json-names.ts', () => {
  test('is what the generator writes for the installed cdk8s-plus-27 and imports/ (run `npm run gen:json-names` after an upgrade)', () => {
    expect(fs.readFileSync(JSON_NAMES_FILE, 'utf8')).toBe(currentJsonNamesModule());
  });

  test('the generator finds renamed fields, map fields and fields written out of order', () => {
    // GIVEN generated mapper bodies in cdk8s's shape
    const source = [
      'export function toJson_ServiceSpec(obj: ServiceSpec | undefined): Record<string, any> | undefined {',
      '  const result = {',
      "    'clusterIP': obj.clusterIp,",
      "    'ports': obj.ports?.map(y => toJson_ServicePort(y)),",
      "    'selector': ((obj.selector) === undefined) ? undefined : (withoutUndefined(obj.selector)),",
      '  };',
      '}',
      'export function toJson_Http(obj: Http | undefined): Record<string, any> | undefined {',
      '  const result = {',
      "    '$schema': obj.schema,",
      "    'mirror': obj.mirror,",
      "    'mirror_percent': obj.mirrorPercent,",
      "    'mirrorPercentage': obj.mirrorPercentage,",
      "    'schema': obj.schema,",
      '  };',
      '}',
      // "selector" is a map above but a struct with a renamed field here: only the mapper renders it exactly
      'export function toJson_Other(obj: Other | undefined): Record<string, any> | undefined {',
      '  const result = {',
      "    'selector': toJson_ServiceSpec(obj.selector),",
      '  };',
      '}',
    ].join('\n');
    // WHEN read THEN renames and maps are found, a name written two ways is left alone, and
    // out-of-order fields and map names that hide renames are listed
    expect(extractJsonNames([source])).toEqual({
      renames: { clusterIp: 'clusterIP', mirrorPercent: 'mirror_percent' },
      mapFields: ['selector'],
      mapperOnlyFields: ['mirrorPercent', 'mirrorPercentage', 'selector'],
    });
  });
});
