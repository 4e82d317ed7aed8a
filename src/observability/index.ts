/** Tracing constructs: the OpenTelemetry Collector and the mesh Telemetry. */
export { OtelCollector, collectorConfig, OTEL_COLLECTOR_NAME, DEFAULT_COLLECTOR_IMAGE, type OtelCollectorProps } from './collector';
export { TracingTelemetry, OTEL_TRACING_PROVIDER, type TracingTelemetryProps } from './telemetry';
