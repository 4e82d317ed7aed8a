/**
 * Mesh tracing of one environment: the namespace-wide Istio Telemetry ("default") sends the
 * sidecars' spans to the OpenTelemetry provider, sampling the spec's percentage of requests.
 * The provider itself is declared once per cluster in Istio's meshConfig (docs/generated-objects.md, "Mesh, API gateway and tracing").
 */
import { Construct } from 'constructs';
import { Telemetry } from '../../imports/istio-telemetry.istio.io';

/** Name of the meshConfig extensionProvider that points at the collector. */
export const OTEL_TRACING_PROVIDER = 'otel-tracing';

/** Props of a TracingTelemetry: the sampling percentage and the provider. */
export interface TracingTelemetryProps {
  /**
   * Percent of requests traced, 0 to 100.
   * @default 1
   */
  readonly samplingPercent?: number;
  /** The meshConfig extension provider. @default OTEL_TRACING_PROVIDER */
  readonly provider?: string;
}

/** Mesh tracing of one environment: the namespace-wide Istio Telemetry sending sampled sidecar spans to the OpenTelemetry provider. */
export class TracingTelemetry extends Construct {
  /** The namespace-wide Telemetry ("default"). */
  public readonly telemetry: Telemetry;

  constructor(scope: Construct, id: string, props: TracingTelemetryProps = {}) {
    super(scope, id);
    const samplingPercent = props.samplingPercent ?? 1;
    if (!(samplingPercent >= 0 && samplingPercent <= 100)) throw new Error(`TracingTelemetry: samplingPercent ${samplingPercent} must be from 0 to 100`);
    this.telemetry = new Telemetry(this, 'Telemetry', {
      metadata: { name: 'default' },
      spec: { tracing: [{ providers: [{ name: props.provider ?? OTEL_TRACING_PROVIDER }], randomSamplingPercentage: samplingPercent }] },
    });
  }
}
