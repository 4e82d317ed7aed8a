/**
 * The platform spec: one zod schema gives validation, the TypeScript types and the
 * JSON Schema that editors use (see json-schema.ts).
 */
import * as z from 'zod';
import type { SpecFiles } from './files';
import { configMapKey, dns1123Subdomain, hostName, INT32_MAX, labelValue, qualifiedName, quantity as kubernetesQuantity, rule } from './k8s-rules';
import { deepPartial } from './schema-walk';
import { SAFE_RETRY_ON } from './retry-policy';
import { DURATION } from './duration';
import { ENV_VAR_NAME, EVENT_NAME, EXCHANGE_NAME, GIT_PATH, GIT_URL, HOST_PORT, IPV4_CIDR, REDIS_EVICTION_POLICIES, SQL_IDENTIFIER } from './formats';

/** DNS-1035 label: the strictest Kubernetes object name rule (Services need it). */
export const DNS_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
/** Kubernetes resource quantity, e.g. 250m, 0.5, 128Mi, 1G, 1e3 (resource.Quantity's grammar, no sign). */
export const QUANTITY = /^[+]?(\d+(\.\d*)?|\.\d+)(n|u|m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei|[eE][+-]?\d+)?$/;

const dnsLabel = (max: number) =>
  z.string().max(max, { message: `must be at most ${max} characters` }).regex(DNS_LABEL, {
    message: 'must be a DNS-1035 label: lowercase letters, digits and "-", starting with a letter, ending with a letter or digit',
  });
const quantity = (what: string) =>
  rule(z.string().regex(QUANTITY, { message: `must be a Kubernetes ${what} quantity such as ${what === 'CPU' ? '100m or 0.5' : '128Mi or 1Gi'}` }),
    (v) => (QUANTITY.test(v) ? kubernetesQuantity(v) : []));
/** An integer as the API stores most counts: int32. */
const int32 = (params?: { message: string }) =>
  z.number().int(params).max(INT32_MAX, { message: `must be at most ${INT32_MAX} (Kubernetes stores it as a 32-bit integer)` });
/** A string copied into a manifest as free text: no control characters, bounded. */
const text = (max = 1024) => z.string().max(max, { message: `must be at most ${max} characters` })
  // eslint-disable-next-line no-control-regex
  .regex(/^[^\u0000-\u001f\u007f]*$/, { message: 'must not contain control characters (newlines, tabs, escapes)' });
/** An image reference (the distribution grammar: [host[:port]/]path[:tag][@digest]); pinning is checked in load.ts. */
const IMAGE_REFERENCE = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?$/;
const image = () => z.string().min(1).max(512, { message: 'must be at most 512 characters' }).superRefine((v, ctx) => {
  // The digest is checked with the pin (src/spec/image.ts), an empty value by min(1).
  const name = v.split('@')[0];
  if (v !== '' && !IMAGE_REFERENCE.test(name)) {
    ctx.addIssue({ code: 'custom', message: 'must be an image reference such as registry.example.com/team/app:1.2.3 or app@sha256:<64 hex digits>' });
  }
});
/** An https:// or http:// URL with a host, no spaces or control characters. */
const url = (schemes: readonly string[]) => text(2048).regex(new RegExp(`^(${schemes.map((x) => x.replace(':', '')).join('|')}):\\/\\/`), {
  message: `must be a ${schemes.map((x) => x.replace(':', '://')).join(' or ')} URL`,
}).superRefine((v, ctx) => {
  let ok = false;
  try {
    const u = new URL(v);
    ok = schemes.includes(u.protocol) && u.hostname !== '' && !/\s/.test(v);
  } catch {
    ok = false;
  }
  if (!ok) ctx.addIssue({ code: 'custom', message: `must be a ${schemes.map((x) => x.replace(':', '://')).join(' or ')} URL with a host and no spaces` });
});
const duration = () => z.string().regex(DURATION, { message: 'must be a duration such as 500ms, 30s, 1m or 1h' });
const port = () => int32({ message: 'must be an integer from 1 to 65535' })
  .min(1, { message: 'must be an integer from 1 to 65535' }).max(65535, { message: 'must be an integer from 1 to 65535' });
/** A DNS host name (no wildcard). */
export const HOST_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/;
const cidr = () => z.string().regex(IPV4_CIDR, { message: 'must be an IPv4 range in CIDR notation, such as 10.0.0.0/8 or 203.0.113.7/32' });
const percent = () => z.number().min(0, { message: 'must be from 0 to 100' }).max(100, { message: 'must be from 0 to 100' });

export const ResourceAmountSchema = z.strictObject({
  /** CPU, e.g. 100m. */
  cpu: quantity('CPU'),
  /** Memory, e.g. 128Mi. */
  memory: quantity('memory'),
});

export const ResourcesSchema = z.strictObject({
  requests: ResourceAmountSchema.describe('What the scheduler reserves.'),
  limits: ResourceAmountSchema.describe('The most the container may use.'),
});

export const SecretRefSchema = z.strictObject({
  secret: dnsLabel(253).describe('Name of an existing Secret in the namespace.'),
  key: rule(z.string().regex(/^[-._a-zA-Z0-9]+$/, { message: 'must be a Secret key: letters, digits, "-", "_" and "."' }), (v) => (/^[-._a-zA-Z0-9]+$/.test(v) ? configMapKey(v) : []))
    .describe('Key inside the Secret.'),
});

export const AutoscalingSchema = z.strictObject({
  minReplicas: int32().min(1, { message: 'must be at least 1' }).describe('Fewest replicas.'),
  maxReplicas: int32().min(1, { message: 'must be at least 1' }).describe('Most replicas.'),
  cpuUtilization: int32().min(1).max(100).default(70).describe('Target average CPU utilization in percent of the request.'),
});

export const RateLimitSchema = z.strictObject({
  requests: int32({ message: 'must be a whole number of requests' }).positive({ message: 'must be a positive number of requests' })
    .describe('Requests allowed per client and path in one window.'),
  window: text(32).describe('Window length such as 15m, 1h or 30s.'),
});

export const RouteSchema = z.strictObject({
  prefix: z.string().max(1024, { message: 'must be at most 1024 characters' }).regex(/^\/[-a-zA-Z0-9_/.]*$/, { message: 'must be a URL path starting with "/"' }).describe('Path prefix routed to the service.'),
  auth: z.enum(['jwt', 'none']).default('jwt').describe('"jwt" demands a valid token; "none" leaves the route open (sign-up, login).'),
  rateLimit: RateLimitSchema.optional().describe('Per-client, per-path request limit at the gateway.'),
});

export { SAFE_RETRY_ON };
/**
 * The Envoy retry conditions (x-envoy-retry-on, x-envoy-retry-grpc-on) that Istio's VirtualService
 * validation accepts; it also accepts HTTP status codes.
 */
export const RETRY_CONDITIONS = [
  '5xx', 'gateway-error', 'reset', 'connect-failure', 'envoy-ratelimited', 'retriable-4xx', 'refused-stream',
  'retriable-status-codes', 'retriable-headers',
  'cancelled', 'deadline-exceeded', 'internal', 'resource-exhausted', 'unavailable',
] as const;
const RETRY_CONDITION = `(${RETRY_CONDITIONS.join('|')}|[1-5][0-9][0-9])`;
/** A comma-separated list of retry conditions. */
export const RETRY_ON = new RegExp(`^${RETRY_CONDITION}(,${RETRY_CONDITION})*$`);

export const RetriesSchema = z.strictObject({
  attempts: int32().min(0).max(10).default(3).describe('Retry attempts.'),
  perTryTimeout: duration().default('2s').describe('Timeout of each try.'),
  retryOn: z.string().superRefine((v, ctx) => {
    if (RETRY_ON.test(v)) return;
    const bad = v.split(',').filter((c) => !(RETRY_CONDITIONS as readonly string[]).includes(c) && !/^[1-5][0-9]{2}$/.test(c));
    const what = bad.length === 0 ? 'is not a comma-separated list (no spaces, no empty entries)'
      : `${bad.slice(0, 5).map((c) => JSON.stringify(c.slice(0, 40))).join(', ')} ${bad.length === 1 ? 'is not a retry condition' : 'are not retry conditions'}`;
    ctx.addIssue({ code: 'custom', message: `${what}; use a comma-separated list (no spaces) of HTTP status codes such as 503 and ${RETRY_CONDITIONS.join(', ')}` });
  }).default(SAFE_RETRY_ON).describe(`Envoy retry conditions, comma-separated. The default (${SAFE_RETRY_ON}) only retries requests the service never received, so it is safe for writes. `
    + 'Conditions such as 5xx, reset, gateway-error, retriable-4xx or a status code retry after the service may have acted: a POST can then run twice (a duplicate order). Add them only to services whose every routed request is idempotent.'),
});

export const CircuitBreakerSchema = z.strictObject({
  consecutive5xxErrors: int32().min(1).default(5).describe('Errors before a host is ejected.'),
  interval: duration().default('30s').describe('Analysis sweep interval.'),
  baseEjectionTime: duration().default('30s').describe('Minimum ejection time.'),
  maxEjectionPercent: int32().min(0).max(100).default(50).describe('Most hosts ejected at once, in percent.'),
});

export const ConnectionPoolSchema = z.strictObject({
  maxConnections: int32().min(1).default(100).describe('Most TCP connections to the service.'),
  http1MaxPendingRequests: int32().min(1).default(100).describe('Most queued HTTP requests.'),
  maxRequestsPerConnection: int32().min(0).default(0).describe('0 means unlimited keep-alive reuse.'),
});

export const TrafficSchema = z.strictObject({
  timeout: duration().default('10s').describe('Whole-request timeout.'),
  retries: RetriesSchema.prefault({}).describe('Retry policy.'),
  connectionPool: ConnectionPoolSchema.prefault({}).describe('Connection pool limits.'),
  circuitBreaker: CircuitBreakerSchema.prefault({}).describe('Outlier detection.'),
  versionHeader: text(256).default('version').describe('Header whose value "v2" pins a request to the new version.'),
});

export const DatabaseSchema = z.strictObject({
  name: z.string().regex(SQL_IDENTIFIER, { message: 'must be a PostgreSQL identifier: lowercase letters, digits and "_", starting with a letter or "_", at most 63 characters' })
    .describe('Database name, e.g. user_service.'),
  schema: z.string().min(1).describe('SQL file (relative to the spec file) run once when the database is created.'),
  credentialsSecret: dnsLabel(253).optional().describe('Secret with keys "username" and "password". @default "<service>-db-credentials"'),
  pool: z.strictObject({
    max: int32().min(1).default(20).describe('Most pooled connections.'),
    idleTimeoutMs: int32().min(0).default(30000).describe('Idle connection timeout in ms.'),
    connectTimeoutMs: int32().min(0).default(2000).describe('Connect timeout in ms.'),
  }).prefault({}).describe('Client pool settings, passed as env.'),
});

export const CacheSchema = z.strictObject({
  ttlSeconds: int32().min(1).default(300).describe('Cache entry TTL, passed as CACHE_TTL_SECONDS.'),
});

export const CanaryStepSchema = z.union([
  z.strictObject({ setWeight: z.number().describe('Percent of traffic to the canary.') }),
  z.strictObject({
    pause: z.strictObject({
      duration: z.union([z.string(), int32().min(0)]).optional()
        .describe('Pause length such as 30s, 1m, 1h or whole seconds; absent means until promoted.'),
    }),
  }),
]);

export const DeliverySchema = z.strictObject({
  strategy: z.enum(['rolling', 'blueGreen', 'canary']).default('rolling').describe('rolling: a Deployment; blueGreen or canary: an Argo Rollout.'),
  blueGreen: z.strictObject({
    preview: z.boolean().default(true).describe('Create the preview Service (required by blue-green).'),
    autoPromotionEnabled: z.boolean().default(false).describe('Promote without a human.'),
    scaleDownDelaySeconds: int32().min(0).default(30).describe('Keep the old version this long after promotion.'),
    prePromotionAnalysis: z.array(z.string()).default(['success-rate']).describe('AnalysisTemplates run against the preview before promotion.'),
  }).optional().describe('Blue-green settings.'),
  canary: z.strictObject({
    steps: z.array(CanaryStepSchema).min(1).describe('setWeight and pause steps.'),
    analysis: z.array(z.string()).default(['success-rate']).describe('AnalysisTemplates run in the background.'),
    trafficRouting: z.enum(['istio', 'none']).default('istio').describe('"istio" shifts weights in the service VirtualService.'),
  }).optional().describe('Canary settings.'),
});

export const EgressSchema = z.strictObject({
  host: z.string().regex(HOST_NAME, { message: 'must be a DNS host name such as smtp.sendgrid.net (no wildcard, no port)' }).optional()
    .describe('External host name; gets an Istio ServiceEntry (MESH_EXTERNAL, DNS resolution, visible in this namespace only).'),
  cidrs: z.array(cidr()).min(1).optional()
    .describe('Addresses the destination has. Without them a host is reachable at any address outside platform.clusterCidrs on this port, since a NetworkPolicy cannot select by name.'),
  port: port().describe('Destination port, e.g. 587 for SMTP submission or 443 for an HTTPS API.'),
  protocol: z.enum(['TLS', 'HTTPS', 'TCP']).default('TLS')
    .describe('How the sidecar tells it apart: TLS or HTTPS (TLS from the first byte) by host name (SNI); TCP (SMTP with STARTTLS, databases) only by address, so TCP needs cidrs.'),
});

/** One service of the spec: image, port, scaling, resources, env, calls, data stores, routes, egress, traffic and delivery. */
export const ServiceSchema = z.strictObject({
  image: image().describe('Container image pinned by tag or digest, never "latest".'),
  port: port().describe('HTTP port the container listens on.'),
  replicas: int32().min(0, { message: 'must be 0 or more' }).default(2).describe('Replicas when autoscaling is absent; initial replicas otherwise.'),
  autoscaling: AutoscalingSchema.optional().describe('HorizontalPodAutoscaler bounds.'),
  resources: ResourcesSchema.prefault({ requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } })
    .describe('Requests and limits.'),
  env: z.record(z.string().regex(ENV_VAR_NAME, { message: 'must be an environment variable name' }), z.string()).default({})
    .describe('Plain environment variables (never secrets).'),
  secretEnv: z.record(z.string().regex(ENV_VAR_NAME, { message: 'must be an environment variable name' }), SecretRefSchema).default({})
    .describe('Environment variables read from Secrets by name and key.'),
  calls: z.array(z.string()).default([]).describe('Services this service calls over HTTP; drives authorization and network policy.'),
  database: DatabaseSchema.optional().describe('Own PostgreSQL database.'),
  cache: CacheSchema.optional().describe('Redis cache access.'),
  publishes: z.array(z.string().max(200, { message: 'must be at most 200 characters' }).regex(EVENT_NAME, { message: 'must be an event name such as order.created' })).default([])
    .describe('Events published to the topic exchange.'),
  consumes: z.array(z.string().max(200, { message: 'must be at most 200 characters' }).regex(EVENT_NAME, { message: 'must be an event name such as order.created' })).default([])
    .describe('Events consumed, each through its own durable quorum queue.'),
  routes: z.array(RouteSchema).default([]).describe('Gateway routes owned by this service.'),
  egress: z.array(EgressSchema).default([]).describe('Destinations outside the cluster the service connects to (SMTP relays, external APIs): each needs a host, CIDRs or both, and a port.'),
  traffic: TrafficSchema.prefault({}).describe('Mesh traffic policy.'),
  delivery: DeliverySchema.prefault({}).describe('Delivery strategy.'),
  automountServiceAccountToken: z.boolean().default(false).describe('Mount the Kubernetes API token (rarely needed).'),
  runAsUser: int32().min(1, { message: 'must be a non-zero UID' }).default(10001).describe('Non-root UID the container runs as.'),
});

export const StorageSchema = z.strictObject({
  size: quantity('storage').describe('Volume size, e.g. 10Gi.'),
  storageClass: rule(z.string(), dns1123Subdomain).optional().describe('StorageClass name; absent uses the cluster default.'),
});

export const GitOpsSchema = z.strictObject({
  repoURL: z.string().regex(GIT_URL, { message: 'must be a Git URL starting with https://, ssh:// or git@' })
    .describe('Git repository that holds the synthesized output (the rendered manifests).'),
  path: z.string().regex(GIT_PATH, { message: 'must be a relative directory such as dist or deploy/dist, without a leading "/" or "./"' })
    .default('dist').describe('Directory in the repository that holds <env>/ (the --out of synth).'),
  targetRevision: z.string().min(1).default('main').describe('Branch (or tag) Argo CD and Flux deploy from; set it per environment to deploy each from its own branch.'),
  argocd: z.strictObject({
    namespace: dnsLabel(63).default('argocd').describe('Namespace Argo CD runs in (its Applications and AppProjects live there).'),
    server: z.string().regex(/^https:\/\//, { message: 'must be an https:// API server URL' }).default('https://kubernetes.default.svc')
      .describe('API server of the cluster the environment is deployed to, as registered in Argo CD.'),
    automated: z.boolean().default(true).describe('Sync on every new commit and undo manual changes (prune and self-heal); false: sync by hand.'),
    respectIgnoreDifferences: z.boolean().default(false)
      .describe('Add RespectIgnoreDifferences=true: Argo CD then keeps the whole live route list of the reweighted VirtualServices on every sync (docs/gitops.md).'),
  }).prefault({}).describe('Argo CD Applications and AppProjects (dist/gitops/argocd/).'),
  flux: z.strictObject({
    namespace: dnsLabel(63).default('flux-system').describe('Namespace Flux runs in (its GitRepository and Kustomization live there).'),
    interval: duration().default('10m').describe('How often Flux re-applies the environment and checks the repository.'),
  }).prefault({}).describe('Flux GitRepository and Kustomization (dist/gitops/flux/).'),
});

/** The `platform` block: settings shared by every service and environment. */
export const PlatformSettingsSchema = z.strictObject({
  name: dnsLabel(30).describe('Platform name, used in labels and the default namespace.'),
  host: rule(z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, { message: 'must be a DNS host name' }), hostName).describe('Public host name of the API gateway.'),
  trustDomain: z.string().max(253, { message: 'must be at most 253 characters' })
    .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/, {
      message: 'must be a trust domain as the mesh sets it (meshConfig.trustDomain): lowercase DNS labels joined by ".", such as cluster.local or prod.example.com',
    })
    .default('cluster.local')
    .describe('SPIFFE trust domain of the mesh (Istio meshConfig.trustDomain); workload identities in authorization policies are <trustDomain>/ns/<namespace>/sa/<account>.'),
  tlsCredential: dnsLabel(253).default('gateway-tls').describe('Secret (in the gateway namespace) holding the gateway certificate.'),
  gateway: z.strictObject({
    namespace: dnsLabel(63).default('istio-system').describe('Namespace of the ingress gateway deployment.'),
    selector: z.record(rule(z.string(), qualifiedName), rule(z.string(), labelValue))
      .refine((s) => Object.keys(s).length > 0, { message: 'must name at least one label: an empty selector would select every pod' }).default({ istio: 'ingressgateway' }).describe('Labels of the ingress gateway pods.'),
    serviceAccount: rule(z.string(), dns1123Subdomain).default('istio-ingressgateway-service-account').describe('ServiceAccount of the ingress gateway pods.'),
  }).prefault({}).describe('Where the Istio ingress gateway runs.'),
  jwt: z.strictObject({
    issuer: text().min(1).describe('Token issuer (iss).'),
    jwksUri: url(['https:']).describe('Where the signing keys are published.'),
    audiences: z.array(text().min(1)).default([]).describe('Accepted audiences (aud); empty accepts any.'),
  }).optional().describe('JWT validation at the gateway; required when a route uses auth "jwt".'),
  tracing: z.strictObject({
    samplingPercent: percent().default(1).describe('Percent of requests traced.'),
    collectorImage: image().default('otel/opentelemetry-collector-contrib:0.111.0').describe('OpenTelemetry Collector image.'),
    backendEndpoint: text(260).regex(HOST_PORT, { message: 'must be host:port, such as tempo.monitoring.svc.cluster.local:4317' }).optional()
      .describe('OTLP gRPC backend (host:port) the collector forwards traces to; absent: the collector only logs them.'),
  }).prefault({}).describe('Tracing through OpenTelemetry.'),
  kubernetesApi: z.strictObject({
    cidrs: z.array(cidr()).min(1).default(['0.0.0.0/0']).describe('Addresses of the API server endpoints (kubectl get endpoints kubernetes -n default). The default admits any address on the API ports; set the real ones.'),
    ports: z.array(port()).min(1).default([443, 6443]).describe('API server ports: the kubernetes Service port and the endpoints\' port, since most CNIs check egress after the Service address is translated.'),
  }).prefault({}).describe('The Kubernetes API server, which RabbitMQ\'s peer discovery calls.'),
  clusterCidrs: z.array(cidr()).min(1).default(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'])
    .describe('Pod and Service address ranges of the cluster. Egress declared by host only may reach any address outside them; the default excludes all private (RFC 1918) ranges.'),
  prometheusAddress: text(2048).default('http://prometheus.monitoring.svc.cluster.local:9090').describe('Prometheus used by rollout analysis.'),
  analysis: z.strictObject({
    successRate: z.number().min(0).max(1).default(0.95).describe('Least acceptable share of non-5xx responses.'),
    interval: duration().default('1m').describe('Measurement interval.'),
    failureLimit: int32().min(0).default(2).describe('Failed measurements tolerated.'),
    count: int32().min(1).default(5).describe('Measurements per analysis run; a run lasts count × interval.'),
  }).prefault({}).describe('The success-rate AnalysisTemplate.'),
  postgres: z.strictObject({
    image: image().default('postgres:16.4-bookworm').describe('PostgreSQL image pinned by tag or digest.'),
    storage: StorageSchema.prefault({ size: '10Gi' }).describe('Volume per database.'),
    resources: ResourcesSchema.prefault({ requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } }).describe('Requests and limits.'),
  }).prefault({}).describe('PostgreSQL, one per service that declares a database.'),
  redis: z.strictObject({
    image: image().default('redis:7.4.1-bookworm').describe('Redis image.'),
    maxmemory: z.string().regex(/^\d+(mb|gb)$/, { message: 'must be a size such as 256mb or 1gb' }).default('256mb').describe('maxmemory.'),
    maxmemoryPolicy: z.enum(REDIS_EVICTION_POLICIES).default('allkeys-lru').describe('Eviction policy.'),
    persistence: z.boolean().default(false).describe('Append-only persistence on a volume.'),
    storage: StorageSchema.prefault({ size: '1Gi' }).describe('Volume when persistence is on.'),
    passwordSecret: SecretRefSchema.prefault({ secret: 'redis-credentials', key: 'password' }).describe('Where the password is.'),
    resources: ResourcesSchema.prefault({ requests: { cpu: '100m', memory: '320Mi' }, limits: { cpu: '500m', memory: '384Mi' } }).describe('Requests and limits.'),
  }).prefault({}).describe('Redis cache.'),
  rabbitmq: z.strictObject({
    image: image().default('rabbitmq:3.13.7-management').describe('RabbitMQ image.'),
    replicas: int32().min(1).default(1).describe('Cluster nodes (1 or an odd number >= 3).'),
    exchange: z.string().max(255, { message: 'must be at most 255 characters (an AMQP name)' }).regex(EXCHANGE_NAME, { message: 'must be lowercase letters, digits, "." and "-", starting with a letter' }).default('events').describe('Durable topic exchange for events.'),
    credentialsSecret: dnsLabel(253).default('rabbitmq-credentials').describe('Secret with keys "username", "password" and "erlang-cookie".'),
    storage: StorageSchema.prefault({ size: '5Gi' }).describe('Volume per node.'),
    resources: ResourcesSchema.prefault({ requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '1', memory: '1Gi' } }).describe('Requests and limits.'),
  }).prefault({}).describe('RabbitMQ for events.'),
  gitops: GitOpsSchema.optional().describe('Where the output is deployed from by Argo CD or Flux; absent: no dist/gitops/ (docs/gitops.md).'),
});

/** Per-environment settings and overrides. */
export const EnvironmentSchema = z.strictObject({
  namespace: dnsLabel(63).optional().describe('Namespace of the environment. @default "<platform.name>-<env>"'),
  platform: deepPartial(PlatformSettingsSchema).optional().describe('Overrides of platform settings (deep-merged; lists replace).'),
  services: z.record(z.string(), deepPartial(ServiceSchema)).optional().describe('Overrides per service (deep-merged; lists replace).'),
});

/** The whole platform.yaml: platform settings, services and environments. */
export const PlatformFileSchema = z.strictObject({
  $schema: z.string().optional().describe('JSON Schema location for editors.'),
  platform: PlatformSettingsSchema.describe('Settings shared by all services.'),
  services: z.record(z.string(), ServiceSchema).describe('The services, by name.'),
  environments: z.record(z.string(), EnvironmentSchema).describe('Environments, by name; each gets dist/<name>/.'),
});

/** A service of the spec, defaults applied. */
export type ServiceSpec = z.infer<typeof ServiceSchema>;
/** The platform settings, defaults applied. */
export type PlatformSettings = z.infer<typeof PlatformSettingsSchema>;
/** A gateway route of a service. */
export type RouteSpec = z.infer<typeof RouteSchema>;
export type EgressSpec = z.infer<typeof EgressSchema>;
/** The delivery block of a service: rolling, blue-green or canary. */
export type DeliverySpec = z.infer<typeof DeliverySchema>;
/** CPU and memory requests and limits. */
export type ResourcesSpec = z.infer<typeof ResourcesSchema>;
/** A Secret key an environment variable is read from. */
export type SecretRef = z.infer<typeof SecretRefSchema>;
/** One canary step: a traffic weight or a pause. */
export type CanaryStep = z.infer<typeof CanaryStepSchema>;
export type GitOpsSettings = z.infer<typeof GitOpsSchema>;

/** One environment's fully merged, validated spec: what constructs consume. */
export interface EnvironmentSpec {
  /** Environment name, e.g. "prod". */
  readonly name: string;
  /** Namespace all objects go to. */
  readonly namespace: string;
  /** Platform settings after the environment's overrides. */
  readonly platform: PlatformSettings;
  /** Services after the environment's overrides, by name, in spec order. */
  readonly services: Readonly<Record<string, ServiceSpec>>;
  /** Directory of the spec file (definePlatform: its baseDir option): schema files are relative to it. */
  readonly baseDir: string;
  /**
   * Reads the files the spec names, confined to a root directory (see LoadOptions.filesRoot).
   * @default files below baseDir
   */
  readonly files?: SpecFiles;
}

/**
 * The whole spec as written, before defaults: what `config/platform.yaml` holds, and what
 * `definePlatform` takes in TypeScript. Fields with a default are optional; unknown keys are
 * type errors in an object literal, as the loader rejects them.
 */
export type PlatformInput = z.input<typeof PlatformFileSchema>;
/** One service as written (an entry of `PlatformInput['services']`), before defaults. */
export type ServiceInput = z.input<typeof ServiceSchema>;
/** The `platform` block as written, before defaults. */
export type PlatformSettingsInput = z.input<typeof PlatformSettingsSchema>;
/** One environment as written: its namespace and its overlays of the platform settings and services (every field optional, lists replace). */
export type EnvironmentInput = z.input<typeof EnvironmentSchema>;
