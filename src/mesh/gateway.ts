/**
 * The API gateway of one environment: an Istio Gateway (HTTPS with the environment's
 * certificate, HTTP redirected to HTTPS) and the VirtualService that routes path prefixes
 * to the owning services.
 */
import { Construct, IConstruct } from 'constructs';
import { Gateway, GatewaySpecServersTlsMinProtocolVersion, GatewaySpecServersTlsMode, VirtualService } from '../../imports/istio-networking.istio.io';
import { TreeIndex } from '../tree-index';
import { ingressGatewaySelector } from './ingress-gateway';
import { namespaceOf, routeName, serviceHost, trimSlash } from './names';
import { retryPolicy, RetrySettings, TrafficDestination } from './traffic';
import { compareText } from '../compare-text';
import { routeClashes } from '../spec/route-name';

/** Name of the Gateway and of its VirtualService. */
export const API_GATEWAY_NAME = 'api-gateway';

/** One path prefix routed to one service. */
export interface GatewayRoute {
  /** Path prefix, e.g. /api/users; matches the prefix itself and everything below it. */
  readonly prefix: string;
  /** Name of the service that owns the prefix. */
  readonly service: string;
  /**
   * Where its requests go: the owner's primary route (a subset, or the stable/canary split
   * that Argo Rollouts can reweight when it lists this route).
   * @default the owner's Service
   */
  readonly destinations?: readonly TrafficDestination[];
  /** Port of the service. */
  readonly port: number;
  /**
   * Whole-request timeout, e.g. 10s.
   * @default "10s"
   */
  readonly timeout?: string;
  /**
   * Retries of the owner (explicit, so Istio's default, which retries 503s, never applies).
   * @default none: attempts 0
   */
  readonly retries?: RetrySettings;
}

/** Props of an ApiGateway: its namespace, host, TLS credential, gateway pods and the routes to the owning services. */
export interface ApiGatewayProps {
  /**
   * Namespace of the environment; the Gateway and VirtualService live here.
   * @default - the namespace of the chart
   */
  readonly namespace?: string;
  /** Public host name, e.g. api.shop.example.com. */
  readonly host: string;
  /**
   * Secret with the certificate, looked up in the ingress gateway pods' namespace.
   * @default "gateway-tls"
   */
  readonly tlsCredential?: string;
  /**
   * Labels of the ingress gateway pods.
   * @default { istio: "ingressgateway" }
   */
  readonly gatewaySelector?: Readonly<Record<string, string>>;
  /** The routes, in any order; the longest prefixes are matched first. */
  readonly routes: readonly GatewayRoute[];
}

/** Every ApiGateway by the name of its VirtualService, for the delivery constructs' checks. */
const GATEWAYS = new TreeIndex<ApiGateway>();

/** The environment's Gateway and the VirtualService bound to it. */
export class ApiGateway extends Construct {
  /** The ApiGateways in the construct tree of `scope` whose VirtualService has this name (usually API_GATEWAY_NAME). */
  public static forVirtualService(scope: IConstruct, name: string): readonly ApiGateway[] {
    return GATEWAYS.find(scope, name);
  }

  /** The Istio Gateway (HTTPS, and HTTP redirected to HTTPS). */
  public readonly gateway: Gateway;
  /** The VirtualService that routes each prefix to its service. */
  public readonly virtualService: VirtualService;
  /** The routes as matched, longest prefix first. */
  public readonly routes: readonly GatewayRoute[];
  /** The namespace of the Gateway and its VirtualService. */
  public readonly namespace: string;
  private routesByName?: ReadonlyMap<string, GatewayRoute>;
  private routesByService?: ReadonlyMap<string, readonly RouteLeading[]>;

  constructor(scope: Construct, id: string, props: ApiGatewayProps) {
    super(scope, id);
    this.namespace = namespaceOf(this, props.namespace, 'ApiGateway');
    const problems = routeIdentityProblems(props.routes.map((r) => r.prefix));
    if (problems.length) throw new Error(`ApiGateway: ${problems.join('; ')}`);
    const gatewaySelector = ingressGatewaySelector(props.gatewaySelector, 'ApiGateway', 'gatewaySelector');
    // Longest prefix first: a shorter prefix (/api) never shadows a longer one (/api/users).
    this.routes = [...props.routes].sort((a, b) => b.prefix.length - a.prefix.length || compareText(a.prefix, b.prefix));

    // The Gateway lives in the environment's namespace and selects the shared ingress pods
    // by label (istiod does so across namespaces while PILOT_SCOPE_GATEWAY_TO_NAMESPACE is false,
    // the default). "./host" lets only VirtualServices of this namespace bind to the host.
    this.gateway = new Gateway(this, 'Gateway', {
      metadata: { name: API_GATEWAY_NAME },
      spec: {
        selector: { ...gatewaySelector },
        servers: [
          {
            port: { number: 443, name: 'https', protocol: 'HTTPS' },
            hosts: [`./${props.host}`],
            // credentialName is resolved in the namespace of the ingress gateway pods.
            tls: { mode: GatewaySpecServersTlsMode.SIMPLE, credentialName: props.tlsCredential ?? 'gateway-tls', minProtocolVersion: GatewaySpecServersTlsMinProtocolVersion.TLSV1_UNDERSCORE_2 },
          },
          {
            port: { number: 80, name: 'http', protocol: 'HTTP' },
            hosts: [`./${props.host}`],
            tls: { httpsRedirect: true },
          },
        ],
      },
    });

    this.virtualService = new VirtualService(this, 'VirtualService', {
      metadata: { name: API_GATEWAY_NAME },
      spec: {
        hosts: [props.host],
        gateways: [API_GATEWAY_NAME],
        http: this.routes.map((r) => ({
          // The Envoy route carries this name; the rate limit patches find routes by it.
          name: routeName(r.prefix),
          match: prefixMatches(r.prefix),
          route: (r.destinations ?? [{ service: r.service }]).map((d) => ({
            destination: { host: serviceHost(d.service, this.namespace), subset: d.subset, port: { number: r.port } },
            weight: d.weight,
          })),
          timeout: r.timeout ?? '10s',
          retries: retryPolicy(r.retries ?? { attempts: 0, perTryTimeout: r.timeout ?? '10s' }),
        })),
      },
    });
    GATEWAYS.add(this, API_GATEWAY_NAME);
  }

  /** The route of that name (routeName of its prefix, e.g. "api-orders" for /api/orders), if any. */
  public route(name: string): GatewayRoute | undefined {
    // Built once: every canary behind the gateway looks its routes up here.
    this.routesByName ??= new Map(this.routes.map((r) => [routeName(r.prefix), r]));
    return this.routesByName.get(name);
  }

  /**
   * The routes that lead to `service` (its own, or with it among their destinations), in route
   * order, each with its name and every Service it leads to. Built once: every canary behind the
   * gateway looks up the routes to its Services here, instead of going through all of them.
   */
  public routesTo(service: string): readonly RouteLeading[] {
    if (!this.routesByService) {
      const byService = new Map<string, RouteLeading[]>();
      this.routes.forEach((route, order) => {
        const targets = (route.destinations ?? [{ service: route.service }]).map((d) => d.service);
        const leading: RouteLeading = { order, name: routeName(route.prefix), route, targets };
        for (const target of new Set(targets)) byService.set(target, [...(byService.get(target) ?? []), leading]);
      });
      this.routesByService = byService;
    }
    return this.routesByService.get(service) ?? [];
  }
}

/** A gateway route with its name and the Services it leads to (ApiGateway.routesTo). */
export interface RouteLeading {
  /** Its place among the gateway's routes (longest prefix first). */
  readonly order: number;
  /** Its name (routeName of its prefix). */
  readonly name: string;
  /** The route. */
  readonly route: GatewayRoute;
  /** Every Service its requests may go to, in destination order (with repeats). */
  readonly targets: readonly string[];
}

/** Matches the prefix as whole path segments: /api/users and /api/users/..., never /api/usersX. */
function prefixMatches(prefix: string): Array<{ uri: { exact?: string; prefix?: string } }> {
  const base = trimSlash(prefix);
  if (base === '') return [{ uri: { prefix: '/' } }];
  return [{ uri: { exact: base } }, { uri: { prefix: `${base}/` } }];
}

/**
 * Prefixes that would be one route: the same prefix with or without a trailing "/" (the same
 * matches: Istio takes the first route and never the other), or prefixes whose route names are the
 * same (the rate limit's route patches and Argo Rollouts find gateway routes by name, so one would
 * get the other's limit or weights). The spec checks refuse both (src/spec/checks/mesh.ts).
 */
export function routeIdentityProblems(prefixes: readonly string[]): string[] {
  return routeClashes(prefixes).map(({ kind, first, second, name }) => {
    const [earlier, prefix] = [prefixes[first], prefixes[second]];
    if (kind === 'same-prefix') return `route prefix ${prefix} is given twice; a prefix belongs to one service`;
    if (kind === 'same-match') return `route prefixes ${earlier} and ${prefix} match the same requests (a trailing "/" makes no difference); Istio would send them all to the first, so give each prefix one route`;
    return `route prefixes ${earlier} and ${prefix} get the same route name "${name}" (the prefix with "/" and other symbols as "-"); rate limits and Argo Rollouts find gateway routes by name, so one would get the other's limit or weights: give each prefix a name of its own`;
  });
}
