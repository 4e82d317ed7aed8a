/**
 * The public API (src/index.ts): every export has TSDoc, and every exported construct's props
 * type is exported with it, so a TypeScript user can compose the constructs without the spec.
 */
import * as fs from 'fs';
import { INDEX, PublicApi, publicApi } from './public-api';

let api: PublicApi;
beforeAll(() => { api = publicApi(); });

const undocumented = (a: PublicApi) => a.exports.filter((e) => !e.documented).map((e) => `${e.name} (${e.where})`);

test('every export of src/index.ts has a TSDoc comment', () => {
  // GIVEN the exports of src/index.ts WHEN their declarations are read THEN each has a /** */ comment
  expect(api.exports.length).toBeGreaterThan(100);
  expect(undocumented(api)).toEqual([]);
});

test('an undocumented export is reported, with where it is declared', () => {
  // GIVEN src/index.ts with one more export that has no comment WHEN checked THEN exactly that one is reported
  const withExtra = publicApi(`${fs.readFileSync(INDEX, 'utf8')}\nexport const notDocumented = 1;\n`);
  expect(undocumented(withExtra)).toEqual(['notDocumented (src/index.ts:' + (fs.readFileSync(INDEX, 'utf8').split('\n').length + 1) + ')']);
});

test('every exported construct exports its props type too', () => {
  const exported = new Set(api.exports.map((e) => e.name));
  const constructs = api.constructs.filter((c) => exported.has(c.name));
  expect(constructs.map((c) => c.name)).toEqual(expect.arrayContaining(['MicroService', 'PostgresDatabase', 'ServiceTraffic', 'OtelCollector', 'CanaryDelivery']));
  const missing = constructs.filter((c) => c.propsType && !exported.has(c.propsType)).map((c) => `${c.name}: ${c.propsType} (${c.where})`);
  expect(missing).toEqual([]);
});

test('a construct whose base class the check does not read (a generated class of imports/) still has its props type checked', () => {
  // GIVEN src/index.ts exporting one more class, derived from a generated Rollout, whose props type is not exported
  const extra = [
    "import { Construct as Scope } from 'constructs';",
    "import { Rollout } from '../imports/argo-argoproj.io';",
    '/** Hidden props. */',
    'interface HiddenProps { readonly replicas: number }',
    '/** A construct derived from a generated class. */',
    'export class DerivedRollout extends Rollout {',
    '  constructor(scope: Scope, id: string, props: HiddenProps) { super(scope, id, { spec: { replicas: props.replicas } }); }',
    '}',
    '/** Hidden props of the next one. */',
    'interface FurtherProps { readonly replicas: number }',
    '/** A construct derived from that one: its base is read, its base\'s base is not. */',
    'export class FurtherRollout extends DerivedRollout {',
    '  constructor(scope: Scope, id: string, props: FurtherProps) { super(scope, id, props); }',
    '}',
  ].join('\n');
  const withExtra = publicApi(`${fs.readFileSync(INDEX, 'utf8')}\n${extra}\n`);
  // AND one derived from it in turn
  // WHEN constructs are listed THEN both are, with their props types (neither exported)
  const propsOf = (name: string) => withExtra.constructs.find((c) => c.name === name)?.propsType;
  expect([propsOf('DerivedRollout'), propsOf('FurtherRollout')]).toEqual(['HiddenProps', 'FurtherProps']);
  expect(withExtra.exports.map((e) => e.name)).not.toContain('HiddenProps');
});
