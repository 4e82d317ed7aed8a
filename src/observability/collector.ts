/**
 * The environment's OpenTelemetry Collector: the OTLP endpoint the services' SDKs and the Istio
 * sidecars' tracer send spans to (otlpEndpoint() in platform.ts names it). It batches spans
 * under a memory limit and forwards them to an OTLP backend, or logs them when none is set.
 */
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { HOST_PORT } from '../spec/formats';
import { IngressGateway, ingressGateway } from '../mesh/ingress-gateway';
import { namespaceOf, namespacePrincipals, principalOf, trustDomainOf } from '../mesh/names';
import { SupportWorkload } from '../mesh/support-workload';
import { externalEgress } from '../mesh/external-service';
import { networkPeer, networkPort, WorkloadAccess, WorkloadEgress } from '../mesh/workload-access';
import { ContainerResourceAmounts } from '../workload/resources';
import { componentLabels, imageVersion, selectorLabels } from '../workload/labels';
import { tmpVolume } from '../workload/security';
import { emitYaml } from '../yaml-emit';

/** Name of the collector's objects (and host of its Service). */
export const OTEL_COLLECTOR_NAME = 'otel-collector';
/** OTLP ports. */
export const OTLP_GRPC_PORT = 4317;
export const OTLP_HTTP_PORT = 4318;
/** Port of the health_check extension. */
export const HEALTH_PORT = 13133;

/** The collector image when none is given: the contrib distribution, pinned. */
export const DEFAULT_COLLECTOR_IMAGE = 'otel/opentelemetry-collector-contrib:0.111.0';

/** Props of an OtelCollector: namespace, backend endpoint, image and resources. */
export interface OtelCollectorProps {
  /**
   * Environment name (labels: the instance is `otel-collector-<environment>`).
   * @default - the namespace
   */
  readonly environment?: string;
  /**
   * Platform name (app.kubernetes.io/part-of).
   * @default "otel-collector"
   */
  readonly partOf?: string;
  /**
   * Namespace of the collector; every workload in it may send spans.
   * @default - the namespace of the chart
   */
  readonly namespace?: string;
  /**
   * Collector image, pinned by tag or digest.
   * @default DEFAULT_COLLECTOR_IMAGE
   */
  readonly image?: string;
  /** OTLP gRPC backend as host:port. @default none: spans go to the debug exporter (collector log) */
  readonly backendEndpoint?: string;
  /** The cluster's pod and Service ranges, which an external backend is never in. @default the private (RFC 1918) ranges */
  readonly clusterCidrs?: readonly string[];
  /**
   * The ingress gateway, whose pods also send spans (unset fields take the defaults of IngressGateway).
   * @default none: only the namespace's own pods send spans
   */
  readonly gateway?: IngressGateway;
  /** Replicas. @default 2 */
  readonly replicas?: number;
  /** Requests and limits. @default 100m/256Mi requested, 500m/512Mi limit */
  readonly resources?: ContainerResourceAmounts;
  /** Non-root UID (the contrib image's user). @default 10001 */
  readonly runAsUser?: number;
}

/** The environment's OpenTelemetry Collector: OTLP in, batched under a memory limit, OTLP (or the log) out. */
export class OtelCollector extends Construct {
  /** The ConfigMap with the collector configuration. */
  public readonly config: k8s.KubeConfigMap;
  /** The collector Deployment. */
  public readonly deployment: k8s.KubeDeployment;
  /** The OTLP Service (otel-collector.<namespace>:4317 and :4318). */
  public readonly service: k8s.KubeService;

  constructor(scope: Construct, id: string, props: OtelCollectorProps = {}) {
    super(scope, id);
    const name = OTEL_COLLECTOR_NAME;
    const namespace = namespaceOf(this, props.namespace, 'OtelCollector');
    const environment = props.environment ?? namespace;
    const image = props.image ?? DEFAULT_COLLECTOR_IMAGE;
    const replicas = props.replicas ?? 2;
    const problems: string[] = [];
    if (props.backendEndpoint !== undefined && !HOST_PORT.test(props.backendEndpoint)) {
      problems.push(`backendEndpoint "${props.backendEndpoint}" must be host:port, such as tempo.monitoring.svc.cluster.local:4317`);
    }
    if (!Number.isInteger(replicas) || replicas < 1) problems.push(`replicas ${replicas} must be a whole number, at least 1`);
    if (problems.length) throw new Error(`OtelCollector: ${problems.join('; ')}`);
    const gw = props.gateway ? ingressGateway(props.gateway, 'OtelCollector') : undefined;
    const selector = selectorLabels(name, environment);
    const labels = componentLabels({ name, partOf: props.partOf ?? name, environment, component: 'telemetry', version: imageVersion(image) });
    const backend = props.backendEndpoint ? backendEgress(props.backendEndpoint, props.clusterCidrs ?? ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16']) : undefined;
    // The manifests' own emitter: the same text yaml's stringify writes for this config, a few ms sooner.
    const configText = emitYaml(collectorConfig(props.backendEndpoint));

    this.config = new k8s.KubeConfigMap(this, 'Config', {
      metadata: { name, labels },
      data: { 'config.yaml': configText },
    });
    const health = (periodSeconds: number, failureThreshold: number): k8s.Probe =>
      ({ httpGet: { path: '/', port: k8s.IntOrString.fromString('health') }, periodSeconds, failureThreshold, timeoutSeconds: 2 });
    const workload = new SupportWorkload(this, 'Workload', {
      name,
      labels,
      selector,
      image,
      runAsUser: props.runAsUser ?? 10001,
      replicas,
      args: ['--config=/conf/config.yaml'],
      ports: [
        { name: 'otlp-grpc', port: OTLP_GRPC_PORT, appProtocol: 'grpc' },
        { name: 'otlp-http', port: OTLP_HTTP_PORT, appProtocol: 'http' },
        { name: 'health', port: HEALTH_PORT, appProtocol: 'http', serve: false },
      ],
      resources: props.resources ?? { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '500m', memory: '512Mi' } },
      probes: { startup: health(2, 30), liveness: health(10, 3), readiness: health(5, 2) },
      volumes: [{ volume: { name: 'config', configMap: { name } }, mount: { name: 'config', mountPath: '/conf', readOnly: true } }, tmpVolume()],
      // Restart on config changes: the collector does not reload its file.
      podAnnotations: { 'checksum/config': checksum(configText) },
    });
    this.deployment = workload.deployment;
    this.service = workload.service;

    // Every pod of the namespace sends spans: the apps' SDKs and the sidecars' tracer.
    const otlpPorts = [OTLP_GRPC_PORT, OTLP_HTTP_PORT].map((port) => ({ port }));
    new k8s.KubeNetworkPolicy(this, 'OtlpEgress', {
      metadata: { name: 'allow-otlp-egress', labels },
      spec: {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [{ to: [networkPeer({ podLabels: selector })], ports: otlpPorts.map(networkPort) }],
      },
    });
    new WorkloadAccess(this, 'Access', {
      name,
      selector,
      ports: otlpPorts,
      callers: [
        { principals: [namespacePrincipals(namespace, trustDomainOf(this))], peer: {} },
        ...(gw ? [{ principals: [principalOf(gw.namespace, gw.serviceAccount, trustDomainOf(this))], peer: { namespace: gw.namespace, podLabels: gw.selector } }] : []),
      ],
      egress: backend ? [backend] : [],
      labels,
    });
  }
}

/** The collector configuration: OTLP in, memory_limiter and batch, OTLP (or debug) out. */
export function collectorConfig(backendEndpoint?: string): Record<string, unknown> {
  const exporter = backendEndpoint ? 'otlp' : 'debug';
  return {
    extensions: { health_check: { endpoint: `0.0.0.0:${HEALTH_PORT}` } },
    receivers: {
      // Since collector 0.104 receivers bind to localhost unless told otherwise.
      otlp: { protocols: { grpc: { endpoint: `0.0.0.0:${OTLP_GRPC_PORT}` }, http: { endpoint: `0.0.0.0:${OTLP_HTTP_PORT}` } } },
    },
    processors: {
      // Refuse data before the container limit is reached; it reads the cgroup limit.
      memory_limiter: { check_interval: '1s', limit_percentage: 80, spike_limit_percentage: 20 },
      batch: { send_batch_size: 1024, timeout: '5s' },
    },
    exporters: backendEndpoint
      // Plain gRPC inside the mesh: the sidecar adds mTLS. An external backend would need TLS here.
      ? { otlp: { endpoint: backendEndpoint, tls: { insecure: true } } }
      : { debug: { verbosity: 'basic' } },
    service: {
      extensions: ['health_check'],
      pipelines: { traces: { receivers: ['otlp'], processors: ['memory_limiter', 'batch'], exporters: [exporter] } },
    },
  };
}

/** The egress to a backend host:port: its namespace for a cluster host, else as to any external destination. */
function backendEgress(endpoint: string, clusterCidrs: readonly string[]): WorkloadEgress {
  const colon = endpoint.lastIndexOf(':');
  const host = endpoint.slice(0, colon);
  const port = Number(endpoint.slice(colon + 1));
  const inCluster = /^[^.]+\.([^.]+)\.svc(\.|$)/.exec(host);
  return inCluster ? { to: [{ namespace: inCluster[1] }], ports: [{ port }] } : externalEgress({ port }, clusterCidrs);
}

/** A short stable hash (FNV-1a) of a text. */
function checksum(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}
