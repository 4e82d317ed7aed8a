/** Secure by default, checked over every object of every environment of the reference platform. */
import { Manifest } from '../src/synth';
import { synth } from './helpers';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
const all = synth().flatMap((e) => e.files.flatMap((f) => f.objects.map((o) => ({ env: e.name, o }))));

/** The pod spec of any workload kind, or undefined. */
function podSpecOf(o: Manifest): Any {
  const spec = (o as Any).spec;
  if (!spec) return undefined;
  if (o.kind === 'CronJob') return spec.jobTemplate?.spec?.template?.spec;
  return spec.template?.spec;
}
const pods = all.filter(({ o }) => ['Deployment', 'StatefulSet', 'Rollout', 'DaemonSet', 'Job', 'CronJob'].includes(o.kind) && podSpecOf(o));
const containersOf = (o: Manifest): Any[] => [...(podSpecOf(o).initContainers ?? []), ...podSpecOf(o).containers];
const label = ({ env, o }: { env: string; o: Manifest }) => `${env} ${o.kind}/${o.metadata.name}`;

test('there are workloads to check', () => {
  expect(pods.length).toBeGreaterThan(0);
});

test.each(pods.map((p) => [label(p), p.o]))('%s meets Pod Security Standards "restricted"', (_, o) => {
  const pod = podSpecOf(o as Manifest);
  expect(pod.hostNetwork ?? false).toBe(false);
  expect(pod.hostPID ?? false).toBe(false);
  expect(pod.hostIPC ?? false).toBe(false);
  expect(pod.securityContext.runAsNonRoot).toBe(true);
  expect(pod.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
  for (const c of containersOf(o as Manifest)) {
    const sc = c.securityContext;
    expect(sc.allowPrivilegeEscalation).toBe(false);
    expect(sc.privileged ?? false).toBe(false);
    expect(sc.capabilities.drop).toEqual(['ALL']);
    expect(sc.capabilities.add ?? []).toEqual([]);
    expect(sc.runAsUser ?? pod.securityContext.runAsUser).toBeGreaterThan(0);
    expect(sc.readOnlyRootFilesystem).toBe(true);
    expect(c.resources.requests).toBeDefined();
    expect(c.resources.limits).toBeDefined();
  }
  for (const v of pod.volumes ?? []) expect(v.hostPath).toBeUndefined();
});

test.each(pods.map((p) => [label(p), p.o]))('%s pins every image by tag or digest, never latest', (_, o) => {
  for (const c of containersOf(o as Manifest)) {
    expect(c.image).toMatch(/(:[\w][\w.-]*|@sha256:[a-f0-9]{64})$/);
    expect(c.image).not.toMatch(/:latest$/);
  }
});

test('no Secret objects are generated: secrets are referenced by name and key only', () => {
  expect(all.filter(({ o }) => o.kind === 'Secret').map(label)).toEqual([]);
});

test('no environment variable carries a literal value under a secret-looking name', () => {
  const offenders = pods.flatMap(({ o }) => containersOf(o).flatMap((c) => (c.env ?? [])
    .filter((e: Any) => /PASSWORD|SECRET|TOKEN|PRIVATE_KEY|API_KEY|COOKIE/i.test(e.name) && e.value !== undefined)
    .map((e: Any) => `${o.kind}/${o.metadata.name} ${e.name}`)));
  expect(offenders).toEqual([]);
});
