import { App } from 'cdk8s';
import { NightlyReport, synthWithNightlyReport } from '../../examples/nightly-report';
import { PlatformEnvironment } from '../../src';
import { loadPlatform } from '../../src/spec/load';
import { Manifest } from '../../src/synth';
import { findObject, REFERENCE_FILE, referenceText } from '../helpers';
import { podSecurityViolations, PodSpecLike } from './pod-security';

const [prod] = synthWithNightlyReport(REFERENCE_FILE, ['prod']);
const objects = prod.files.flatMap((f) => f.objects);
const cronJob = findObject<{ spec: { jobTemplate: { spec: { template: { spec: PodSpecLike & Record<string, unknown> } } } } }>(objects, 'CronJob', 'order-service-nightly-report');
const pod = cronJob.spec.jobTemplate.spec.template.spec;

describe('a custom construct composed with the library (examples/nightly-report.ts)', () => {
  test('lands in order-service\'s file with its own ServiceAccount', () => {
    // GIVEN the reference spec synthesized with the nightly report added to order-service's chart
    const file = prod.files.find((f) => f.name === '30-order-service.yaml')!;
    // THEN the CronJob and its ServiceAccount are in that file, in apply order with the rest
    const names = file.objects.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(names).toContain('CronJob/order-service-nightly-report');
    expect(names).toContain('ServiceAccount/order-service-nightly-report');
    expect(names.indexOf('ServiceAccount/order-service-nightly-report')).toBeLessThan(names.indexOf('CronJob/order-service-nightly-report'));
    expect(pod.serviceAccountName).toBe('order-service-nightly-report');
  });

  test('is in the environment\'s namespace, next to order-service', () => {
    const deployment = objects.find((o) => o.metadata.name === 'order-service' && ['Deployment', 'Rollout'].includes(o.kind)) as Manifest;
    expect(cronJob.metadata.namespace).toBe('shop-prod');
    expect(cronJob.metadata.namespace).toBe(deployment.metadata.namespace);
  });

  test('its pod meets Pod Security "restricted" and the project\'s pod rules', () => {
    expect(podSecurityViolations(pod)).toEqual([]);
  });

  test('reads database credentials from the Secret by name and key, never by value', () => {
    const env = (pod.containers ?? [])[0] as unknown as { env: Array<{ name: string; value?: string; valueFrom?: unknown }> };
    expect(env.env.find((e) => e.name === 'DB_PASSWORD')).toEqual({
      name: 'DB_PASSWORD',
      valueFrom: { secretKeyRef: { name: 'order-service-db-credentials', key: 'password' } },
    });
  });

  test('rejects an image that is not pinned', () => {
    // GIVEN a composed environment
    const spec = loadPlatform(referenceText(), REFERENCE_FILE).environments[0];
    const platform = new PlatformEnvironment(new App(), spec.name, { spec });
    // WHEN the report is given a "latest" image
    const add = () => new NightlyReport(platform.services.get('order-service')!.chart, 'NightlyReport', { platform, service: 'order-service', image: 'ghcr.io/x/report:latest' });
    // THEN the constructor refuses it
    expect(add).toThrow(/NightlyReport: image "ghcr.io\/x\/report:latest" uses the "latest" tag/);
  });

  test('the security check itself catches a pod without the defaults', () => {
    // GIVEN a pod with a root, privileged container without resources
    const violations = podSecurityViolations({ containers: [{ name: 'bad', image: 'x:latest', securityContext: { privileged: true, runAsUser: 0 } }] });
    // THEN each broken rule is named
    expect(violations).toEqual(expect.arrayContaining([
      'container bad: privileged',
      'container bad: allowPrivilegeEscalation is not false',
      'container bad: runAsNonRoot is not true',
      'container bad: runs as UID 0',
      'container bad: does not drop ALL capabilities',
      'container bad: root filesystem is writable',
    ]));
  });
});
