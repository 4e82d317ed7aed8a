/**
 * Access logs of the ingress gateway through the Istio Telemetry API, with Istio's built-in
 * "envoy" provider (Envoy's stdout access log). The Telemetry selects the gateway pods, so it
 * lives in their namespace.
 */
import { Construct } from 'constructs';
import { Telemetry } from '../../imports/istio-telemetry.istio.io';
import { ingressGateway } from './ingress-gateway';
import { namespaceOf } from './names';

/** Istio's built-in access log provider. */
export const ENVOY_ACCESS_LOG_PROVIDER = 'envoy';

/** Props of a GatewayAccessLog: the gateway's namespace and pods. */
export interface GatewayAccessLogProps {
  /**
   * Namespace of the ingress gateway pods.
   * @default "istio-system"
   */
  readonly gatewayNamespace?: string;
  /**
   * Labels of the ingress gateway pods.
   * @default { istio: "ingressgateway" }
   */
  readonly gatewaySelector?: Readonly<Record<string, string>>;
  /**
   * Environment namespace; prefixes the name so environments never overwrite each other.
   * @default - the namespace of the chart
   */
  readonly environmentNamespace?: string;
}

/** Access logs of the ingress gateway pods through the Istio Telemetry API (Envoy stdout). */
export class GatewayAccessLog extends Construct {
  /** The Telemetry that turns the access log on for the gateway pods. */
  public readonly telemetry: Telemetry;

  constructor(scope: Construct, id: string, props: GatewayAccessLogProps = {}) {
    super(scope, id);
    const environmentNamespace = namespaceOf(this, props.environmentNamespace, 'GatewayAccessLog');
    const gateway = ingressGateway({ namespace: props.gatewayNamespace, selector: props.gatewaySelector }, 'GatewayAccessLog');
    this.telemetry = new Telemetry(this, 'Telemetry', {
      metadata: { name: `${environmentNamespace}-gateway-access-log`, namespace: gateway.namespace },
      spec: {
        selector: { matchLabels: { ...gateway.selector } },
        accessLogging: [{ providers: [{ name: ENVOY_ACCESS_LOG_PROVIDER }] }],
      },
    });
  }
}
