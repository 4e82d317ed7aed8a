/**
 * The mesh and API gateway constructs: per-service traffic, mTLS, authorization and network
 * policy, the gateway with its routes, JWT auth, rate limits and access log.
 */
export {
  PRIMARY_ROUTE, VERSION_PIN_ROUTE, DEFAULT_RETRIES, ServiceTraffic, trafficShape, retryPolicy, type RetrySettings, type ServiceTrafficProps, type TrafficDestination,
  type TrafficShape, type TrafficRouting, type ConnectionPoolSettings, type CircuitBreakerSettings,
} from './traffic';
export { ApiGateway, API_GATEWAY_NAME, type ApiGatewayProps, type GatewayRoute, type RouteLeading } from './gateway';
export { GatewayAuth, type GatewayAuthProps } from './auth';
export { GatewayRateLimit, describeLimit, parseWindow, serviceLimit, windowProblem, type GatewayRateLimitProps, type GeneratedLimit, type RateLimitedRoute, type ServiceLimit } from './rate-limit';
export { GatewayAccessLog, type GatewayAccessLogProps } from './access-log';
export { NamespaceMtls, type NamespaceMtlsProps } from './mtls';
export { NamespaceNetworkPolicy, type NamespaceNetworkPolicyProps } from './network-policy';
export { WorkloadAccess, type WorkloadAccessProps, type WorkloadCaller, type WorkloadEgress, type NetworkPeer, type NetworkPort } from './workload-access';
export { SupportWorkload, type SupportWorkloadProps, type SupportPort } from './support-workload';
export { DEFAULT_INGRESS_GATEWAY, type IngressGateway } from './ingress-gateway';
export { ExternalService, externalEgress, ANY_IPV4, type ExternalServiceProps } from './external-service';

/** Data store ports and the `app.kubernetes.io/name` of their pods (as the data tier names them). */
export const DATA_STORES = {
  postgres: { port: 5432, name: (service: string) => `${service}-db` },
  redis: { port: 6379, name: () => 'redis' },
  rabbitmq: { port: 5672, name: () => 'rabbitmq' },
} as const;

/** The namespace of an in-cluster URL such as http://prometheus.monitoring.svc.cluster.local:9090. */
export function namespaceOfUrl(url: string): string | undefined {
  try {
    return /^[^.]+\.([^.]+)\.svc(\.|$)/.exec(new URL(url).hostname)?.[1];
  } catch {
    return undefined;
  }
}
