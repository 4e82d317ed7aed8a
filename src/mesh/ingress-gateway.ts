/** Where the shared Istio ingress gateway runs, as the gateway constructs and the collector name it. */

/** The ingress gateway pods: their namespace, labels and identity. */
export interface IngressGateway {
  /**
   * Namespace of the ingress gateway deployment.
   * @default "istio-system"
   */
  readonly namespace?: string;
  /**
   * Labels of the ingress gateway pods.
   * @default { istio: "ingressgateway" }
   */
  readonly selector?: Readonly<Record<string, string>>;
  /**
   * ServiceAccount of the ingress gateway pods (their mTLS identity).
   * @default "istio-ingressgateway-service-account"
   */
  readonly serviceAccount?: string;
}

/** The gateway of a default Istio install (istioctl or the Helm gateway chart named istio-ingressgateway). */
export const DEFAULT_INGRESS_GATEWAY: Required<IngressGateway> = {
  namespace: 'istio-system',
  selector: { istio: 'ingressgateway' },
  serviceAccount: 'istio-ingressgateway-service-account',
};

/** The gateway with the defaults of the unset fields; an empty selector is refused (it would select every pod). */
export function ingressGateway(given: IngressGateway | undefined, owner: string): Required<IngressGateway> {
  const gateway: Required<IngressGateway> = {
    namespace: given?.namespace ?? DEFAULT_INGRESS_GATEWAY.namespace,
    selector: given?.selector ?? DEFAULT_INGRESS_GATEWAY.selector,
    serviceAccount: given?.serviceAccount ?? DEFAULT_INGRESS_GATEWAY.serviceAccount,
  };
  if (Object.keys(gateway.selector).length === 0) throw new Error(`${owner}: the gateway selector must name at least one label; an empty selector would select every pod`);
  return gateway;
}
