import { fieldChanges } from '../../src/diff/field-changes';

describe('field changes', () => {
  test('a changed scalar shows its path with old and new value', () => {
    // GIVEN two versions differing in one nested field
    const changes = fieldChanges({ spec: { replicas: 2 } }, { spec: { replicas: 3 } });
    // THEN one change names the path and both values
    expect(changes).toEqual([{ action: '~', path: 'spec.replicas', before: 2, after: 3 }]);
  });

  test('added and removed keys are "+" and "-"', () => {
    const changes = fieldChanges({ a: 1, b: 2 }, { a: 1, c: 3 });
    expect(changes).toEqual([
      { action: '-', path: 'b', before: 2 },
      { action: '+', path: 'c', after: 3 },
    ]);
  });

  test('keys that are not identifiers are quoted', () => {
    // GIVEN a label key with dots and a slash
    const changes = fieldChanges(
      { metadata: { labels: { 'app.kubernetes.io/version': '1' } } },
      { metadata: { labels: { 'app.kubernetes.io/version': '2' } } },
    );
    // THEN the path quotes it
    expect(changes.map((c) => c.path)).toEqual(['metadata.labels["app.kubernetes.io/version"]']);
  });

  test('lists of named items are compared by name, so an insertion is one addition', () => {
    // GIVEN an env variable inserted before others
    const before = { env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] };
    const after = { env: [{ name: 'NEW', value: '0' }, { name: 'A', value: '1' }, { name: 'B', value: '3' }] };
    // WHEN compared
    const changes = fieldChanges(before, after);
    // THEN only B changed and NEW was added; A is untouched
    expect(changes).toEqual([
      { action: '~', path: 'env[name=B].value', before: '2', after: '3' },
      { action: '+', path: 'env[name=NEW]', after: { name: 'NEW', value: '0' } },
    ]);
  });

  test('reordering named items is reported as a change of order', () => {
    const changes = fieldChanges({ ports: [{ name: 'a' }, { name: 'b' }] }, { ports: [{ name: 'b' }, { name: 'a' }] });
    expect(changes).toEqual([{ action: '~', path: 'ports (order of names)', before: ['a', 'b'], after: ['b', 'a'] }]);
  });

  test('lists of unnamed objects are compared by index', () => {
    // GIVEN policy rules without names, one rule added
    const changes = fieldChanges({ rules: [{ from: ['x'] }] }, { rules: [{ from: ['x', 'y'] }, { from: ['z'] }] });
    // THEN the first rule's list changed whole and a second rule was added
    expect(changes).toEqual([
      { action: '~', path: 'rules[0].from', before: ['x'], after: ['x', 'y'] },
      { action: '+', path: 'rules[1]', after: { from: ['z'] } },
    ]);
  });

  test('equal objects with keys in another order have no changes', () => {
    expect(fieldChanges({ a: 1, b: { c: 2, d: 3 } }, { b: { d: 3, c: 2 }, a: 1 })).toEqual([]);
  });
});
