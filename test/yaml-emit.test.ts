/** The YAML emitter: whatever it writes, a YAML parser reads back as the same data. */
import { parse, parseAllDocuments } from 'yaml';
import { renderFile } from '../src/synth';
import { emitYaml } from '../src/yaml-emit';
import { synth } from './helpers';

const tricky: Record<string, unknown> = {
  reserved: ['true', 'no', 'on', 'null', '~', 'yes', 'Y', '<<'],
  numbers: ['1', '0.5', '1e3', '0x1F', '0o17', '012', '1_000', '12:30', '+1', '-1', '.5'],
  punctuation: ['a: b', 'a #b', '#x', '- x', '* x', '&a', '!t', '%p', '@at', '`b`', '"q"', "'s'", '{x}', '[x]', 'a,b', '>', '|', '?', ' lead', 'trail ', ''],
  multiline: ['a\nb', 'a\nb\n', 'a\nb\n\n', '  indented\nx', 'tab\t\nx', 'x\r\ny', 'line\n\n  nested\n'],
  unicode: ['héllo', 'emoji 😀', 'ctrl\u0001'],
  values: [0, -1, 1.5, true, false, null, [], {}, [[1, 2], [{ a: 1 }]], { 'key: colon': 1, '1': 'one', 'true': 'yes' }],
  quantities: ['100m', '128Mi', '0.5', '1'],
  urls: ['http://otel-collector.ns.svc.cluster.local:4317', 'postgresql://$(DB_USER):$(DB_PASSWORD)@db:5432/x'],
};

test('tricky scalars and nesting round-trip through a YAML parser', () => {
  // GIVEN values that trip naive emitters WHEN emitted and parsed back THEN nothing changed
  expect(parse(emitYaml(tricky))).toEqual(tricky);
});

test('every file of every environment parses back to exactly the objects', () => {
  for (const env of synth()) {
    for (const f of env.files) {
      const docs = parseAllDocuments(renderFile(f)).map((d) => d.toJS());
      expect(docs).toEqual(JSON.parse(JSON.stringify(f.objects)));
    }
  }
});
