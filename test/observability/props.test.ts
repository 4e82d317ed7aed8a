/** OtelCollector and TracingTelemetry from plain props, in any cdk8s chart (no spec). */
import { Chart, Testing } from 'cdk8s';
import { parse } from 'yaml';
import { OtelCollector, OtelCollectorProps } from '../../src/observability/collector';
import { TracingTelemetry } from '../../src/observability/telemetry';
import { testApp } from '../support/test-chart';

type Obj = { kind: string; metadata: { name: string; labels?: Record<string, string> }; spec: Record<string, unknown>; data?: Record<string, string> };
const shopChart = () => new Chart(testApp(), 'shop', { namespace: 'shop' });
const collector = (props?: OtelCollectorProps): Obj[] => {
  const chart = shopChart();
  new OtelCollector(chart, 'collector', props);
  return Testing.synth(chart) as Obj[];
};

describe('OtelCollector from props', () => {
  test('a backend endpoint alone gives a pinned, restricted collector that forwards OTLP to it', () => {
    // GIVEN only the backend WHEN synthesized in a chart of namespace shop
    const objs = collector({ backendEndpoint: 'tempo.tracing.svc.cluster.local:4317' });
    // THEN the pinned default image, two replicas, a PodDisruptionBudget, the OTLP exporter and egress to the backend's namespace
    const deployment = objs.find((o) => o.kind === 'Deployment')!;
    const pod = (deployment.spec.template as { spec: { containers: Array<{ image: string }> } }).spec;
    expect(pod.containers[0].image).toBe('otel/opentelemetry-collector-contrib:0.111.0');
    expect(deployment.spec.replicas).toBe(2);
    expect(objs.map((o) => o.kind)).toContain('PodDisruptionBudget');
    expect(parse(objs.find((o) => o.kind === 'ConfigMap')!.data!['config.yaml']).exporters).toEqual({ otlp: { endpoint: 'tempo.tracing.svc.cluster.local:4317', tls: { insecure: true } } });
    // AND every identity of the namespace may send spans, nobody else (no gateway given)
    const policy = objs.find((o) => o.kind === 'AuthorizationPolicy')!;
    expect(policy.spec.rules).toEqual([{ from: [{ source: { principals: ['cluster.local/ns/shop/sa/*'] } }] }]);
    // AND the labels name the collector in the namespace's instance
    expect(deployment.metadata.labels).toMatchObject({ 'app.kubernetes.io/instance': 'otel-collector-shop', 'app.kubernetes.io/part-of': 'otel-collector', 'app.kubernetes.io/version': '0.111.0' });
  });

  test('a backend outside the cluster is reached on its port at any address but the cluster ranges', () => {
    // GIVEN a backend host that is no cluster Service, and the cluster ranges
    const objs = collector({ backendEndpoint: 'otlp.example.com:4317', clusterCidrs: ['10.0.0.0/8'] });
    // WHEN synthesized THEN the collector's NetworkPolicy lets it out to exactly that
    const egress = objs.filter((o) => o.kind === 'NetworkPolicy').flatMap((o) => (o.spec.egress ?? []) as unknown[]);
    expect(egress).toContainEqual({ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }], ports: [{ port: 4317, protocol: 'TCP' }] });
  });

  test('a gateway with defaults admits the default Istio ingress gateway identity', () => {
    // GIVEN gateway: {} WHEN synthesized THEN the istio-system ingress gateway may send spans too
    const policy = collector({ gateway: {} }).find((o) => o.kind === 'AuthorizationPolicy')!;
    expect(policy.spec.rules).toEqual([{ from: [{ source: { principals: ['cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account', 'cluster.local/ns/shop/sa/*'] } }] }]);
  });

  test.each([
    [{ backendEndpoint: 'http://tempo:4317' }, /backendEndpoint "http:\/\/tempo:4317" must be host:port/],
    [{ replicas: 0 }, /replicas 0 must be a whole number, at least 1/],
    [{ gateway: { selector: {} } }, /the gateway selector must name at least one label/],
  ])('rejects %j', (props, message) => {
    expect(() => collector(props)).toThrow(message);
  });

  test('needs a namespace: given, or the chart\'s', () => {
    expect(() => new OtelCollector(new Chart(testApp(), 'c'), 'collector')).toThrow(/OtelCollector: give its namespace/);
  });
});

describe('TracingTelemetry from props', () => {
  test('samples 1% of requests by default, to the otel-tracing provider', () => {
    const chart = shopChart();
    new TracingTelemetry(chart, 'tracing');
    expect((Testing.synth(chart) as Obj[])[0].spec).toEqual({ tracing: [{ providers: [{ name: 'otel-tracing' }], randomSamplingPercentage: 1 }] });
  });

  test('rejects a percentage outside 0-100', () => {
    expect(() => new TracingTelemetry(shopChart(), 'tracing', { samplingPercent: 150 })).toThrow(/samplingPercent 150 must be from 0 to 100/);
  });
});
