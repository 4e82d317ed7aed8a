/** Tracing of one environment, mapped from the spec: the OpenTelemetry Collector and the mesh Telemetry. */
import type { EnvironmentCharts } from './manifest-chart';
import { OtelCollector } from '../observability/collector';
import { TracingTelemetry } from '../observability/telemetry';

/** Adds the collector and the tracing Telemetry to the environment's platform chart. */
export function addObservability(platform: EnvironmentCharts): void {
  const env = platform.spec;
  const { tracing, gateway } = env.platform;
  new OtelCollector(platform.platformChart, 'OtelCollector', {
    environment: env.name,
    partOf: env.platform.name,
    namespace: env.namespace,
    image: tracing.collectorImage,
    backendEndpoint: tracing.backendEndpoint,
    clusterCidrs: env.platform.clusterCidrs,
    gateway,
  });
  new TracingTelemetry(platform.platformChart, 'TracingTelemetry', { samplingPercent: tracing.samplingPercent });
}
