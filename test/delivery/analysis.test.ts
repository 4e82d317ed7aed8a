import { Manifest } from '../../src/synth';
import { editReference, findObject, objectsOf, synth } from '../helpers';

interface MetricJson {
  name: string;
  interval: string;
  count: number;
  failureLimit: number;
  inconclusiveLimit: number;
  initialDelay: string;
  successCondition: string;
  failureCondition: string;
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
    expect(metricOf(objects)).toMatchObject({ name: 'success-rate', interval: '1m', failureLimit: 2, count: 5, inconclusiveLimit: 2, initialDelay: '1m' });
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

  test('all-5xx counts as 0; no traffic gives an empty result, never a success', () => {
    // GIVEN the reference spec WHEN prod is synthesized
    const query = metricOf(objects).provider.prometheus.query.replace(/\s+/g, ' ');
    // THEN the numerator defaults to 0, a zero denominator is dropped, and nothing stands in for a missing result
    expect(query).toMatch(/^\( \(sum\(rate\(.*\)\) or vector\(0\)\) \/ \(sum\(rate\(.*\)\) > 0\) \)$/);
    expect(query).not.toContain('vector(1)');
  });

  /** A condition as Argo's expr evaluates it: len(result), and result[0] of an empty result is an error. */
  function evalCondition(condition: string, result: number[]): boolean {
    const js = condition.replace(/len\(result\)/g, 'result.length');
    if (!/^[\w\s.[\]<>=&|()!]+$/.test(js)) throw new Error(`unexpected condition ${condition}`);
    const strict = new Proxy(result, {
      get: (target, key) => {
        if (typeof key === 'string' && /^\d+$/.test(key) && Number(key) >= target.length) throw new Error('index out of range');
        return Reflect.get(target, key);
      },
    });
    return Boolean(new Function('result', `return (${js});`)(strict));
  }

  /** The phase Argo Rollouts 1.7.2 gives a measurement (utils/evaluate EvaluateResult). */
  function phaseOf(metric: MetricJson, result: number[]): string {
    try {
      let success = metric.successCondition ? evalCondition(metric.successCondition, result) : false;
      let failure = metric.failureCondition ? evalCondition(metric.failureCondition, result) : false;
      if (!metric.failureCondition) failure = !success;
      if (!metric.successCondition) success = !failure;
      if (failure) return 'Failed';
      return success ? 'Successful' : 'Inconclusive';
    } catch {
      return 'Error';
    }
  }

  test.each([
    ['no traffic (empty result)', [], 'Inconclusive'],
    ['99% non-5xx', [0.99], 'Successful'],
    ['exactly the threshold', [0.95], 'Successful'],
    ['50% non-5xx', [0.5], 'Failed'],
    ['every request failed (0 from vector(0))', [0], 'Failed'],
  ])('a measurement with %s (%j) is %s', (_, result, phase) => {
    // GIVEN the prod template WHEN Argo evaluates a Prometheus result THEN the measurement has this phase
    expect(phaseOf(metricOf(objects), result)).toBe(phase);
  });

  test('a preview or canary nobody calls pauses the rollout instead of passing', () => {
    // GIVEN failureLimit 2: as many windows without traffic are tolerated, one more makes the run Inconclusive
    const metric = metricOf(objects);
    // WHEN every measurement of a run sees no traffic
    const phases = Array.from({ length: metric.count }, () => phaseOf(metric, []));
    const inconclusiveAt = phases.findIndex((_, i) => phases.slice(0, i + 1).filter((p) => p === 'Inconclusive').length > metric.inconclusiveLimit);
    // THEN the run turns Inconclusive (the rollout pauses for a human) before its count is reached, never Successful
    expect(inconclusiveAt).toBe(metric.inconclusiveLimit);
    expect(inconclusiveAt).toBeLessThan(metric.count - 1);
    // AND the first measurement waits one interval, so a canary's first weight has traffic to measure
    expect(metric.initialDelay).toBe(metric.interval);
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
