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
  return {
    namespace: given?.namespace ?? DEFAULT_INGRESS_GATEWAY.namespace,
    selector: ingressGatewaySelector(given?.selector, owner),
    serviceAccount: given?.serviceAccount ?? DEFAULT_INGRESS_GATEWAY.serviceAccount,
  };
}

/**
 * The gateway pods' labels, the default when unset; throws for an empty selector, which would
 * select every pod. `prop` names the selector in the message as the owner's users know it.
 */
export function ingressGatewaySelector(given: Readonly<Record<string, string>> | undefined, owner: string, prop = 'the gateway selector'): Readonly<Record<string, string>> {
  const selector = given ?? DEFAULT_INGRESS_GATEWAY.selector;
  if (Object.keys(selector).length === 0) throw new Error(`${owner}: ${prop} must name at least one label; an empty selector would select every pod`);
  return selector;
}
