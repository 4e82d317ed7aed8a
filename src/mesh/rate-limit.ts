/**
 * Per-client, per-route request limits at the ingress gateway, like the reference limiter
 * (express-rate-limit keyed by req.ip + ':' + req.path).
 *
 * Global rate limiting: the gateway's Envoy asks the Envoy rate limit service (counters in a
 * small Redis of its own) with the descriptor (route, client address). Local rate limiting was
 * not chosen: Envoy's local_ratelimit in Istio 1.22 (Envoy 1.30) can only key on descriptor
 * values written into its config, so one bucket per client address is impossible (dynamic
 * descriptors arrived in later Envoy releases), and each gateway replica would count apart.
 * The limit is per route prefix rather than per full path: a path with a query string or a
 * trailing segment would otherwise open a fresh counter for every variant.
 */
import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import {
  EnvoyFilter, EnvoyFilterSpecConfigPatches, EnvoyFilterSpecConfigPatchesApplyTo, EnvoyFilterSpecConfigPatchesMatchContext,
  EnvoyFilterSpecConfigPatchesPatchOperation,
} from '../../imports/istio-networking.istio.io';
import { DEFAULT_REDIS_IMAGE } from '../data/redis';
import { componentLabels, selectorLabels } from '../workload/labels';
import { tmpVolume } from '../workload/security';
import { quantity } from '../workload/resources';
import { routeIdentityProblems } from './gateway';
import { ingressGateway } from './ingress-gateway';
import { namespaceOf, principalOf, routeName, serviceHost, trustDomainOf } from './names';
import { SupportWorkload } from './support-workload';
import { WorkloadAccess } from './workload-access';
import { emitYaml } from '../yaml-emit';
import { GeneratedLimit, serviceLimit, windowProblem } from '../spec/rate-limit-window';

// The window and limit arithmetic is pure and shared with the spec checks, which must not load constructs.
export { describeLimit, parseWindow, serviceLimit, windowProblem, type GeneratedLimit, type RateLimitUnit, type ServiceLimit } from '../spec/rate-limit-window';

/** The rate limit service image (the tag Istio's rate limit sample pins). */
export const RATE_LIMIT_IMAGE = 'envoyproxy/ratelimit:9d8d70a8';
/** Name of the rate limit service and of its objects. */
export const RATE_LIMIT_SERVICE = 'ratelimit';
/** Name of the Redis that holds the counters. */
export const RATE_LIMIT_REDIS = 'ratelimit-redis';
const GRPC_PORT = 8081;
const HTTP_PORT = 8080;
const REDIS_PORT = 6379;

/** One limited route. */
export interface RateLimitedRoute {
  /** Route prefix, e.g. /api/auth. */
  readonly prefix: string;
  /** Requests per client in one window. */
  readonly requests: number;
  /** Window such as 15m. */
  readonly window: string;
}

/** The Redis image of the counters when none is given (the platform's Redis default). */
export const RATE_LIMIT_REDIS_IMAGE = DEFAULT_REDIS_IMAGE;

/** Props of a GatewayRateLimit: the limited routes and how the limiter fails. */
export interface GatewayRateLimitProps {
  /**
   * Environment namespace: the rate limit service runs here.
   * @default - the namespace of the chart
   */
  readonly namespace?: string;
  /**
   * Environment name (labels).
   * @default - the namespace
   */
  readonly environment?: string;
  /**
   * Platform name (labels).
   * @default "ratelimit"
   */
  readonly partOf?: string;
  /** Public host; the route patches match its virtual host. */
  readonly host: string;
  /**
   * Namespace of the ingress gateway pods; the EnvoyFilter must live there.
   * @default "istio-system"
   */
  readonly gatewayNamespace?: string;
  /**
   * Labels of the ingress gateway pods.
   * @default { istio: "ingressgateway" }
   */
  readonly gatewaySelector?: Readonly<Record<string, string>>;
  /**
   * ServiceAccount of the ingress gateway pods.
   * @default "istio-ingressgateway-service-account"
   */
  readonly gatewayServiceAccount?: string;
  /** The limited routes (at least one). */
  readonly routes: readonly RateLimitedRoute[];
  /**
   * Redis image for the counters.
   * @default RATE_LIMIT_REDIS_IMAGE
   */
  readonly redisImage?: string;
  /** Rate limit service image. @default RATE_LIMIT_IMAGE */
  readonly image?: string;
  /** Rate limit service replicas. @default 2 */
  readonly replicas?: number;
  /**
   * Refuse requests when the rate limit service cannot answer. Off by default: the gateway
   * keeps serving (unlimited) rather than failing every request.
   * @default false
   */
  readonly failClosed?: boolean;
}

/** GatewayRateLimitProps with the defaults applied. */
type ResolvedRateLimitProps = Required<Omit<GatewayRateLimitProps, 'failClosed' | 'image' | 'replicas'>> & Pick<GatewayRateLimitProps, 'failClosed' | 'image' | 'replicas'>;

/** Per-client, per-route request limits at the ingress gateway: the rate limit service, its configuration and the Envoy filters. */
export class GatewayRateLimit extends Construct {
  /** The rate limit service configuration (YAML in ConfigMap "ratelimit-config"). */
  public readonly config: ApiObject;
  /** The EnvoyFilter that adds the rate limit filter and the per-route actions to the gateway. */
  public readonly envoyFilter: EnvoyFilter;
  /** The limits as the service applies them, by route name. */
  public readonly limits: ReadonlyMap<string, GeneratedLimit>;

  constructor(scope: Construct, id: string, given: GatewayRateLimitProps) {
    super(scope, id);
    if (given.routes.length === 0) throw new Error('GatewayRateLimit needs at least one limited route');
    const problems = given.routes.flatMap((r, i) => [
      ...(given.routes.findIndex((o) => o.prefix === r.prefix) < i ? [`route ${r.prefix} is limited twice; give each prefix one limit`] : []),
      ...(Number.isInteger(r.requests) && r.requests >= 1 ? [] : [`route ${r.prefix}: requests ${r.requests} must be a whole number, at least 1`]),
      ...[windowProblem(r.window)].filter((p): p is string => p !== undefined).map((p) => `route ${r.prefix}: ${p}`),
    ]);
    // The service counts and the gateway patches routes by route name: two prefixes of one name
    // would share one counter under one of the two limits, the other silently gone.
    const distinct = [...new Set(given.routes.map((r) => r.prefix))];
    problems.push(...routeIdentityProblems(distinct));
    if (problems.length) throw new Error(`GatewayRateLimit: ${problems.join('; ')}`);
    const namespace = namespaceOf(this, given.namespace, 'GatewayRateLimit');
    const gateway = ingressGateway({ namespace: given.gatewayNamespace, selector: given.gatewaySelector, serviceAccount: given.gatewayServiceAccount }, 'GatewayRateLimit');
    const props: ResolvedRateLimitProps = {
      ...given,
      namespace,
      environment: given.environment ?? namespace,
      partOf: given.partOf ?? RATE_LIMIT_SERVICE,
      gatewayNamespace: gateway.namespace,
      gatewaySelector: gateway.selector,
      gatewayServiceAccount: gateway.serviceAccount,
      redisImage: given.redisImage ?? RATE_LIMIT_REDIS_IMAGE,
    };
    const ns = props.namespace;
    const domain = `${ns}-gateway`;
    const limits = new Map<string, GeneratedLimit>();
    for (const r of props.routes) limits.set(routeName(r.prefix), serviceLimit(r.requests, r.window));
    this.limits = limits;

    this.config = new k8s.KubeConfigMap(this, 'Config', {
      metadata: { name: `${RATE_LIMIT_SERVICE}-config`, labels: this.labelsOf(props, RATE_LIMIT_SERVICE) },
      data: {
        'config.yaml': emitYaml({
          domain,
          descriptors: [...limits].map(([route, l]) => ({
            key: 'route',
            value: route,
            descriptors: [{ key: 'remote_address', rate_limit: { unit: l.unit, requests_per_unit: l.requestsPerUnit } }],
          })),
        }),
      },
    });

    const serviceSelector = selectorLabels(RATE_LIMIT_SERVICE, props.environment);
    const redisSelector = selectorLabels(RATE_LIMIT_REDIS, props.environment);
    this.addRateLimitService(props, serviceSelector);
    this.addRedis(props, redisSelector);

    new WorkloadAccess(this, 'ServiceAccess', {
      name: RATE_LIMIT_SERVICE,
      selector: serviceSelector,
      ports: [{ port: GRPC_PORT }],
      callers: [{ principals: [principalOf(props.gatewayNamespace, props.gatewayServiceAccount, trustDomainOf(this))], peer: { namespace: props.gatewayNamespace, podLabels: props.gatewaySelector } }],
      egress: [{ to: [{ podLabels: redisSelector }], ports: [{ port: REDIS_PORT }] }],
      labels: this.labelsOf(props, RATE_LIMIT_SERVICE),
    });
    new WorkloadAccess(this, 'RedisAccess', {
      name: RATE_LIMIT_REDIS,
      selector: redisSelector,
      ports: [{ port: REDIS_PORT }],
      callers: [{ principals: [principalOf(ns, RATE_LIMIT_SERVICE, trustDomainOf(this))], peer: { podLabels: serviceSelector } }],
      labels: this.labelsOf(props, RATE_LIMIT_REDIS),
    });

    const serviceFqdn = serviceHost(RATE_LIMIT_SERVICE, ns);
    const patches: EnvoyFilterSpecConfigPatches[] = [{
      applyTo: EnvoyFilterSpecConfigPatchesApplyTo.HTTP_UNDERSCORE_FILTER,
      match: {
        context: EnvoyFilterSpecConfigPatchesMatchContext.GATEWAY,
        listener: { filterChain: { filter: { name: 'envoy.filters.network.http_connection_manager', subFilter: { name: 'envoy.filters.http.router' } } } },
      },
      patch: {
        // Before the router, after Istio's jwt_authn and RBAC filters: refused requests are not counted.
        operation: EnvoyFilterSpecConfigPatchesPatchOperation.INSERT_UNDERSCORE_BEFORE,
        value: {
          name: 'envoy.filters.http.ratelimit',
          typed_config: {
            '@type': 'type.googleapis.com/envoy.extensions.filters.http.ratelimit.v3.RateLimit',
            domain,
            failure_mode_deny: props.failClosed ?? false,
            timeout: '0.25s',
            enable_x_ratelimit_headers: 'DRAFT_VERSION_03',
            rate_limit_service: {
              // The cluster istiod already generates for the Service (mTLS through its sidecar).
              grpc_service: { envoy_grpc: { cluster_name: `outbound|${GRPC_PORT}||${serviceFqdn}`, authority: serviceFqdn } },
              transport_api_version: 'V3',
            },
          },
        },
      },
    }];
    for (const route of limits.keys()) {
      patches.push({
        applyTo: EnvoyFilterSpecConfigPatchesApplyTo.HTTP_UNDERSCORE_ROUTE,
        match: {
          context: EnvoyFilterSpecConfigPatchesMatchContext.GATEWAY,
          // Gateway virtual hosts are named host:port; routes carry the VirtualService route name.
          routeConfiguration: { vhost: { name: `${props.host}:443`, route: { name: route } } },
        },
        patch: {
          operation: EnvoyFilterSpecConfigPatchesPatchOperation.MERGE,
          value: {
            route: {
              rate_limits: [{ actions: [
                { generic_key: { descriptor_key: 'route', descriptor_value: route } },
                // The client address as the gateway trusts it (see numTrustedProxies).
                { remote_address: {} },
              ] }],
            },
          },
        },
      });
    }
    this.envoyFilter = new EnvoyFilter(this, 'EnvoyFilter', {
      metadata: { name: `${ns}-ratelimit`, namespace: props.gatewayNamespace },
      // A priority orders this filter's relative patch (INSERT_BEFORE the router) after
      // EnvoyFilters of the default priority 0, so it applies whatever else patches the chain.
      spec: { workloadSelector: { labels: { ...props.gatewaySelector } }, priority: 10, configPatches: patches },
    });
  }

  private labelsOf(props: ResolvedRateLimitProps, name: string): Record<string, string> {
    return componentLabels({ name, partOf: props.partOf, environment: props.environment, component: 'rate-limit' });
  }

  private addRateLimitService(props: ResolvedRateLimitProps, selector: Record<string, string>): void {
    const name = RATE_LIMIT_SERVICE;
    const tmp = tmpVolume();
    const probe = { httpGet: { path: '/healthcheck', port: k8s.IntOrString.fromString('http') }, periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 };
    new SupportWorkload(this, 'Service', {
      name,
      labels: this.labelsOf(props, name),
      selector,
      image: props.image ?? RATE_LIMIT_IMAGE,
      runAsUser: 65534,
      replicas: props.replicas ?? 2,
      command: ['/bin/ratelimit'],
      ports: [{ name: 'grpc', port: GRPC_PORT, appProtocol: 'grpc' }, { name: 'http', port: HTTP_PORT, appProtocol: 'http', serve: false }],
      env: {
        USE_STATSD: 'false',
        LOG_LEVEL: 'warn',
        LOG_FORMAT: 'json',
        PORT: String(HTTP_PORT),
        GRPC_PORT: String(GRPC_PORT),
        REDIS_SOCKET_TYPE: 'tcp',
        REDIS_URL: `${serviceHost(RATE_LIMIT_REDIS, props.namespace)}:${REDIS_PORT}`,
        RUNTIME_ROOT: '/data',
        RUNTIME_SUBDIRECTORY: 'ratelimit',
        // ConfigMap volumes update through symlinks; watching the root would miss them.
        RUNTIME_WATCH_ROOT: 'false',
        RUNTIME_IGNOREDOTFILES: 'true',
      },
      resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '250m', memory: '128Mi' } },
      probes: { readiness: probe, liveness: probe },
      volumes: [
        { volume: { name: 'config', configMap: { name: `${name}-config` } }, mount: { name: 'config', mountPath: '/data/ratelimit/config', readOnly: true } },
        tmp,
      ],
    });
  }

  private addRedis(props: ResolvedRateLimitProps, selector: Record<string, string>): void {
    const ping = { exec: { command: ['redis-cli', 'ping'] }, periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 };
    new SupportWorkload(this, 'Redis', {
      name: RATE_LIMIT_REDIS,
      labels: this.labelsOf(props, RATE_LIMIT_REDIS),
      selector,
      image: props.redisImage,
      runAsUser: 999, // the redis user of the official image
      // Counters only: losing them on a restart resets the windows, nothing more.
      replicas: 1,
      // kube-score's own per-object exception mechanism, with its reason beside it.
      annotations: {
        'kube-score/ignore': 'deployment-replicas',
        'platform.shop-example.com/kube-score-reason': 'one counter store by design: a second Redis would split the rate-limit counters',
      },
      // One pod at a time: a second Redis would split the counters.
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: k8s.IntOrString.fromNumber(0), maxUnavailable: k8s.IntOrString.fromNumber(1) } },
      args: ['--save', '', '--appendonly', 'no', '--maxmemory', '48mb', '--maxmemory-policy', 'volatile-ttl'],
      ports: [{ name: 'tcp-redis', port: REDIS_PORT, appProtocol: 'redis' }],
      resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '250m', memory: '96Mi' } },
      probes: { readiness: ping, liveness: ping },
      volumes: [{ volume: { name: 'data', emptyDir: { sizeLimit: quantity('64Mi') } }, mount: { name: 'data', mountPath: '/data' } }],
    });
  }
}
