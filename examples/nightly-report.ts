/**
 * Extending the platform in TypeScript: a nightly report CronJob that runs next to
 * order-service, in its chart (so in dist/<env>/30-order-service.yaml and its namespace),
 * built from the library's own security defaults, labels and spec.
 *
 * A program of your own composes each environment, adds its constructs, then renders and writes
 * as `npm run synth` does (synthWithNightlyReport below); test/extension/custom-construct.test.ts runs it.
 */
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import {
  componentLabels, composeEnvironment, containerResources, imagePinProblem, imageVersion, loadPlatformFile, PlatformEnvironment, platformReportWriter, renderEnvironment,
  ResourcesSpec, restrictedContainerSecurityContext, restrictedPodSecurityContext, SynthesizedEnvironment, tmpVolume,
} from '../src';

export interface NightlyReportProps {
  /** The composed environment the report belongs to. */
  readonly platform: PlatformEnvironment;
  /** The service whose data the report reads; the job runs in that service's chart. */
  readonly service: string;
  /** Report image, pinned by tag or digest. */
  readonly image: string;
  /** Cron schedule (five fields). @default "0 2 * * *" */
  readonly schedule?: string;
  /** IANA time zone of the schedule. @default "Etc/UTC" */
  readonly timeZone?: string;
  /** Requests and limits of the report container. @default 100m/128Mi requested, 500m/256Mi limit */
  readonly resources?: ResourcesSpec;
  /** A run is stopped after this many seconds. @default 1800 */
  readonly activeDeadlineSeconds?: number;
}

/** A CronJob and its own ServiceAccount, meeting the same Pod Security "restricted" defaults as the services. */
export class NightlyReport extends Construct {
  /** The CronJob. */
  public readonly cronJob: k8s.KubeCronJob;
  /** The ServiceAccount its pods run as (their mesh identity). */
  public readonly serviceAccount: k8s.KubeServiceAccount;

  constructor(scope: Construct, id: string, props: NightlyReportProps) {
    super(scope, id);
    const stack = props.platform.services.get(props.service);
    if (!stack) throw new Error(`NightlyReport: no service "${props.service}"; services: ${[...props.platform.services.keys()].join(', ')}`);
    const pinProblem = imagePinProblem(props.image);
    if (pinProblem) throw new Error(`NightlyReport: ${pinProblem}`);
    const schedule = props.schedule ?? '0 2 * * *';
    if (schedule.trim().split(/\s+/).length !== 5) throw new Error(`NightlyReport: schedule "${schedule}" must have five cron fields`);
    const resources = props.resources ?? { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } };

    const env = props.platform.spec;
    const service = stack.spec;
    const name = `${props.service}-nightly-report`;
    const uid = service.runAsUser;
    const labels = componentLabels({ name, partOf: env.platform.name, environment: env.name, component: 'report', version: imageVersion(props.image) });
    const tmp = tmpVolume();

    this.serviceAccount = new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata: { name, labels },
      automountServiceAccountToken: false,
    });

    const database = service.database;
    const credentials = database?.credentialsSecret ?? `${props.service}-db-credentials`;
    const databaseEnv: k8s.EnvVar[] = database
      ? [
        { name: 'DB_HOST', value: `${props.service}-db` },
        { name: 'DB_NAME', value: database.name },
        { name: 'DB_USER', valueFrom: { secretKeyRef: { name: credentials, key: 'username' } } },
        { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: credentials, key: 'password' } } },
      ]
      : [];

    this.cronJob = new k8s.KubeCronJob(this, 'CronJob', {
      metadata: { name, labels },
      spec: {
        schedule,
        timeZone: props.timeZone ?? 'Etc/UTC',
        // A late or slow run never overlaps the next one.
        concurrencyPolicy: 'Forbid',
        startingDeadlineSeconds: 600,
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
          metadata: { labels },
          spec: {
            backoffLimit: 2,
            activeDeadlineSeconds: props.activeDeadlineSeconds ?? 1800,
            ttlSecondsAfterFinished: 86400,
            template: {
              metadata: {
                labels: { ...labels, app: name, version: 'v1' },
                // The Istio sidecar must be up before the report connects, and told to exit after
                // it (Kubernetes 1.27 has no native sidecars): the report POSTs to ISTIO_QUIT_URL.
                annotations: { 'proxy.istio.io/config': '{"holdApplicationUntilProxyStarts":true}' },
              },
              spec: {
                serviceAccountName: name,
                automountServiceAccountToken: false,
                restartPolicy: 'Never',
                securityContext: restrictedPodSecurityContext(uid),
                containers: [{
                  name: 'report',
                  image: props.image,
                  imagePullPolicy: 'Always',
                  env: [
                    ...databaseEnv,
                    { name: 'ISTIO_QUIT_URL', value: 'http://127.0.0.1:15020/quitquitquit' },
                    { name: 'OTEL_SERVICE_NAME', value: name },
                  ],
                  resources: containerResources(resources),
                  securityContext: restrictedContainerSecurityContext(uid),
                  volumeMounts: [tmp.mount],
                }],
                volumes: [tmp.volume],
              },
            },
          },
        },
      },
    });
  }
}

/**
 * Synthesizes the spec with a nightly report next to order-service in every environment (or the
 * ones named); the result goes to writeEnvironments like `npm run synth`'s.
 */
export function synthWithNightlyReport(specFile: string, envs?: readonly string[]): SynthesizedEnvironment[] {
  const loaded = loadPlatformFile(specFile);
  return loaded.environments.filter((e) => !envs || envs.includes(e.name)).map((spec) => {
    const platform = composeEnvironment(spec);
    const orderService = platform.services.get('order-service');
    if (orderService) {
      new NightlyReport(orderService.chart, 'NightlyReport', { platform, service: 'order-service', image: 'ghcr.io/shop-example/order-report:1.0.0' });
    }
    // Validations, the duplicate check, ordering and the report (REPORT.md) cover the custom objects too.
    return renderEnvironment(platform, loaded, { extraWriters: [platformReportWriter] });
  });
}
