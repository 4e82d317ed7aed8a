/**
 * The MicroService construct with plain props, in any cdk8s chart: what every service's workload
 * must be. No platform spec here; the spec-to-props mapping is tested in test/service-props.test.ts.
 */
import { Testing } from 'cdk8s';
import { WorkloadRollout } from '../../src/delivery/rollout';
import { MicroService, MicroServiceProps } from '../../src/workload/microservice';
import { testChart } from '../support/test-chart';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = { kind: string; metadata: { name: string; labels?: Record<string, string> }; spec?: any; [k: string]: any };

function synthService(props: Partial<MicroServiceProps> = {}): Obj[] {
  const chart = testChart();
  new MicroService(chart, 'svc', {
    name: 'app', image: 'registry.example/app:1.2.3', port: 8080, environment: 'dev', partOf: 'shop',
    otlpEndpoint: 'http://otel-collector.ns.svc.cluster.local:4317', replicas: 2, ...props,
  });
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
  const objs = synthService({ replicas: undefined, autoscaling: { minReplicas: 3, maxReplicas: 9, cpuUtilization: 60 } });
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

describe('under a Rollout', () => {
  const rolloutService = () => {
    const chart = testChart();
    const svc = new MicroService(chart, 'svc', { name: 'app', image: 'registry.example/app:1.2.3', port: 8080, autoscaling: { minReplicas: 2, maxReplicas: 4 }, workloadKind: 'Rollout' });
    return { chart, svc };
  };
  const strategy = { blueGreen: { activeService: 'app', autoPromotionEnabled: false } };

  test('no Deployment is made and the HPA targets the Rollout that runs the pods', () => {
    // GIVEN a service built for a Rollout, and the Rollout WHEN synthesized
    const { chart, svc } = rolloutService();
    new WorkloadRollout(chart, 'rollout', { workload: svc, strategy });
    const objs = Testing.synth(chart) as Obj[];
    // THEN the Rollout runs the pods and the autoscaler scales it
    expect(objs.map((o) => o.kind).filter((k) => k === 'Deployment' || k === 'Rollout')).toEqual(['Rollout']);
    expect(byKind(objs, 'HorizontalPodAutoscaler').spec.scaleTargetRef).toEqual({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'app' });
  });

  test('without a Rollout that runs its pods it is refused at synthesis, and a second Rollout in the constructor', () => {
    // GIVEN a service built for a Rollout and no Rollout WHEN synthesized THEN refused: no pod would run
    const { chart, svc } = rolloutService();
    expect(() => Testing.synth(chart)).toThrow('app: built with workloadKind "Rollout", but no Rollout runs its pods: add a CanaryDelivery, BlueGreenDelivery or WorkloadRollout for it, or build it with workloadKind "Deployment"');
    // AND a second Rollout of the same pods is refused where it is made
    new WorkloadRollout(chart, 'rollout', { workload: svc, strategy });
    expect(() => new WorkloadRollout(chart, 'again', { workload: svc, strategy })).toThrow('app: its pods are already run by test/rollout; one Rollout per service');
    expect(() => Testing.synth(chart)).not.toThrow();
  });
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
  const svc = new MicroService(chart, 'svc', { name: 'app', image: 'registry.example/app:1.2.3', port: 8080 });
  svc.addEnv('FEATURE', 'on');
  const c = (Testing.synth(chart) as Obj[]).find((o) => o.kind === 'Deployment')!.spec.template.spec.containers[0];
  expect(c.env).toContainEqual({ name: 'FEATURE', value: 'on' });
});

describe('the one-liner in a plain cdk8s chart', () => {
  // GIVEN any cdk8s chart (no platform spec) WHEN a service is added with only an image and a port
  const oneLiner = (): Obj[] => {
    const chart = testChart();
    new MicroService(chart, 'web', { image: 'ghcr.io/acme/web:1.4.2', port: 8080 });
    return Testing.synth(chart) as Obj[];
  };

  test('gives the hardened Deployment, Service, ServiceAccount, HPA and PDB named after the construct id', () => {
    const objs = oneLiner();
    expect(objs.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'Deployment/web', 'HorizontalPodAutoscaler/web', 'PodDisruptionBudget/web', 'Service/web', 'ServiceAccount/web',
    ]);
  });

  test('pods meet Pod Security "restricted", probe /health, have bounded resources and spread', () => {
    const objs = oneLiner();
    const pod = byKind(objs, 'Deployment').spec.template.spec;
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, fsGroupChangePolicy: 'OnRootMismatch', seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.automountServiceAccountToken).toBe(false);
    const c = pod.containers[0];
    expect(c.securityContext).toMatchObject({
      allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] },
    });
    for (const probe of [c.startupProbe, c.livenessProbe, c.readinessProbe]) expect(probe.httpGet).toEqual({ path: '/health', port: 'http' });
    expect(c.resources).toEqual({
      requests: { cpu: '100m', memory: '128Mi', 'ephemeral-storage': '128Mi' },
      limits: { cpu: '500m', memory: '256Mi', 'ephemeral-storage': '256Mi' },
    });
    expect(pod.topologySpreadConstraints.map((s: { topologyKey: string }) => s.topologyKey)).toEqual(['topology.kubernetes.io/zone', 'kubernetes.io/hostname']);
  });

  test('the autoscaler owns the replica count: 2 to 10 at 70% CPU', () => {
    const objs = oneLiner();
    expect(byKind(objs, 'HorizontalPodAutoscaler').spec).toMatchObject({ minReplicas: 2, maxReplicas: 10, scaleTargetRef: { kind: 'Deployment', name: 'web' } });
    expect(byKind(objs, 'HorizontalPodAutoscaler').spec.metrics[0].resource.target.averageUtilization).toBe(70);
    expect(byKind(objs, 'Deployment').spec.replicas).toBeUndefined();
  });

  test('without environment, part-of or collector the labels and env say only what is known', () => {
    const objs = oneLiner();
    expect(byKind(objs, 'Service').metadata.labels).toEqual({
      'app.kubernetes.io/name': 'web', 'app.kubernetes.io/instance': 'web', 'app.kubernetes.io/component': 'api',
      'app.kubernetes.io/managed-by': 'cdk8s', 'app.kubernetes.io/version': '1.4.2',
    });
    const env = container(objs).env as Array<{ name: string; value?: string }>;
    expect(env.map((e) => e.name)).toEqual(['PORT', 'OTEL_SERVICE_NAME', 'OTEL_RESOURCE_ATTRIBUTES']);
    expect(env).toContainEqual({ name: 'OTEL_RESOURCE_ATTRIBUTES', value: 'service.version=1.4.2' });
  });
});

describe('props that conflict or break the defaults are rejected in the constructor', () => {
  test('all problems at once, each saying what is allowed', () => {
    // GIVEN props with five problems WHEN the construct is made THEN one error lists all five
    const make = () => new MicroService(testChart(), 'Web', {
      image: 'ghcr.io/acme/web:latest', port: 70000, replicas: 3, autoscaling: { maxReplicas: 1 }, runAsUser: 0,
    });
    expect(make).toThrow(/MicroService test\/Web: invalid props/);
    const message = (() => { try { make(); return ''; } catch (e) { return (e as Error).message; } })();
    expect(message).toContain('name "Web" must be a DNS-1035 label');
    expect(message).toContain('uses the "latest" tag');
    expect(message).toContain('port 70000 must be a whole number from 1 to 65535');
    expect(message).toContain('replicas and autoscaling cannot both be set');
    expect(message).toContain('autoscaling.maxReplicas 1 must be a whole number, at least minReplicas (2)');
    expect(message).toContain('runAsUser 0 must be a non-zero UID');
  });

  test('resources the API server refuses are rejected: a request above its limit, a quantity it cannot read', () => {
    // GIVEN a CPU request of 2 under a limit of 500m (a Rollout's ReplicaSet would be refused after the apply) and an unreadable memory limit
    const make = () => new MicroService(testChart(), 'web', {
      image: 'ghcr.io/acme/web:1.4.2', port: 8080, workloadKind: 'Rollout',
      resources: { requests: { cpu: '2', memory: '128Mi' }, limits: { cpu: '500m', memory: '1 GB' } },
    });
    // WHEN the construct is made THEN both are named, with the field
    expect(make).toThrow(/resources\.requests\.cpu 2 exceeds resources\.limits\.cpu 500m/);
    expect(make).toThrow(/resources\.limits\.memory "1 GB": /);
  });

  test('a variable in both env and secretEnv is rejected', () => {
    expect(() => new MicroService(testChart(), 'web', {
      image: 'ghcr.io/acme/web:1.4.2', port: 8080, env: { TOKEN: 'x' }, secretEnv: { TOKEN: { secret: 's', key: 'k' } },
    })).toThrow(/"TOKEN" is in both env and secretEnv/);
  });
});
