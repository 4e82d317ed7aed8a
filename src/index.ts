/**
 * The public API of platform-constructs: load a platform spec (a YAML file, or a TypeScript
 * object with definePlatform), compose environments from it, synthesize and write them, and
 * extend them with constructs of your own that meet the same security defaults. Everything a
 * program needs is exported here; deeper paths are internal.
 *
 * @example
 * ```ts
 * import { composeEnvironment, loadPlatformFile, platformReportWriter, renderEnvironment, writeEnvironments } from 'platform-constructs';
 *
 * const loaded = loadPlatformFile('config/platform.yaml');
 * writeEnvironments('dist', loaded.environments.map((spec) => {
 *   const platform = composeEnvironment(spec);
 *   // add your own constructs to platform.services.get('order-service')!.chart here
 *   return renderEnvironment(platform, loaded, { extraWriters: [platformReportWriter] });
 * }));
 * ```
 *
 * @packageDocumentation
 */

// The spec: loading, validation problems, the schema and its types.
export { loadPlatform, loadPlatformFile, deepMerge, type LoadedPlatform, type LoadOptions, type SpecInputs } from './spec/load';
export { definePlatform, type DefinePlatformOptions } from './spec/define';
export { SpecFiles, MAX_SPEC_BYTES, MAX_REFERENCED_FILE_BYTES, type FileRead, type FileIdentity } from './spec/files';
export { OutputError } from './staged-output';
export { SpecError, formatProblem, type SpecProblem } from './spec/errors';
export type { Report, Checker, CheckContext } from './spec/checks';
export {
  PlatformFileSchema, ServiceSchema, PlatformSettingsSchema, EnvironmentSchema,
  type EnvironmentSpec, type ServiceSpec, type PlatformSettings, type RouteSpec, type DeliverySpec,
  type ResourcesSpec, type SecretRef,
  type PlatformInput, type ServiceInput, type PlatformSettingsInput, type EnvironmentInput,
} from './spec/schema';
export type { Overlay } from './spec/schema-walk';
export { parseQuantity } from './spec/quantity';
export { imagePinProblem } from './spec/image';
export { platformJsonSchema } from './spec/json-schema';

// Composition and synthesis.
export { PlatformEnvironment, ManifestChart, otlpEndpoint, type PlatformEnvironmentProps, type ManifestChartProps, type ServiceStack } from './platform/environment';
export type { EnvironmentCharts } from './platform/manifest-chart';
export {
  composeEnvironment, renderEnvironment, synthEnvironment, synthPlatform, writeEnvironments, renderFile, sortManifests,
  kindRank, type ExtraWriter, type SynthOptions, type FileListener, type Manifest, type ManifestFile, type SynthesizedEnvironment,
} from './synth';

// Workloads and the security defaults every pod meets (Pod Security Standards "restricted").
export {
  MicroService, HTTP_PORT_NAME, DEFAULT_SERVICE_RESOURCES, DEFAULT_AUTOSCALING, DEFAULT_RUN_AS_USER,
  type MicroServiceProps, type MicroServiceAutoscaling, type SecretKeyReference,
} from './workload/microservice';
export { microServiceProps, serviceTrafficProps, trafficRouting } from './platform/service-props';
export { PlatformNamespace, type PlatformNamespaceProps } from './workload/namespace';
export { restrictedPodSecurityContext, restrictedContainerSecurityContext, tmpVolume } from './workload/security';
export { objectPodProblems, podSpecProblems, podSpecsIn, type PodProblem } from './workload/pod-checks';
export { componentLabels, selectorLabels, imageVersion, environmentLabels, ENVIRONMENT_LABEL } from './workload/labels';
export { trustDomainOf, principalOf, TRUST_DOMAIN } from './mesh/names';
export { ExternalService, externalEgress, type ExternalServiceProps } from './mesh/external-service';
export { healthProbes } from './workload/probes';
export { containerResources, EPHEMERAL_STORAGE, type ContainerResourceAmounts, type ComputeAmounts } from './workload/resources';

// Insight: the platform report and the plan.
export { platformReport, platformReportWriter, REPORT_FILE } from './report/platform-report';
export { topologyDiagram } from './report/topology';
export { buildInventory, ownerOf, SHARED_OWNER, type Inventory, type WorkloadRow, type Amounts } from './report/inventory';
export { planChanges, renderPlan, type Plan, type PlannedChange } from './diff/plan';
export type { RefusedUpdate } from './diff/immutable';
export { fieldChanges, type FieldChange } from './diff/field-changes';
export { readOutputDir, type OutputContents, type OutputProblem, type ReadOutputOptions } from './diff/read-output';
export { locatedManifests, objectKey, objectLabel, type LocatedManifest } from './diff/identity';

// Concerns (data tier, mesh and gateway, delivery, observability): one export line each below.
export { ApiGateway, GatewayAuth, GatewayRateLimit, GatewayAccessLog, ServiceTraffic, NamespaceMtls, NamespaceNetworkPolicy, WorkloadAccess, SupportWorkload, trafficShape, parseWindow, serviceLimit } from './mesh';
export type {
  ApiGatewayProps, GatewayAuthProps, GatewayRateLimitProps, GatewayAccessLogProps, ServiceTrafficProps, NamespaceMtlsProps,
  NamespaceNetworkPolicyProps, WorkloadAccessProps, SupportWorkloadProps,
  GatewayRoute, RouteLeading, GeneratedLimit, ServiceLimit, RateLimitedRoute, NetworkPort, NetworkPeer, WorkloadCaller, WorkloadEgress, TrafficShape,
  TrafficDestination, RetrySettings, TrafficRouting, ConnectionPoolSettings, CircuitBreakerSettings, SupportPort, IngressGateway,
} from './mesh';
export { DEFAULT_RETRIES, API_GATEWAY_NAME, DEFAULT_INGRESS_GATEWAY, PRIMARY_ROUTE, VERSION_PIN_ROUTE } from './mesh';
export { SAFE_RETRY_ON } from './spec/retry-policy';
export { OtelCollector, TracingTelemetry, DEFAULT_COLLECTOR_IMAGE, OTEL_COLLECTOR_NAME } from './observability';
export type { OtelCollectorProps, TracingTelemetryProps } from './observability';
export { PostgresDatabase, RedisCache, RabbitMqCluster, EventTopology, DataStoreNetworkPolicy, queueName } from './data';
export {
  DEFAULT_POSTGRES_IMAGE, DEFAULT_POSTGRES_STORAGE, DEFAULT_POSTGRES_RESOURCES, DEFAULT_POSTGRES_POOL, POSTGRES_PORT,
  type PostgresDatabaseProps, type PostgresPoolSettings,
} from './data/postgres';
export {
  DEFAULT_REDIS_IMAGE, DEFAULT_REDIS_MAXMEMORY, DEFAULT_REDIS_EVICTION_POLICY, DEFAULT_REDIS_STORAGE, DEFAULT_REDIS_RESOURCES, DEFAULT_REDIS_PASSWORD_SECRET, DEFAULT_CACHE_TTL_SECONDS, REDIS_PORT,
  REDIS_EVICTION_POLICIES, type RedisCacheProps, type RedisEvictionPolicy,
} from './data/redis';
export {
  DEFAULT_RABBITMQ_IMAGE, DEFAULT_RABBITMQ_STORAGE, DEFAULT_RABBITMQ_RESOURCES, DEFAULT_RABBITMQ_CREDENTIALS_SECRET, DEFAULT_KUBERNETES_API, RABBITMQ_PORTS,
  type RabbitMqClusterProps, type KubernetesApiEndpoints,
} from './data/rabbitmq';
export type { StoreContext, StoreStorage } from './data/store-parts';
export { DEFAULT_EVENTS_EXCHANGE, EVENTS_VHOST, type EventClient, type EventQueue, type RabbitDefinitions } from './data/events';
export type { DataStoreNetworkPolicyProps } from './data/network-policy';
export { BlueGreenDelivery, CanaryDelivery, WorkloadRollout, SuccessRateAnalysisTemplate, successRateQuery, SUCCESS_RATE_TEMPLATE, DEFAULT_PROMETHEUS_ADDRESS, ANALYSIS_TEMPLATES, isAnalysisTemplateName } from './delivery';
export type {
  BlueGreenDeliveryProps, CanaryDeliveryProps, CanaryGatewayRoutes, CanaryStep, CanaryWeightStep, CanaryPauseStep, CanaryPause,
  WorkloadRolloutProps, SuccessRateAnalysisTemplateProps, AnalysisTemplateName, AnalysisTemplateInfo, AnalysisArgName,
} from './delivery';

// The spec -> constructs mapping of one environment, one function per concern (what PlatformEnvironment runs).
export { addDataTier, type DataTier } from './platform/data-tier';
export { addMesh } from './platform/mesh';
export { addDelivery } from './platform/delivery';
export { addObservability } from './platform/observability';

// GitOps: the Kustomization of each dist/<env>/ and the Argo CD and Flux objects of dist/gitops/.
export { GITOPS_DIR, KUSTOMIZATION_FILE, kustomizationText, buildKustomization, rolloutOwnedFields, type IgnoreRule, POD_TEMPLATE_HASH, ArgoCdEnvironment, type ArgoCdEnvironmentProps, FluxEnvironment, type FluxEnvironmentProps, type GitSource, SYNC_WAVE, applicationSync, argoCdSync, type ArgoCdSyncOptions, type ArgoCdSyncStep } from './gitops';
export { gitopsFiles } from './platform/gitops';
