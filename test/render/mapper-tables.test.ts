/** The committed mapper tables match the generated code they stand in for. */
import * as fs from 'fs';
import { currentMapperTablesModule, MAPPER_TABLES_FILE, readMappers, reachableMappers } from '../../tools/mapper-tables-gen';

describe('mapper-tables.ts', () => {
  test('is what the generator writes for the installed cdk8s-plus-27 and imports/ (run `npm run gen:mapper-tables` after an upgrade)', () => {
    expect(fs.readFileSync(MAPPER_TABLES_FILE, 'utf8')).toBe(currentMapperTablesModule());
  });

  test('the generator reads field order, JSON names and conversions from generated mapper code', () => {
    // GIVEN two generated mappers in cdk8s's shape
    const source = [
      'export function toJson_KubeServiceProps(obj: KubeServiceProps | undefined): Record<string, any> | undefined {',
      '  const result = {',
      "    'metadata': obj.metadata,",
      "    'spec': toJson_ServiceSpec(obj.spec),",
      '  };',
      '}',
      'export function toJson_ServiceSpec(obj: ServiceSpec | undefined): Record<string, any> | undefined {',
      '  const result = {',
      "    'clusterIP': obj.clusterIp,",
      "    'ports': obj.ports?.map(y => toJson_ServicePort(y)),",
      "    'selector': ((obj.selector) === undefined) ? undefined : (withoutUndefined(obj.selector)),",
      "    'targetPort': obj.targetPort?.value,",
      '  };',
      '}',
    ].join('\n');
    // WHEN read THEN each field has its JSON name, TypeScript name, conversion and struct type
    expect(readMappers(source, 'x').get('x:ServiceSpec')).toEqual([
      ['clusterIP', 'clusterIp', 'value'],
      ['ports', 'ports', 'structList', 'x:ServicePort'],
      ['selector', 'selector', 'map'],
      ['targetPort', 'targetPort', 'union'],
    ]);
    // AND a type that is referenced but not generated is an error, not a silent gap
    expect(() => reachableMappers(readMappers(source, 'x'), ['x:KubeServiceProps'])).toThrow(/no generated mapper toJson_x:ServicePort/);
  });

  test('a mapper of another shape fails loudly instead of taking its neighbour\'s fields', () => {
    const source = "function toJson_A(obj: A) {\n  return obj;\n}\nfunction toJson_B(obj: B) {\n  const result = {\n    'b': obj.b,\n  };\n}";
    expect(() => readMappers(source, 'x')).toThrow(/2 toJson_ functions, 1 of the expected shape/);
  });

  test('an expression the generator does not know fails loudly', () => {
    const source = "function toJson_A(obj: A) {\n  const result = {\n    'a': obj.a ?? 1,\n  };\n}";
    expect(() => readMappers(source, 'x')).toThrow(/unknown field expression: obj\.a \?\? 1/);
  });
});
