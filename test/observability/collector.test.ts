/** The OpenTelemetry Collector every workload sends spans to. */
import { parse, stringify } from 'yaml';
import { collectorConfig } from '../../src/observability/collector';
import { otlpEndpoint } from '../../src/platform/environment';
import { editReference, findObject, objectsOf } from '../helpers';

interface Container { image: string; ports: Array<{ name: string; containerPort: number }>; resources: { requests: unknown; limits: unknown }; securityContext: Record<string, unknown>; readinessProbe: { httpGet: { port: string } }; livenessProbe: unknown; startupProbe: unknown }
type Deployment = { spec: { replicas: number; template: { spec: { securityContext: Record<string, unknown>; containers: Container[] } } } };

describe('OpenTelemetry Collector', () => {
  const objects = objectsOf('prod');
  const config = () => parse(findObject<{ data: Record<string, string> }>(objects, 'ConfigMap', 'otel-collector').data['config.yaml']);

  test('the Service is the OTLP endpoint the services are configured with', () => {
    // GIVEN the services' OTEL_EXPORTER_OTLP_ENDPOINT / WHEN synthesized
    const svc = findObject<{ spec: { ports: Array<{ name: string; port: number }> } }>(objects, 'Service', 'otel-collector');
    // THEN the collector Service of that namespace serves gRPC 4317 and HTTP 4318
    expect(otlpEndpoint('shop-prod')).toBe(`http://${svc.metadata.name}.${svc.metadata.namespace}.svc.cluster.local:4317`);
    expect(svc.spec.ports.map((p) => [p.name, p.port])).toEqual([['otlp-grpc', 4317], ['otlp-http', 4318]]);
  });

  test('the pipeline receives OTLP and limits memory before batching', () => {
    // GIVEN no backend in the spec / WHEN synthesized
    const c = config();
    // THEN traces go otlp -> memory_limiter, batch -> debug
    expect(c.service.pipelines.traces).toEqual({ receivers: ['otlp'], processors: ['memory_limiter', 'batch'], exporters: ['debug'] });
    expect(c.receivers.otlp.protocols.grpc.endpoint).toBe('0.0.0.0:4317');
  });

  test('a backend endpoint switches the exporter to OTLP and opens egress to its namespace', () => {
    // GIVEN platform.tracing.backendEndpoint in namespace tracing
    const text = editReference(['    samplingPercent: 1\n  analysis:', '    samplingPercent: 1\n    backendEndpoint: tempo.tracing.svc.cluster.local:4317\n  analysis:']);
    // WHEN synthesized
    const out = objectsOf('prod', text);
    const c = parse(findObject<{ data: Record<string, string> }>(out, 'ConfigMap', 'otel-collector').data['config.yaml']);
    const egress = findObject<{ spec: { egress: unknown[] } }>(out, 'NetworkPolicy', 'otel-collector').spec.egress;
    // THEN
    expect(c.exporters).toEqual({ otlp: { endpoint: 'tempo.tracing.svc.cluster.local:4317', tls: { insecure: true } } });
    expect(c.service.pipelines.traces.exporters).toEqual(['otlp']);
    expect(egress).toEqual([{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'tracing' } }, podSelector: {} }], ports: [{ port: 4317, protocol: 'TCP' }] }]);
  });

  test('config.yaml is the text yaml writes for the config, so an upgrade keeps its checksum and the pods', () => {
    // GIVEN no backend, a backend in the cluster, and one at an address
    for (const endpoint of [undefined, 'tempo.tracing.svc.cluster.local:4317', '10.0.0.5:4317', 'otlp.example.com:443']) {
      const text = endpoint === undefined ? undefined
        : editReference(['    samplingPercent: 1\n  analysis:', `    samplingPercent: 1\n    backendEndpoint: ${endpoint}\n  analysis:`]);
      // WHEN synthesized THEN the ConfigMap holds what yaml's stringify writes (the text of earlier versions)
      const written = findObject<{ data: Record<string, string> }>(text ? objectsOf('prod', text) : objects, 'ConfigMap', 'otel-collector').data['config.yaml'];
      expect(written).toBe(stringify(collectorConfig(endpoint), { lineWidth: 0 }));
    }
  });

  test('the pod meets Pod Security "restricted" with probes and resources', () => {
    // GIVEN / WHEN synthesized
    const d = findObject<Deployment>(objects, 'Deployment', 'otel-collector');
    const c = d.spec.template.spec.containers[0];
    // THEN
    expect(d.spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } });
    expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(c.image).toBe('otel/opentelemetry-collector-contrib:0.111.0');
    expect(c.readinessProbe.httpGet.port).toBe('health');
    expect(c.ports.find((p) => p.name === 'health')?.containerPort).toBe(13133);
    expect(c.resources.limits).toEqual({ cpu: '500m', memory: '512Mi', 'ephemeral-storage': '256Mi' });
    expect(c.livenessProbe).toBeDefined();
    expect(c.startupProbe).toBeDefined();
  });

  test('a disruption budget keeps a collector up during drains', () => {
    // GIVEN two replicas / WHEN synthesized / THEN at most one down
    expect(findObject<Deployment>(objects, 'Deployment', 'otel-collector').spec.replicas).toBe(2);
    expect(findObject<{ spec: { maxUnavailable: number } }>(objects, 'PodDisruptionBudget', 'otel-collector').spec.maxUnavailable).toBe(1);
  });

  test('every workload of the namespace and the gateway may send spans, nobody else', () => {
    // GIVEN / WHEN synthesized / THEN
    const policy = findObject<{ spec: { rules: unknown[] } }>(objects, 'AuthorizationPolicy', 'otel-collector');
    expect(policy.spec.rules).toEqual([{ from: [{ source: { principals: ['cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account', 'cluster.local/ns/shop-prod/sa/*'] } }] }]);
    const egress = findObject<{ spec: { podSelector: unknown; egress: unknown[] } }>(objects, 'NetworkPolicy', 'allow-otlp-egress').spec;
    expect(egress.podSelector).toEqual({});
    expect(egress.egress).toEqual([{ to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'otel-collector', 'app.kubernetes.io/instance': 'otel-collector-prod' } } }], ports: [{ port: 4317, protocol: 'TCP' }, { port: 4318, protocol: 'TCP' }] }]);
  });
});
