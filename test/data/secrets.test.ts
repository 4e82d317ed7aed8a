/** No secret value in any manifest: credentials only as secretKeyRef, URLs only with $(VAR) references. */
import { renderFile } from '../../src/synth';
import { synth } from '../helpers';
import { reference } from './support';

const CREDENTIAL = /PASS|PASSWORD|COOKIE|_USER$|^POSTGRES_USER$/;

describe.each(['dev', 'staging', 'prod'])('the %s environment', (env) => {
  const objects = reference(env);

  test('contains no Secret object: Secrets exist beforehand and are referenced by name and key', () => {
    // GIVEN every object of the environment WHEN Secrets are looked for THEN there are none
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
  });

  test('every credential variable of every container is a secretKeyRef', () => {
    // GIVEN every container env variable whose name says it is a credential
    const credentials = objects.flatMap((o) => {
      const containers = ((o as { spec?: { template?: { spec?: { containers?: Array<{ env?: Array<{ name: string; value?: string; valueFrom?: { secretKeyRef?: unknown } }> }> } } } })
        .spec?.template?.spec?.containers ?? []);
      return containers.flatMap((c) => c.env ?? []).filter((v) => CREDENTIAL.test(v.name)).map((v) => ({ object: `${o.kind}/${o.metadata.name}`, ...v }));
    });
    // THEN none has a literal value
    expect(credentials.length).toBeGreaterThan(0);
    expect(credentials.filter((v) => v.value !== undefined || !v.valueFrom?.secretKeyRef)).toEqual([]);
  });

  test('every connection URL carries credentials only as $(VAR) references', () => {
    // GIVEN the rendered YAML WHEN connection URLs are found THEN each holds $(VAR) references where credentials go
    const text = synth(undefined, [env])[0].files.map(renderFile).join('\n');
    const urls = text.match(/(postgresql|redis|amqp):\/\/[^\s"]+/g) ?? [];
    expect(urls.length).toBeGreaterThan(0);
    for (const url of urls) expect(url).toMatch(/^[a-z]+:\/\/(default|\$\([A-Z_]+\)):\$\([A-Z_]+\)@/);
  });
});
