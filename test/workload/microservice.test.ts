/** The MicroService construct: what every service's workload must be. */
import { Testing } from 'cdk8s';
import { ServiceSchema } from '../../src/spec/schema';
import { MicroService, MicroServiceProps } from '../../src/workload/microservice';
import { testChart } from '../support/test-chart';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = { kind: string; metadata: { name: string; labels?: Record<string, string> }; spec?: any; [k: string]: any };

function synthService(overrides: Record<string, unknown> = {}, props: Partial<MicroServiceProps> = {}): Obj[] {
  const chart = testChart();
  const spec = ServiceSchema.parse({ image: 'registry.example/app:1.2.3', port: 8080, ...overrides });
  new MicroService(chart, 'svc', { name: 'app', spec, environment: 'dev', partOf: 'shop', otlpEndpoint: 'http://otel-collector.ns.svc.cluster.local:4317', ...props });
  return Testing.synth(chart) as Obj[];
}
const byKind = (objs: Obj[], kind: string) => objs.find((o) => o.kind === kind)!;
const container = (objs: Obj[]) => byKind(objs, 'Deployment').spec.template.spec.containers[0];

test('creates a ServiceAccount, Service, Deployment and PodDisruptionBudget named after the service', () => {
  // GIVEN a minimal service WHEN synthesized
  const objs = synthService();
  // THEN the objects carry the plain service name (no hash suffix)
  expect(objs.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(['Deployment/app', 'PodDisruptionBudget/app', 'Service/app', 'ServiceAccount/app']);
});

test('the Service exposes the port by name and selects exactly the Deployment pods', () => {
  const objs = synthService();
  const svc = byKind(objs, 'Service');
  expect(svc.spec.ports).toEqual([{ name: 'http', port: 8080, targetPort: 'http', protocol: 'TCP', appProtocol: 'http' }]);
  const podLabels = byKind(objs, 'Deployment').spec.template.metadata.labels;
  for (const [k, v] of Object.entries(svc.spec.selector)) expect(podLabels[k]).toBe(v);
  expect(byKind(objs, 'Deployment').spec.selector.matchLabels).toEqual(svc.spec.selector);
});

test('pods run as their own ServiceAccount without a mounted API token', () => {
  const objs = synthService();
  const pod = byKind(objs, 'Deployment').spec.template.spec;
  expect(pod.serviceAccountName).toBe('app');
  expect(pod.automountServiceAccountToken).toBe(false);
  expect(byKind(objs, 'ServiceAccount').automountServiceAccountToken).toBe(false);
});

test('pods meet the Pod Security Standards "restricted" profile', () => {
  const objs = synthService();
  const pod = byKind(objs, 'Deployment').spec.template.spec;
  expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } });
  expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
  expect(container(objs).securityContext).toMatchObject({
    allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] },
  });
});

test('a read-only root filesystem still has a writable /tmp', () => {
  const objs = synthService();
  expect(container(objs).volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
  expect(byKind(objs, 'Deployment').spec.template.spec.volumes).toContainEqual({ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } });
});

test('startup, liveness and readiness probes check /health on the http port', () => {
  // GIVEN a service WHEN synthesized THEN all three probes call GET /health on the named port
  const c = container(synthService());
  for (const probe of [c.startupProbe, c.livenessProbe, c.readinessProbe]) expect(probe.httpGet).toEqual({ path: '/health', port: 'http' });
});

test('liveness is the most forgiving probe: readiness takes a pod out of rotation long before a restart', () => {
  const c = container(synthService());
  const window = (p: { periodSeconds: number; failureThreshold: number }) => p.periodSeconds * p.failureThreshold;
  expect(window(c.livenessProbe)).toBeGreaterThan(window(c.readinessProbe));
  expect(window(c.livenessProbe)).toBe(60);
});

test('resources come from the spec', () => {
  const c = container(synthService({ resources: { requests: { cpu: '250m', memory: '300Mi' }, limits: { cpu: '1', memory: '1Gi' } } }));
  expect(c.resources).toEqual({
    requests: { cpu: '250m', memory: '300Mi', 'ephemeral-storage': '128Mi' },
    limits: { cpu: '1', memory: '1Gi', 'ephemeral-storage': '256Mi' },
  });
});

test('secrets are referenced by name and key, never by value', () => {
  const c = container(synthService({ secretEnv: { API_KEY: { secret: 'app-secrets', key: 'api-key' } } }));
  expect(c.env).toContainEqual({ name: 'API_KEY', valueFrom: { secretKeyRef: { name: 'app-secrets', key: 'api-key' } } });
});

test('OpenTelemetry env names the service and the collector', () => {
  const env = container(synthService()).env as Array<{ name: string; value?: string }>;
  expect(env).toContainEqual({ name: 'OTEL_SERVICE_NAME', value: 'app' });
  expect(env).toContainEqual({ name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: 'http://otel-collector.ns.svc.cluster.local:4317' });
});

test('autoscaling creates an autoscaling/v2 HPA and leaves replicas to it', () => {
  const objs = synthService({ replicas: 3, autoscaling: { minReplicas: 3, maxReplicas: 9, cpuUtilization: 60 } });
  const hpa = byKind(objs, 'HorizontalPodAutoscaler');
  expect(hpa.apiVersion).toBe('autoscaling/v2');
  expect(hpa.spec).toMatchObject({ scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'app' }, minReplicas: 3, maxReplicas: 9 });
  expect(hpa.spec.metrics[0].resource.target).toEqual({ type: 'Utilization', averageUtilization: 60 });
  expect(byKind(objs, 'Deployment').spec.replicas).toBeUndefined();
});

test('without autoscaling the Deployment sets replicas and no HPA exists', () => {
  const objs = synthService({ replicas: 4 });
  expect(byKind(objs, 'Deployment').spec.replicas).toBe(4);
  expect(objs.some((o) => o.kind === 'HorizontalPodAutoscaler')).toBe(false);
});

test('under a Rollout no Deployment is made and the HPA targets the Rollout', () => {
  const objs = synthService({ autoscaling: { minReplicas: 2, maxReplicas: 4 } }, { workloadKind: 'Rollout' });
  expect(objs.some((o) => o.kind === 'Deployment')).toBe(false);
  expect(byKind(objs, 'HorizontalPodAutoscaler').spec.scaleTargetRef).toEqual({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'app' });
});

test('the disruption budget lets one pod go at a time and selects the service pods', () => {
  const pdb = byKind(synthService(), 'PodDisruptionBudget');
  expect(pdb.spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: { 'app.kubernetes.io/name': 'app', 'app.kubernetes.io/instance': 'app-dev' } } });
});

test('pods spread across zones and nodes', () => {
  const spread = byKind(synthService(), 'Deployment').spec.template.spec.topologySpreadConstraints;
  expect(spread.map((s: { topologyKey: string }) => s.topologyKey)).toEqual(['topology.kubernetes.io/zone', 'kubernetes.io/hostname']);
});

test('objects carry the recommended labels', () => {
  const labels = byKind(synthService(), 'Service').metadata.labels;
  expect(labels).toEqual({
    'app.kubernetes.io/name': 'app', 'app.kubernetes.io/instance': 'app-dev', 'app.kubernetes.io/component': 'api',
    'app.kubernetes.io/part-of': 'shop', 'app.kubernetes.io/managed-by': 'cdk8s', 'app.kubernetes.io/version': '1.2.3',
  });
});

test('env added after construction reaches the container', () => {
  const chart = testChart();
  const spec = ServiceSchema.parse({ image: 'registry.example/app:1.2.3', port: 8080 });
  const svc = new MicroService(chart, 'svc', { name: 'app', spec, environment: 'dev', partOf: 'shop', otlpEndpoint: 'x' });
  svc.addEnv('FEATURE', 'on');
  const c = (Testing.synth(chart) as Obj[]).find((o) => o.kind === 'Deployment')!.spec.template.spec.containers[0];
  expect(c.env).toContainEqual({ name: 'FEATURE', value: 'on' });
});
