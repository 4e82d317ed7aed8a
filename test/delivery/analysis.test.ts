import { Manifest } from '../../src/synth';
import { editReference, findObject, objectsOf, synth } from '../helpers';

interface MetricJson {
  name: string;
  interval: string;
  count: number;
  failureLimit: number;
  successCondition: string;
  provider: { prometheus: { address: string; query: string } };
}
const metricOf = (objects: readonly Manifest[]): MetricJson =>
  (findObject(objects, 'AnalysisTemplate', 'success-rate') as unknown as { spec: { metrics: MetricJson[] } }).spec.metrics[0];

describe('the success-rate AnalysisTemplate', () => {
  let objects: Manifest[];
  beforeAll(() => {
    objects = objectsOf('prod');
  });

  test('exists once per environment, in the platform file, with a service-name argument', () => {
    // GIVEN two services that reference success-rate WHEN every environment is synthesized
    for (const env of synth()) {
      const templates = env.files.flatMap((f) => f.objects.filter((o) => o.kind === 'AnalysisTemplate').map((o) => `${f.name}:${o.metadata.name}`));
      // THEN there is exactly one, in 10-platform.yaml, in the environment namespace
      expect(templates).toEqual(['10-platform.yaml:success-rate']);
    }
    expect(findObject(objects, 'AnalysisTemplate', 'success-rate').metadata.namespace).toBe('shop-prod');
    expect((findObject(objects, 'AnalysisTemplate', 'success-rate') as unknown as { spec: { args: unknown } }).spec.args).toEqual([{ name: 'service-name' }]);
  });

  test('takes threshold, interval, failure limit and count from platform.analysis', () => {
    // GIVEN successRate 0.95, interval 1m, failureLimit 2 (count defaults to 5) WHEN prod is synthesized
    // THEN the metric carries them
    expect(metricOf(objects)).toMatchObject({ name: 'success-rate', interval: '1m', failureLimit: 2, count: 5, successCondition: 'result[0] >= 0.95' });
  });

  test('queries the Prometheus of the environment', () => {
    // GIVEN staging overriding prometheusAddress
    const text = editReference(['      host: api.staging.shop.example.com\n', '      host: api.staging.shop.example.com\n      prometheusAddress: http://prometheus.staging-monitoring.svc:9090\n']);
    // WHEN staging and prod are synthesized
    // THEN each template points at its own Prometheus
    expect(metricOf(objectsOf('staging', text)).provider.prometheus.address).toBe('http://prometheus.staging-monitoring.svc:9090');
    expect(metricOf(objectsOf('prod', text)).provider.prometheus.address).toBe('http://prometheus.monitoring.svc.cluster.local:9090');
  });

  test('counts non-5xx Istio requests as reported by the caller, per short Service name and namespace', () => {
    // GIVEN the reference spec WHEN prod is synthesized
    const query = metricOf(objects).provider.prometheus.query;
    // THEN both sums select the measured Service the way the caller's proxy labels it
    const selector = 'reporter="source",destination_service_namespace="shop-prod",destination_service_name="{{args.service-name}}"';
    expect(query).toContain(`sum(rate(istio_requests_total{${selector},response_code!~"5.*"}[1m]))`);
    expect(query).toContain(`sum(rate(istio_requests_total{${selector}}[1m]))`);
  });

  test('all-5xx counts as 0 and no traffic counts as success, never NaN or empty', () => {
    // GIVEN the reference spec WHEN prod is synthesized
    const query = metricOf(objects).provider.prometheus.query.replace(/\s+/g, ' ');
    // THEN the numerator defaults to 0, a zero denominator is dropped, and the whole defaults to 1
    expect(query).toMatch(/^\( \(sum\(rate\(.*\)\) or vector\(0\)\) \/ \(sum\(rate\(.*\)\) > 0\) \) or vector\(1\)$/);
  });

  test('the rate window is never shorter than a minute', () => {
    // GIVEN an interval of 30s (and enough measurements to cover the canary)
    const text = editReference(['    interval: 1m\n', '    interval: 30s\n    count: 10\n']);
    // WHEN prod is synthesized
    const metric = metricOf(objectsOf('prod', text));
    // THEN measurements come every 30s over a 1m window
    expect(metric.interval).toBe('30s');
    expect(metric.provider.prometheus.query).toContain('[1m]');
  });
});
