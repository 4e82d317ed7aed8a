/**
 * The one place that knows both the platform spec and the MicroService props: it maps a service
 * of the spec to the props of its construct. The YAML path is one client of the constructs;
 * TypeScript users pass props directly.
 */
import type { EnvironmentSpec, ServiceSpec } from '../spec/schema';
import type { ServiceTrafficProps, TrafficRouting } from '../mesh/traffic';
import type { MicroServiceProps } from '../workload/microservice';

/** The OTLP gRPC endpoint of the environment's OpenTelemetry Collector. */
export function otlpEndpoint(namespace: string): string {
  return `http://otel-collector.${namespace}.svc.cluster.local:4317`;
}

/** The MicroService props of service `name` of environment `env`. */
export function microServiceProps(name: string, spec: ServiceSpec, env: EnvironmentSpec): MicroServiceProps {
  return {
    name,
    image: spec.image,
    port: spec.port,
    environment: env.name,
    partOf: env.platform.name,
    otlpEndpoint: otlpEndpoint(env.namespace),
    workloadKind: spec.delivery.strategy === 'rolling' ? 'Deployment' : 'Rollout',
    // The spec's replicas only count without an autoscaler (its default of 2 is always present).
    ...(spec.autoscaling ? { autoscaling: spec.autoscaling } : { replicas: spec.replicas }),
    resources: spec.resources,
    env: spec.env,
    secretEnv: spec.secretEnv,
    automountServiceAccountToken: spec.automountServiceAccountToken,
    runAsUser: spec.runAsUser,
  };
}

/** How a service's new version is reached, from its delivery block. */
export function trafficRouting(spec: ServiceSpec): TrafficRouting {
  const { delivery } = spec;
  switch (delivery.strategy) {
    case 'canary': return { strategy: 'canary', routeNewVersion: (delivery.canary?.trafficRouting ?? 'istio') === 'istio' };
    case 'blueGreen': return { strategy: 'blueGreen', routeNewVersion: delivery.blueGreen?.preview ?? true };
    default: return { strategy: 'rolling' };
  }
}

/** The ServiceTraffic props of service `name` in `namespace`. */
export function serviceTrafficProps(name: string, namespace: string, spec: ServiceSpec, labels?: Readonly<Record<string, string>>): ServiceTrafficProps {
  const { traffic } = spec;
  return {
    name, namespace, port: spec.port, routing: trafficRouting(spec), labels,
    timeout: traffic.timeout, retries: traffic.retries, connectionPool: traffic.connectionPool, circuitBreaker: traffic.circuitBreaker,
    versionHeader: traffic.versionHeader,
  };
}
