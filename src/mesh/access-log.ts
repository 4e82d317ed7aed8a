/**
 * Access logs of the ingress gateway through the Istio Telemetry API, with Istio's built-in
 * "envoy" provider (Envoy's stdout access log). The Telemetry selects the gateway pods, so it
 * lives in their namespace.
 */
import { Construct } from 'constructs';
import { Telemetry } from '../../imports/istio-telemetry.istio.io';

/** Istio's built-in access log provider. */
export const ENVOY_ACCESS_LOG_PROVIDER = 'envoy';

/** Props of a GatewayAccessLog: the gateway's namespace and pods. */
export interface GatewayAccessLogProps {
  /** Namespace of the ingress gateway pods. */
  readonly gatewayNamespace: string;
  /** Labels of the ingress gateway pods. */
  readonly gatewaySelector: Readonly<Record<string, string>>;
  /** Environment namespace; prefixes the name so environments never overwrite each other. */
  readonly environmentNamespace: string;
}

/** Access logs of the ingress gateway pods through the Istio Telemetry API (Envoy stdout). */
export class GatewayAccessLog extends Construct {
  public readonly telemetry: Telemetry;

  constructor(scope: Construct, id: string, props: GatewayAccessLogProps) {
    super(scope, id);
    this.telemetry = new Telemetry(this, 'Telemetry', {
      metadata: { name: `${props.environmentNamespace}-gateway-access-log`, namespace: props.gatewayNamespace },
      spec: {
        selector: { matchLabels: { ...props.gatewaySelector } },
        accessLogging: [{ providers: [{ name: ENVOY_ACCESS_LOG_PROVIDER }] }],
      },
    });
  }
}
