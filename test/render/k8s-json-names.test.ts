/** The committed rename table matches the installed cdk8s-plus-27. */
import * as fs from 'fs';
import * as path from 'path';
import { cdk8sPlusVersion, extractK8sJsonNames, K8S_SOURCE, renderK8sJsonNamesModule } from '../../src/render/k8s-json-names-gen';

describe('k8s-json-names.ts', () => {
  test('is what the generator writes for the installed cdk8s-plus-27 (run `npm run gen:k8s-names` after an upgrade)', () => {
    const committed = fs.readFileSync(path.join(__dirname, '..', '..', 'src', 'render', 'k8s-json-names.ts'), 'utf8');
    expect(committed).toBe(renderK8sJsonNamesModule(extractK8sJsonNames(fs.readFileSync(K8S_SOURCE, 'utf8')), cdk8sPlusVersion()));
  });

  test('the generator finds renamed fields and map fields in generated mapper lines', () => {
    // GIVEN two generated mapper bodies
    const source = [
      "    'clusterIP': obj.clusterIp,",
      "    'ports': obj.ports?.map(y => toJson_ServicePort(y)),",
      "    'selector': ((obj.selector) === undefined) ? undefined : (Object.entries(obj.selector).reduce((r, i) => (i[1] === undefined) ? r : ({ ...r, [i[0]]: i[1] }), {})),",
      "    '$schema': obj.schema,",
      "    'schema': obj.schema,",
    ].join('\n');
    // WHEN read THEN renames and maps are found, and a name written two ways is left alone
    expect(extractK8sJsonNames(source)).toEqual({ renames: { clusterIp: 'clusterIP' }, mapFields: ['selector'] });
  });
});
