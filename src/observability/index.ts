/** Tracing of one environment: the OpenTelemetry Collector and the mesh Telemetry. */
import type { PlatformEnvironment } from '../platform';
import { OtelCollector } from './collector';
import { TracingTelemetry } from './telemetry';

export { OtelCollector, collectorConfig, OTEL_COLLECTOR_NAME, type OtelCollectorProps } from './collector';
export { TracingTelemetry, OTEL_TRACING_PROVIDER, type TracingTelemetryProps } from './telemetry';

/** Adds the collector and the tracing Telemetry to the environment's platform chart. */
export function addObservability(platform: PlatformEnvironment): void {
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
