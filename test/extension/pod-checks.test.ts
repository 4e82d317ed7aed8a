/**
 * Constructs users add in TypeScript get the same pod checks as the spec's services: Pod
 * Security "restricted" and pinned images, on every pod spec in the rendered objects, whatever
 * the kind, with an error naming the construct path and the field.
 */
import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { composeEnvironment, PlatformEnvironment, renderEnvironment } from '../../src';
import { formatProblem, SpecError } from '../../src/spec/errors';
import { loadPlatform } from '../../src/spec/load';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../../src/workload/security';
import { objectPodProblems, podSpecsIn } from '../../src/workload/pod-checks';
import { REFERENCE_FILE, referenceText } from '../helpers';

const loaded = loadPlatform(referenceText(), REFERENCE_FILE);
const prodSpec = loaded.environments.find((e) => e.name === 'prod')!;

/** The problems rendering reports after `add` puts custom constructs into a composed prod. */
function problemsAfter(add: (platform: PlatformEnvironment) => void): string[] {
  const platform = composeEnvironment(prodSpec);
  add(platform);
  try {
    renderEnvironment(platform, loaded);
  } catch (e) {
    if (e instanceof SpecError) return e.problems.map((p) => formatProblem({ ...p, file: 'platform.yaml' }));
    throw e;
  }
  return [];
}

const nginx = { name: 'nginx', image: 'nginx:latest', securityContext: { privileged: true } };
const goodContainer = { name: 'app', image: 'ghcr.io/x/app:1.0.0', securityContext: restrictedContainerSecurityContext(10001) };
const goodPod = { securityContext: restrictedPodSecurityContext(10001), containers: [goodContainer] };

describe('pod checks on custom constructs', () => {
  test('a privileged nginx:latest Deployment added in TypeScript is rejected, naming the construct and fields', () => {
    // GIVEN a Deployment added to order-service's chart with a privileged container on "latest"
    const problems = problemsAfter((platform) => {
      new k8s.KubeDeployment(platform.services.get('order-service')!.chart, 'Nginx', {
        metadata: { name: 'nginx' },
        spec: { selector: { matchLabels: { app: 'nginx' } }, template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [nginx] } } },
      });
    });
    // WHEN rendered / THEN every broken rule is reported at its field, with the construct path
    const construct = '(construct prod/service-order-service/Nginx)';
    expect(problems.map((p) => p.replace(/^platform\.yaml:43: /, ''))).toEqual([
      `services.order-service: Deployment nginx: spec.template.spec.containers[0].securityContext.privileged: container "nginx" is privileged; Pod Security "restricted" forbids it ${construct}`,
      `services.order-service: Deployment nginx: spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation: container "nginx" must set it to false (Pod Security "restricted") ${construct}`,
      `services.order-service: Deployment nginx: spec.template.spec.containers[0].securityContext.runAsNonRoot: container "nginx" must run as non-root: set runAsNonRoot true on the container or the pod ${construct}`,
      `services.order-service: Deployment nginx: spec.template.spec.containers[0].securityContext.seccompProfile.type: container "nginx" has seccomp profile unset; set RuntimeDefault or Localhost on the container or the pod ${construct}`,
      `services.order-service: Deployment nginx: spec.template.spec.containers[0].securityContext.capabilities.drop: container "nginx" must drop ALL capabilities ${construct}`,
      `services.order-service: Deployment nginx: spec.template.spec.containers[0].image: image "nginx:latest" uses the "latest" tag; pin it by a version tag (name:1.2.3) or digest (name@sha256:...) ${construct}`,
    ]);
  });

  test.each([
    ['Pod', 'v1', (pod: object) => pod, 'spec'],
    ['DaemonSet', 'apps/v1', (pod: object) => ({ selector: {}, template: { spec: pod } }), 'spec.template.spec'],
    ['ReplicaSet', 'apps/v1', (pod: object) => ({ selector: {}, template: { spec: pod } }), 'spec.template.spec'],
    ['StatefulSet', 'apps/v1', (pod: object) => ({ selector: {}, serviceName: 'x', template: { spec: pod } }), 'spec.template.spec'],
    ['Job', 'batch/v1', (pod: object) => ({ template: { spec: pod } }), 'spec.template.spec'],
    ['CronJob', 'batch/v1', (pod: object) => ({ schedule: '0 1 * * *', jobTemplate: { spec: { template: { spec: pod } } } }), 'spec.jobTemplate.spec.template.spec'],
    ['Rollout', 'argoproj.io/v1alpha1', (pod: object) => ({ selector: {}, template: { spec: pod } }), 'spec.template.spec'],
    ['Workflow', 'example.com/v1', (pod: object) => ({ steps: [{ name: 'a', podSpec: pod }] }), 'spec.steps[0].podSpec'],
  ])('a %s with a root container in the platform chart is rejected at its pod spec', (kind, apiVersion, specOf, podPath) => {
    // GIVEN a custom object of that kind whose pod runs as root with a host path volume
    const pod = { ...goodPod, containers: [{ ...goodContainer, securityContext: { ...goodContainer.securityContext, runAsUser: 0 } }], volumes: [{ name: 'host', hostPath: { path: '/' } }] };
    const problems = problemsAfter((platform) => {
      new ApiObject(platform.platformChart, 'Custom', { apiVersion, kind, metadata: { name: 'custom' }, spec: specOf(pod) });
    });
    // WHEN rendered / THEN both problems are reported at the pod spec's fields, under platform
    expect(problems.map((p) => p.replace(/^platform\.yaml:\d+: /, ''))).toEqual([
      `platform: ${kind} custom: ${podPath}.volumes[0]: volume "host" has type hostPath; Pod Security "restricted" allows configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected, secret (construct prod/platform/Custom)`,
      `platform: ${kind} custom: ${podPath}.containers[0].securityContext.runAsUser: container "app" runs as UID 0 (root); Pod Security "restricted" requires a non-zero UID (construct prod/platform/Custom)`,
    ]);
  });

  test('a custom pod that meets the profile passes, and so does the whole reference platform', () => {
    // GIVEN a Job whose pod uses the library's security defaults
    const problems = problemsAfter((platform) => {
      new k8s.KubeJob(platform.platformChart, 'Good', { metadata: { name: 'good' }, spec: { template: { spec: { ...goodPod, restartPolicy: 'Never' } } } });
    });
    // WHEN rendered / THEN nothing is reported
    expect(problems).toEqual([]);
  });

  test('pod specs are found wherever they are and objects without pods have none', () => {
    expect(podSpecsIn({ kind: 'ConfigMap', data: { containers: 'x' } })).toEqual([]);
    expect(podSpecsIn({ kind: 'PodTemplate', template: { spec: goodPod } }).map((p) => p.path)).toEqual(['template.spec']);
    // a kind the platform emits without pods is skipped only in its own API group
    expect(podSpecsIn({ apiVersion: 'v1', kind: 'Service', spec: { template: { spec: goodPod } } })).toEqual([]);
    expect(podSpecsIn({ apiVersion: 'serving.knative.dev/v1', kind: 'Service', spec: { template: { spec: goodPod } } }).map((p) => p.path)).toEqual(['spec.template.spec']);
    expect(objectPodProblems({ kind: 'Pod', spec: { ...goodPod, hostNetwork: true, initContainers: [{ ...goodContainer, name: 'init', image: 'busybox' }] } })).toEqual([
      { field: 'spec.hostNetwork', message: 'is true; Pod Security "restricted" forbids sharing host namespaces' },
      { field: 'spec.initContainers[0].image', message: 'image "busybox" has no tag; pin it by tag (name:1.2.3) or digest (name@sha256:...)' },
    ]);
  });
});
