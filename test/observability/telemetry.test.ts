/** Mesh tracing through the Istio Telemetry API. */
import { findObject, objectsOf } from '../helpers';

type Telemetry = { spec: { tracing: Array<{ providers: Array<{ name: string }>; randomSamplingPercentage: number }> } };

describe('tracing Telemetry', () => {
  test('the namespace default sends spans to the otel-tracing provider', () => {
    // GIVEN / WHEN synthesized
    const t = findObject<Telemetry>(objectsOf('prod'), 'Telemetry', 'default');
    // THEN
    expect(t.metadata.namespace).toBe('shop-prod');
    expect(t.spec.tracing[0].providers).toEqual([{ name: 'otel-tracing' }]);
  });

  test.each([['dev', 100], ['staging', 10], ['prod', 1]])('%s samples %d percent', (env, percent) => {
    // GIVEN the environment's tracing.samplingPercent / WHEN synthesized / THEN
    expect(findObject<Telemetry>(objectsOf(env), 'Telemetry', 'default').spec.tracing[0].randomSamplingPercentage).toBe(percent);
  });
});
