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
import { ApiObject, Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import {
  DestinationRule, DestinationRuleSpecTrafficPolicy, DestinationRuleSpecTrafficPolicyTlsMode, VirtualService, VirtualServiceSpecHttp,
  VirtualServiceSpecHttpRetries, VirtualServiceSpecHttpRoute,
} from '../../imports/istio-networking.istio.io';
import { SAFE_RETRY_ON } from '../spec/retry-policy';
import { TreeIndex } from '../tree-index';
import { MicroService } from '../workload/microservice';
import { canaryServiceName, namespaceOf, previewServiceName, PRIMARY_ROUTE, serviceHost, stableServiceName, VERSION_PIN_ROUTE } from './names';

/** The route Argo Rollouts shifts canary weights on. */
export { PRIMARY_ROUTE, VERSION_PIN_ROUTE };
/** The route that pins requests carrying the version header value "v2" to the new version. */
/** The header value that pins a request to the new version. */
export const PINNED_VERSION = 'v2';
/** The version every pod template carries. */
export const CURRENT_VERSION = 'v1';

/** Connection pool limits of the DestinationRules. */
export interface ConnectionPoolSettings {
  /**
   * Most TCP connections to the service.
   * @default 100
   */
  readonly maxConnections?: number;
  /**
   * Most queued HTTP requests.
   * @default 100
   */
  readonly http1MaxPendingRequests?: number;
  /**
   * Most requests per connection; 0 means unlimited keep-alive reuse.
   * @default 0
   */
  readonly maxRequestsPerConnection?: number;
}

/** Outlier detection of the DestinationRules: hosts that keep failing are ejected for a while. */
export interface CircuitBreakerSettings {
  /**
   * Consecutive 5xx errors before a host is ejected.
   * @default 5
   */
  readonly consecutive5xxErrors?: number;
  /**
   * Analysis sweep interval.
   * @default "30s"
   */
  readonly interval?: string;
  /**
   * Minimum ejection time.
   * @default "30s"
   */
  readonly baseEjectionTime?: string;
  /**
   * Most hosts ejected at once, in percent.
   * @default 50
   */
  readonly maxEjectionPercent?: number;
}

/** How the service's new version is reached, which decides its routes (see the file comment). */
export interface TrafficRouting {
  /**
   * The delivery strategy of the service.
   * @default "rolling"
   */
  readonly strategy?: 'rolling' | 'canary' | 'blueGreen';
  /**
   * Whether the mesh routes the new version separately: for canary, Istio traffic routing
   * (stable and canary Services, weights on the primary route); for blue-green, the preview
   * Service. Either way the version header pins to it. Ignored for rolling.
   * @default true
   */
  readonly routeNewVersion?: boolean;
}

/** Props of a ServiceTraffic: the service, its namespace, port and traffic policy. */
export interface ServiceTrafficProps {
  /** Service name. */
  readonly name: string;
  /**
   * Namespace of the service.
   * @default - the namespace of the chart
   */
  readonly namespace?: string;
  /** Port of the service. */
  readonly port: number;
  /**
   * How the new version is reached.
   * @default - rolling: one version, subset v1, no version-pin route
   */
  readonly routing?: TrafficRouting;
  /**
   * Whole-request timeout.
   * @default "10s"
   */
  readonly timeout?: string;
  /**
   * Retry policy (always explicit on the routes).
   * @default - 3 attempts, 2s per try, retryOn SAFE_RETRY_ON
   */
  readonly retries?: RetrySettings;
  /**
   * Connection pool limits.
   * @default - see ConnectionPoolSettings
   */
  readonly connectionPool?: ConnectionPoolSettings;
  /**
   * Outlier detection.
   * @default - see CircuitBreakerSettings
   */
  readonly circuitBreaker?: CircuitBreakerSettings;
  /**
   * Header whose value "v2" pins a request to the new version.
   * @default "version"
   */
  readonly versionHeader?: string;
  /** Labels on the objects. @default {} */
  readonly labels?: Readonly<Record<string, string>>;
}

/** The retry policy a service gets unless told otherwise. */
export const DEFAULT_RETRIES: RetrySettings = { attempts: 3, perTryTimeout: '2s', retryOn: SAFE_RETRY_ON };

/** Every ServiceTraffic by service name, for the delivery constructs' checks. */
const TRAFFIC = new TreeIndex<ServiceTraffic>();

/** Mesh traffic of one service: its VirtualService (timeout, retries, routes) and DestinationRules (mTLS, pool, outlier detection). */
export class ServiceTraffic extends Construct {
  /**
   * The ServiceTraffic constructs of service `name` in the construct tree of `scope` (usually one).
   * Delivery constructs use it to check that the routes Argo Rollouts changes are there.
   */
  public static forService(scope: IConstruct, name: string): readonly ServiceTraffic[] {
    return TRAFFIC.find(scope, name);
  }

  /** The service's VirtualService. */
  public readonly virtualService: VirtualService;
  /** DestinationRules by host name (the Service names they apply to). */
  public readonly destinationRules = new Map<string, DestinationRule>();
  /** The service name (and the VirtualService's). */
  public readonly serviceName: string;
  /** The namespace of the service. */
  public readonly namespace: string;
  /** The routes as the delivery strategy shaped them. */
  public readonly shape: TrafficShape;

  constructor(scope: Construct, id: string, props: ServiceTrafficProps) {
    super(scope, id);
    const { name, port } = props;
    const namespace = namespaceOf(this, props.namespace, `ServiceTraffic ${name}`);
    const problems: string[] = [];
    if (!Number.isInteger(port) || port < 1 || port > 65535) problems.push(`port ${port} is not a port number (1-65535)`);
    if (props.retries && (!Number.isInteger(props.retries.attempts) || props.retries.attempts < 0)) problems.push(`retries.attempts ${props.retries.attempts} must be a whole number, 0 or more (0 turns retries off)`);
    if ((props.routing?.strategy ?? 'rolling') === 'rolling' && props.routing?.routeNewVersion !== undefined) {
      problems.push('routing.routeNewVersion applies to canary and blueGreen only: a rolling update has no second version to route to');
    }
    if (problems.length) throw new Error(`ServiceTraffic ${name}: ${problems.join('; ')}`);
    this.serviceName = name;
    this.namespace = namespace;
    const labels = { ...(props.labels ?? {}) };
    const host = (service: string) => serviceHost(service, namespace);
    const versionHeader = props.versionHeader ?? 'version';
    const pool = { maxConnections: 100, http1MaxPendingRequests: 100, maxRequestsPerConnection: 0, ...props.connectionPool };
    const breaker = { consecutive5xxErrors: 5, interval: '30s', baseEjectionTime: '30s', maxEjectionPercent: 50, ...props.circuitBreaker };
    const common = { timeout: props.timeout ?? '10s', retries: retryPolicy(props.retries ?? DEFAULT_RETRIES) };
    const pin = (destination: VirtualServiceSpecHttpRoute): VirtualServiceSpecHttp => ({
      name: VERSION_PIN_ROUTE, match: [{ headers: { [versionHeader]: { exact: PINNED_VERSION } } }], route: [destination], ...common,
    });
    const primary = (route: VirtualServiceSpecHttpRoute[]): VirtualServiceSpecHttp => ({ name: PRIMARY_ROUTE, route, ...common });

    const shape = trafficShape(name, props.routing ?? {});
    this.shape = shape;
    TRAFFIC.add(this, name);
    const to = (d: TrafficDestination): VirtualServiceSpecHttpRoute =>
      ({ destination: { host: host(d.service), subset: d.subset, port: { number: port } }, weight: d.weight });
    const http: VirtualServiceSpecHttp[] = [...(shape.pin ? [pin(to(shape.pin))] : []), primary(shape.primary.map(to))];

    this.virtualService = new VirtualService(this, 'VirtualService', {
      metadata: { name, labels },
      spec: { hosts: [host(name)], http },
    });

    const trafficPolicy: DestinationRuleSpecTrafficPolicy = {
      tls: { mode: DestinationRuleSpecTrafficPolicyTlsMode.ISTIO_UNDERSCORE_MUTUAL },
      connectionPool: {
        tcp: { maxConnections: pool.maxConnections },
        http: { http1MaxPendingRequests: pool.http1MaxPendingRequests, maxRequestsPerConnection: pool.maxRequestsPerConnection },
      },
      outlierDetection: {
        consecutive5XxErrors: breaker.consecutive5xxErrors,
        interval: breaker.interval,
        baseEjectionTime: breaker.baseEjectionTime,
        maxEjectionPercent: breaker.maxEjectionPercent,
      },
    };
    if (shape.services.length > 1) this.node.addValidation({ validate: () => this.secondVersionProblems(props.routing?.strategy ?? 'rolling') });
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

  /**
   * The routes to the new version go to Services that a delivery construct creates beside a
   * Rollout. When the MicroService of this name that would run the pods runs a Deployment, and no
   * construct of the tree makes those Services, nothing creates them: every request on those
   * routes would fail (503, no healthy upstream). Services made by hand (a Rollout with a
   * workloadRef during a migration) count; a workload this library does not build is not checked.
   */
  private secondVersionProblems(strategy: string): string[] {
    const namesake = MicroService.forService(this, this.serviceName).filter((s) => [this.namespace, undefined].includes(Chart.of(s).namespace));
    const deployment = namesake.find((s) => s.workloadKind === 'Deployment');
    if (!deployment || namesake.some((s) => s.workloadKind === 'Rollout')) return [];
    const made = serviceNamesIn(this);
    const missing = this.shape.services.filter((s) => s !== this.serviceName && !made.has(`${this.namespace}/${s}`));
    if (missing.length === 0) return [];
    const delivery = strategy === 'canary' ? 'CanaryDelivery' : 'BlueGreenDelivery';
    return [`ServiceTraffic ${this.serviceName}: routing.strategy "${strategy}" routes the new version to ${missing.join(' and ')}, which a ${delivery} creates beside a Rollout; `
      + `but the MicroService ${this.serviceName} (${deployment.node.path}) runs a Deployment, which has no second version, and nothing creates those Services: `
      + `build the MicroService with workloadKind "Rollout" and add a ${delivery} for it, or give the ServiceTraffic routing { strategy: 'rolling' } (or routeNewVersion: false)`];
  }
}

/** "namespace/name" of every Service ApiObject in the tree, per tree, kept for one validation pass. */
const SERVICE_NAMES = new WeakMap<IConstruct, ReadonlySet<string>>();

/**
 * The Services the tree of `scope` makes, as "namespace/name". Built once per validation pass
 * (the tree does not change while it is validated; a later pass may see more constructs), so
 * that n ServiceTraffics cost one walk of the tree, not n.
 */
function serviceNamesIn(scope: IConstruct): ReadonlySet<string> {
  const root = scope.node.root;
  let names = SERVICE_NAMES.get(root);
  if (!names) {
    const found = new Set<string>();
    for (const c of root.node.findAll()) {
      if (c instanceof ApiObject && c.kind === 'Service') found.add(`${c.metadata.namespace ?? Chart.of(c).namespace ?? ''}/${c.name}`);
    }
    names = found;
    SERVICE_NAMES.set(root, names);
    queueMicrotask(() => SERVICE_NAMES.delete(root));
  }
  return names;
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
  /** Where the version header pins requests. @default none: no new version to reach */
  readonly pin?: TrafficDestination;
  /** Where everything else goes (mesh and gateway alike). */
  readonly primary: readonly TrafficDestination[];
  /** Services that need a DestinationRule. */
  readonly services: readonly string[];
  /** Whether the service's DestinationRule defines the v1 subset. */
  readonly subsets: boolean;
}

/** The routing of one service for its delivery strategy (see the file comment). */
export function trafficShape(name: string, routing: TrafficRouting): TrafficShape {
  const routeNewVersion = routing.routeNewVersion ?? true;
  switch (routing.strategy ?? 'rolling') {
    case 'canary': {
      if (!routeNewVersion) {
        // Without traffic routing Argo splits by pod count behind the one Service.
        return { primary: [{ service: name }], services: [name], subsets: false };
      }
      const stable = stableServiceName(name);
      const canary = canaryServiceName(name);
      return { pin: { service: canary }, primary: [{ service: stable, weight: 100 }, { service: canary, weight: 0 }], services: [name, stable, canary], subsets: false };
    }
    case 'blueGreen': {
      if (!routeNewVersion) return { primary: [{ service: name }], services: [name], subsets: false };
      const preview = previewServiceName(name);
      return { pin: { service: preview }, primary: [{ service: name }], services: [name, preview], subsets: false };
    }
    default:
      // Rolling: one version at a time, so nothing for the header to pin to (see the file comment).
      return { primary: [{ service: name, subset: CURRENT_VERSION }], services: [name], subsets: true };
  }
}
