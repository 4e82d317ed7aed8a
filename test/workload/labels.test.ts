/**
 * Every object of every environment carries the platform, manager and environment labels, so
 * pruning and inventory by label (`kubectl apply --prune -l <selector>`) see all of them, the
 * objects in the gateway's namespace and those of custom constructs included.
 */
import { k8s } from 'cdk8s-plus-27';
import { composeEnvironment, renderEnvironment } from '../../src/synth';
import { loadPlatform } from '../../src/spec/load';
import { Manifest } from '../../src/synth';
import { ENVIRONMENT_LABEL } from '../../src/workload/labels';
import { REFERENCE_FILE, referenceText, synth } from '../helpers';

const labelsOf = (o: Manifest) => (o.metadata.labels ?? {}) as Record<string, string>;
/** The selector that picks exactly one environment's objects. */
const selectorOf = (env: string) => ({ 'app.kubernetes.io/part-of': 'shop', [ENVIRONMENT_LABEL]: env });
const selects = (selector: Record<string, string>, o: Manifest) => Object.entries(selector).every(([k, v]) => labelsOf(o)[k] === v);

describe('labels on every object', () => {
  const envs = synth();

  test('every object of every environment has part-of, managed-by and its environment', () => {
    // GIVEN the fixture spec, every environment synthesized
    // WHEN every object is walked
    const missing = envs.flatMap((e) => e.files.flatMap((f) => f.objects
      .filter((o) => labelsOf(o)['app.kubernetes.io/part-of'] !== 'shop' || labelsOf(o)['app.kubernetes.io/managed-by'] !== 'cdk8s' || labelsOf(o)[ENVIRONMENT_LABEL] !== e.name)
      .map((o) => `${e.name} ${f.name} ${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`)));
    // THEN none lacks them (the gateway namespace's objects, Gateway, PeerAuthentication and default-deny included)
    expect(missing).toEqual([]);
    expect(envs.map((e) => e.files.flatMap((f) => f.objects).length).every((n) => n > 100)).toBe(true);
  });

  test('the selector part-of=<platform>,<environment label>=<env> selects exactly one environment\'s objects', () => {
    // GIVEN all environments' objects together, as they would sit in one cluster
    const all = envs.flatMap((e) => e.files.flatMap((f) => f.objects.map((o) => ({ env: e.name, o }))));
    for (const e of envs) {
      // WHEN the environment's selector is applied to all of them
      const picked = all.filter(({ o }) => selects(selectorOf(e.name), o));
      // THEN it picks every object of that environment and none of another
      expect(picked.every(({ env }) => env === e.name)).toBe(true);
      expect(picked.length).toBe(e.files.flatMap((f) => f.objects).length);
    }
  });

  test('objects a custom construct adds get the labels too, even when it sets none', () => {
    // GIVEN a ConfigMap without labels added in TypeScript to order-service's chart
    const loaded = loadPlatform(referenceText(), REFERENCE_FILE);
    const platform = composeEnvironment(loaded.environments.find((e) => e.name === 'prod')!);
    new k8s.KubeConfigMap(platform.services.get('order-service')!.chart, 'Extra', { metadata: { name: 'order-service-extra' }, data: { a: 'b' } });
    // WHEN rendered
    const objects = renderEnvironment(platform, loaded).files.flatMap((f) => f.objects);
    // THEN it is selected by the environment's selector
    const custom = objects.find((o) => o.metadata.name === 'order-service-extra')!;
    expect(labelsOf(custom)).toEqual({ ...selectorOf('prod'), 'app.kubernetes.io/managed-by': 'cdk8s' });
  });
});
