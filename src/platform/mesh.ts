/**
 * The mesh and the API gateway of one environment, mapped from the spec. One declaration,
 * each service's `calls`, drives both the mTLS authorization (AuthorizationPolicy) and the
 * network policy; the gateway's routes drive its path-limited access.
 */
import type { EnvironmentCharts } from './manifest-chart';
import { EgressSpec, EnvironmentSpec, ServiceSpec } from '../spec/schema';
import { GatewayAccessLog } from '../mesh/access-log';
import { GatewayAuth } from '../mesh/auth';
import { ExternalService, externalEgress } from '../mesh/external-service';
import { ApiGateway } from '../mesh/gateway';
import { NamespaceMtls } from '../mesh/mtls';
import { ISTIOD_NAMESPACE, prefixPaths, principalOf, routeName } from '../mesh/names';
import { NamespaceNetworkPolicy } from '../mesh/network-policy';
import { describeLimit, GatewayRateLimit } from '../mesh/rate-limit';
import { serviceTrafficProps, trafficRouting } from './service-props';
import { ServiceTraffic, trafficShape } from '../mesh/traffic';
import { WorkloadCaller, WorkloadEgress, WorkloadAccess } from '../mesh/workload-access';
import { DATA_STORES, namespaceOfUrl } from '../mesh';

/** Adds the gateway, mesh policy and per-service traffic objects to an environment. */
export function addMesh(platform: EnvironmentCharts): void {
  const env = platform.spec;
  const ns = env.namespace;
  const gw = env.platform.gateway;
  const shared = platform.platformChart;
  const trustDomain = env.platform.trustDomain;
  const gatewayPrincipal = principalOf(gw.namespace, gw.serviceAccount, trustDomain);

  new NamespaceMtls(shared, 'Mtls');
  new NamespaceNetworkPolicy(shared, 'NetworkBaseline', {
    istiodNamespace: ISTIOD_NAMESPACE,
    prometheusNamespace: namespaceOfUrl(env.platform.prometheusAddress),
  });

  const routes = Object.entries(env.services).flatMap(([name, svc]) => svc.routes.map((r) => ({ ...r, service: name, svc })));
  if (routes.length) {
    new ApiGateway(shared, 'ApiGateway', {
      namespace: ns,
      host: env.platform.host,
      tlsCredential: env.platform.tlsCredential,
      gatewaySelector: gw.selector,
      // Gateway requests take the owner's primary route, as in-mesh requests do.
      routes: routes.map((r) => ({ prefix: r.prefix, service: r.service, destinations: trafficShape(r.service, trafficRouting(r.svc)).primary, port: r.svc.port, timeout: r.svc.traffic.timeout, retries: r.svc.traffic.retries })),
    });
    new GatewayAccessLog(shared, 'GatewayAccessLog', { gatewayNamespace: gw.namespace, gatewaySelector: gw.selector, environmentNamespace: ns });
  }
  if (env.platform.jwt) {
    new GatewayAuth(shared, 'GatewayAuth', {
      gatewayNamespace: gw.namespace,
      gatewaySelector: gw.selector,
      environmentNamespace: ns,
      host: env.platform.host,
      issuer: env.platform.jwt.issuer,
      jwksUri: env.platform.jwt.jwksUri,
      audiences: env.platform.jwt.audiences,
      protectedPrefixes: routes.filter((r) => r.auth === 'jwt').map((r) => r.prefix),
      openPrefixes: routes.filter((r) => r.auth !== 'jwt').map((r) => r.prefix),
    });
  }
  const limited = routes.flatMap((r) => (r.rateLimit ? [{ prefix: r.prefix, requests: r.rateLimit.requests, window: r.rateLimit.window }] : []));
  if (limited.length) {
    new GatewayRateLimit(shared, 'GatewayRateLimit', {
      namespace: ns,
      environment: env.name,
      partOf: env.platform.name,
      host: env.platform.host,
      gatewayNamespace: gw.namespace,
      gatewaySelector: gw.selector,
      gatewayServiceAccount: gw.serviceAccount,
      routes: limited,
      redisImage: env.platform.redis.image,
    });
  }

  const callers = callerMap(env);
  for (const [name, stack] of platform.services) {
    const svc = env.services[name];
    new ServiceTraffic(stack.chart, `${name}-traffic`, serviceTrafficProps(name, ns, svc, stack.workload.labels));

    const admitted: WorkloadCaller[] = (callers.get(name) ?? []).map((caller) => ({
      principals: [principalOf(ns, caller, trustDomain)],
      peer: { podLabels: platform.services.get(caller)?.workload.selector },
    }));
    if (svc.routes.length) {
      admitted.push({ principals: [gatewayPrincipal], peer: { namespace: gw.namespace, podLabels: gw.selector }, paths: svc.routes.flatMap((r) => prefixPaths(r.prefix)) });
    }
    const egress: WorkloadEgress[] = svc.calls.flatMap((callee) => {
      const target = platform.services.get(callee);
      return target ? [{ to: [{ podLabels: target.workload.selector }], ports: [{ port: target.workload.port }] }] : [];
    });
    egress.push(...dataStoreEgress(name, svc));
    svc.egress.forEach((dest, i) => {
      new ExternalService(stack.chart, `${name}-egress-${i}`, {
        name: externalServiceName(name, dest, i), host: dest.host, cidrs: dest.cidrs, port: dest.port, protocol: dest.protocol, labels: stack.workload.labels,
      });
      egress.push(externalEgress(dest, env.platform.clusterCidrs));
    });
    new WorkloadAccess(stack.chart, `${name}-access`, {
      name,
      selector: stack.workload.selector,
      ports: [{ port: svc.port }],
      callers: admitted,
      egress,
      labels: stack.workload.labels,
    });
  }
}

/** The ServiceEntry name of a service's egress destination, e.g. notification-service-smtp-sendgrid-net-465. */
export function externalServiceName(service: string, dest: EgressSpec, index: number): string {
  const what = dest.host ? dest.host.replace(/\./g, '-') : `cidr-${index}`;
  return `${service}-${what}-${dest.port}`.slice(0, 253).replace(/-+$/, '');
}

/**
 * What each declared rate limit of the environment was generated as, one line per limited route
 * (e.g. "rate limit api-auth: 5 per 15m generated as 5 per hour (...)"): the rate limit service
 * counts only whole seconds, minutes, hours or days, so other windows change shape.
 */
export function rateLimitNotes(env: EnvironmentSpec): string[] {
  return Object.values(env.services).flatMap((svc) => svc.routes.flatMap((r) =>
    (r.rateLimit ? [`rate limit ${routeName(r.prefix)}: ${describeLimit(r.rateLimit.requests, r.rateLimit.window)}`] : [])));
}

/** For each service, the services that declare a call to it, in spec order. */
export function callerMap(env: EnvironmentSpec): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [caller, svc] of Object.entries(env.services)) {
    for (const callee of svc.calls) out.set(callee, [...(out.get(callee) ?? []), caller]);
  }
  return out;
}

/** Egress to the data stores a service declares: its database, the cache, the message broker. */
function dataStoreEgress(name: string, svc: ServiceSpec): WorkloadEgress[] {
  const to = (store: keyof typeof DATA_STORES, appName: string): WorkloadEgress =>
    ({ to: [{ podLabels: { 'app.kubernetes.io/name': appName } }], ports: [{ port: DATA_STORES[store].port }] });
  const out: WorkloadEgress[] = [];
  if (svc.database) out.push(to('postgres', DATA_STORES.postgres.name(name)));
  if (svc.cache) out.push(to('redis', DATA_STORES.redis.name()));
  if (svc.publishes.length || svc.consumes.length) out.push(to('rabbitmq', DATA_STORES.rabbitmq.name()));
  return out;
}
