/**
 * Service-to-service traffic of one service: its VirtualService (timeout, retries, the
 * version-pin header route and the primary route) and its DestinationRules (mTLS, connection
 * pool, outlier detection).
 *
 * The shape follows the delivery strategy, as agreed with the progressive-delivery concern:
 * - rolling: subset v1 by pod label `version`; no version-pin route. A rolling update replaces pods
 *   of the one Deployment in place (all labelled v1), so no second version exists to pin to: a pin
 *   to subset v2 would answer 503 (no healthy upstream).
 * - canary: the header pins to `<svc>-canary`; `primary` splits between `<svc>-stable` (100)
 *   and `<svc>-canary` (0), weights Argo Rollouts rewrites through this VirtualService.
 * - blueGreen: the header pins to `<svc>-preview`; `primary` goes to `<svc>` (the active Service).
 */
import { Construct } from 'constructs';
import {
  DestinationRule, DestinationRuleSpecTrafficPolicy, DestinationRuleSpecTrafficPolicyTlsMode, VirtualService, VirtualServiceSpecHttp,
  VirtualServiceSpecHttpRetries, VirtualServiceSpecHttpRoute,
} from '../../imports/istio-networking.istio.io';
import { SAFE_RETRY_ON, ServiceSpec } from '../spec/schema';
import { canaryServiceName, previewServiceName, PRIMARY_ROUTE, serviceHost, stableServiceName, VERSION_PIN_ROUTE } from './names';

/** The route Argo Rollouts shifts canary weights on. */
export { PRIMARY_ROUTE, VERSION_PIN_ROUTE };
/** The route that pins requests carrying the version header value "v2" to the new version. */
/** The header value that pins a request to the new version. */
export const PINNED_VERSION = 'v2';
/** The version every pod template carries. */
export const CURRENT_VERSION = 'v1';

/** Props of a ServiceTraffic: the service, its namespace and its traffic policy. */
export interface ServiceTrafficProps {
  /** Service name. */
  readonly name: string;
  /** Environment namespace. */
  readonly namespace: string;
  /** The service's merged spec (port, traffic, delivery). */
  readonly spec: ServiceSpec;
  /** Labels on the objects. @default {} */
  readonly labels?: Readonly<Record<string, string>>;
}

/** Mesh traffic of one service: its VirtualService (timeout, retries, routes) and DestinationRules (mTLS, pool, outlier detection). */
export class ServiceTraffic extends Construct {
  public readonly virtualService: VirtualService;
  /** DestinationRules by host name (the Service names they apply to). */
  public readonly destinationRules = new Map<string, DestinationRule>();

  constructor(scope: Construct, id: string, props: ServiceTrafficProps) {
    super(scope, id);
    const { name, namespace, spec } = props;
    const labels = { ...(props.labels ?? {}) };
    const host = (service: string) => serviceHost(service, namespace);
    const { traffic } = spec;
    const common = { timeout: traffic.timeout, retries: retryPolicy(traffic.retries) };
    const pin = (destination: VirtualServiceSpecHttpRoute): VirtualServiceSpecHttp => ({
      name: VERSION_PIN_ROUTE, match: [{ headers: { [traffic.versionHeader]: { exact: PINNED_VERSION } } }], route: [destination], ...common,
    });
    const primary = (route: VirtualServiceSpecHttpRoute[]): VirtualServiceSpecHttp => ({ name: PRIMARY_ROUTE, route, ...common });

    const shape = trafficShape(name, spec);
    const to = (d: TrafficDestination): VirtualServiceSpecHttpRoute =>
      ({ destination: { host: host(d.service), subset: d.subset, port: { number: spec.port } }, weight: d.weight });
    const http: VirtualServiceSpecHttp[] = [...(shape.pin ? [pin(to(shape.pin))] : []), primary(shape.primary.map(to))];

    this.virtualService = new VirtualService(this, 'VirtualService', {
      metadata: { name, labels },
      spec: { hosts: [host(name)], http },
    });

    const trafficPolicy: DestinationRuleSpecTrafficPolicy = {
      tls: { mode: DestinationRuleSpecTrafficPolicyTlsMode.ISTIO_UNDERSCORE_MUTUAL },
      connectionPool: {
        tcp: { maxConnections: traffic.connectionPool.maxConnections },
        http: { http1MaxPendingRequests: traffic.connectionPool.http1MaxPendingRequests, maxRequestsPerConnection: traffic.connectionPool.maxRequestsPerConnection },
      },
      outlierDetection: {
        consecutive5XxErrors: traffic.circuitBreaker.consecutive5xxErrors,
        interval: traffic.circuitBreaker.interval,
        baseEjectionTime: traffic.circuitBreaker.baseEjectionTime,
        maxEjectionPercent: traffic.circuitBreaker.maxEjectionPercent,
      },
    };
    for (const ruleHost of shape.services) {
      this.destinationRules.set(ruleHost, new DestinationRule(this, `DestinationRule-${ruleHost}`, {
        metadata: { name: ruleHost, labels },
        spec: {
          host: host(ruleHost),
          trafficPolicy,
          subsets: shape.subsets && ruleHost === name
            ? [{ name: CURRENT_VERSION, labels: { version: CURRENT_VERSION } }]
            : undefined,
        },
      }));
    }
  }
}

/** A retry policy as the spec gives it. */
export interface RetrySettings {
  /** Retries after the first try; 0 turns retries off. */
  readonly attempts: number;
  /** Timeout of each try. */
  readonly perTryTimeout: string;
  /** Envoy retry conditions. @default SAFE_RETRY_ON */
  readonly retryOn?: string;
}

/**
 * A VirtualService retry policy, always explicit: a route without one gets Istio's default
 * (2 attempts, including 503 responses), which can repeat a committed write.
 */
export function retryPolicy(retries: RetrySettings): VirtualServiceSpecHttpRetries {
  return retries.attempts > 0
    ? { attempts: retries.attempts, perTryTimeout: retries.perTryTimeout, retryOn: retries.retryOn ?? SAFE_RETRY_ON }
    : { attempts: 0 };
}

/** Where a route sends requests: a Service, optionally a subset of it and a weight. */
export interface TrafficDestination {
  /** Service name (in the environment namespace). */
  readonly service: string;
  /** DestinationRule subset. @default the whole Service */
  readonly subset?: string;
  /** Weight in percent when a route splits. @default unsplit */
  readonly weight?: number;
}

/** The routes of a service as its delivery strategy needs them. */
export interface TrafficShape {
  /** Where the version header pins requests; absent when there is no new version to reach. */
  readonly pin?: TrafficDestination;
  /** Where everything else goes (mesh and gateway alike). */
  readonly primary: readonly TrafficDestination[];
  /** Services that need a DestinationRule. */
  readonly services: readonly string[];
  /** Whether the service's DestinationRule defines the v1 subset. */
  readonly subsets: boolean;
}

/** The routing of one service for its delivery strategy (see the file comment). */
export function trafficShape(name: string, spec: ServiceSpec): TrafficShape {
  switch (spec.delivery.strategy) {
    case 'canary': {
      if ((spec.delivery.canary?.trafficRouting ?? 'istio') !== 'istio') {
        // Without traffic routing Argo splits by pod count behind the one Service.
        return { primary: [{ service: name }], services: [name], subsets: false };
      }
      const stable = stableServiceName(name);
      const canary = canaryServiceName(name);
      return { pin: { service: canary }, primary: [{ service: stable, weight: 100 }, { service: canary, weight: 0 }], services: [name, stable, canary], subsets: false };
    }
    case 'blueGreen': {
      if (!(spec.delivery.blueGreen?.preview ?? true)) return { primary: [{ service: name }], services: [name], subsets: false };
      const preview = previewServiceName(name);
      return { pin: { service: preview }, primary: [{ service: name }], services: [name, preview], subsets: false };
    }
    default:
      // Rolling: one version at a time, so nothing for the header to pin to (see the file comment).
      return { primary: [{ service: name, subset: CURRENT_VERSION }], services: [name], subsets: true };
  }
}
