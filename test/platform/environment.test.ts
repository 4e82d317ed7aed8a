/**
 * PlatformEnvironment is a construct like any other: (scope, id, props), its charts are its own
 * children, and it can sit anywhere under a cdk8s App beside other environments and charts.
 */
import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { parseAllDocuments } from 'yaml';
import { PlatformEnvironment } from '../../src/platform/environment';
import { loadPlatform } from '../../src/spec/load';
import { renderEnvironment } from '../../src/synth';
import { REFERENCE_FILE, referenceText } from '../helpers';
import { testApp } from '../support/test-chart';

const key = (o: { kind: string; metadata: { name: string; namespace?: string } }) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;

describe('two environments and a plain chart in one App', () => {
  // GIVEN the fixture spec's environments composed under a construct of the user's tree, and a chart of the user's own
  const loaded = loadPlatform(referenceText(), REFERENCE_FILE);
  const [dev, prod] = ['dev', 'prod'].map((n) => loaded.environments.find((e) => e.name === n)!);
  const app = testApp();
  const platforms = new Construct(app, 'platforms');
  const devEnv = new PlatformEnvironment(platforms, 'dev', { spec: dev });
  const prodEnv = new PlatformEnvironment(platforms, 'prod', { spec: prod });
  const own = new Chart(app, 'own');
  new k8s.KubeConfigMap(own, 'cm', { metadata: { name: 'own-settings', namespace: 'tools' }, data: { a: '1' } });

  test('each environment\'s charts are its own children', () => {
    for (const env of [devEnv, prodEnv]) {
      expect(env.charts.length).toBeGreaterThan(3);
      for (const chart of env.charts) expect(chart.node.scope).toBe(env);
    }
    expect(prodEnv.services.get('order-service')!.chart.node.path).toBe('platforms/prod/service-order-service');
  });

  test('cdk8s synthesizes the nested charts: the App\'s YAML has every object the platform renders, and the user chart', () => {
    // WHEN cdk8s renders the whole App (its own synth path, in memory) and the platform renders each environment
    const cdk8sObjects = parseAllDocuments(app.synthYaml()).map((d) => d.toJSON()).filter(Boolean).map(key).sort();
    const rendered = [devEnv, prodEnv].flatMap((env) => renderEnvironment(env, loaded).files.flatMap((f) => f.objects.map(key)));
    // THEN both see the same objects, plus the user's ConfigMap
    expect(cdk8sObjects).toEqual([...rendered, 'ConfigMap/tools/own-settings'].sort());
    expect(app.charts.filter((c) => c.node.scope === prodEnv)).toHaveLength(prodEnv.charts.length);
  });
});

test('a PlatformEnvironment outside a cdk8s App is refused with the reason', () => {
  // GIVEN a bare construct tree (no App) WHEN an environment is composed in it THEN the constructor says why
  const spec = loadPlatform(referenceText(), REFERENCE_FILE).environments[0];
  expect(() => new PlatformEnvironment(new Construct(undefined as unknown as Construct, ''), 'x', { spec })).toThrow(/its root must be a cdk8s App/);
});
