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

  test('lists of unnamed objects without unchanged items are compared by position', () => {
    // GIVEN policy rules without names, one rule added
    const changes = fieldChanges({ rules: [{ from: ['x'] }] }, { rules: [{ from: ['x', 'y'] }, { from: ['z'] }] });
    // THEN the first rule gained an item and a second rule was added
    expect(changes).toEqual([
      { action: '+', path: 'rules[0].from[1]', after: 'y' },
      { action: '+', path: 'rules[1]', after: { from: ['z'] } },
    ]);
  });

  test('an item inserted before unchanged unnamed items is one addition', () => {
    // GIVEN a policy rule inserted in front of an existing one
    const gateway = { from: ['gateway'], to: ['/api/orders'] };
    const caller = { from: ['payment-service'] };
    // WHEN compared
    const changes = fieldChanges({ rules: [gateway] }, { rules: [caller, gateway] });
    // THEN only the new rule shows, at its new index
    expect(changes).toEqual([{ action: '+', path: 'rules[0]', after: caller }]);
  });

  test('an unnamed item removed between others is one removal at its old index', () => {
    const changes = fieldChanges({ l: [{ a: 1 }, { b: 2 }, { c: 3 }] }, { l: [{ a: 1 }, { c: 3 }] });
    expect(changes).toEqual([{ action: '-', path: 'l[1]', before: { b: 2 } }]);
  });

  test('a multi-line text lists the lines removed and added', () => {
    // GIVEN a config file in a ConfigMap that gains a block and changes a line
    const before = { data: { 'config.yaml': 'a: 1\nb: 2\nc: 3\n' } };
    const after = { data: { 'config.yaml': 'a: 1\nb: 20\nc: 3\nd: 4\n' } };
    // WHEN compared
    const [change] = fieldChanges(before, after);
    // THEN the change carries the changed lines only
    expect(change.path).toBe('data["config.yaml"]');
    expect(change.lines).toEqual([
      { action: '-', text: 'b: 2' },
      { action: '+', text: 'b: 20' },
      { action: '+', text: 'd: 4' },
    ]);
  });

  test('a changed item of a scalar list shows at its index', () => {
    expect(fieldChanges({ args: ['--a', '--b', '--c'] }, { args: ['--a', '--x', '--c'] })).toEqual([
      { action: '~', path: 'args[1]', before: '--b', after: '--x' },
    ]);
  });

  test('equal objects with keys in another order have no changes', () => {
    expect(fieldChanges({ a: 1, b: { c: 2, d: 3 } }, { b: { d: 3, c: 2 }, a: 1 })).toEqual([]);
  });
});
