/**
 * A small platform component (rate limit service, its Redis, the trace collector): its
 * ServiceAccount, Service, Deployment under Pod Security "restricted" and, with more than one
 * replica, a PodDisruptionBudget. Access policy is added separately (WorkloadAccess).
 */
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../workload/security';
import { containerResources, ContainerResourceAmounts } from '../workload/resources';

/** A named container port. */
export interface SupportPort {
  /** Port name (also the Service port name). */
  readonly name: string;
  /** Port number (container and Service). */
  readonly port: number;
  /** Protocol hint for Istio, e.g. grpc, http, redis. */
  readonly appProtocol: string;
  /** Expose it through the Service. @default true */
  readonly serve?: boolean;
}

/** Props of a SupportWorkload: image, ports, replicas and resources of the component. */
export interface SupportWorkloadProps {
  /** Name of every object and of the container. */
  readonly name: string;
  /** Labels on every object and the pods. */
  readonly labels: Readonly<Record<string, string>>;
  /** Labels that select the pods (a subset of labels). */
  readonly selector: Readonly<Record<string, string>>;
  /** Image pinned by tag. */
  readonly image: string;
  /** Non-root UID (and GID) the container runs as. */
  readonly runAsUser: number;
  /** Replicas; more than one adds a PodDisruptionBudget. */
  readonly replicas: number;
  /** Ports. */
  readonly ports: readonly SupportPort[];
  /** Requests and limits. */
  readonly resources: ContainerResourceAmounts;
  /** Readiness and liveness probe (and startup probe, when given). */
  readonly probes: { readonly readiness: k8s.Probe; readonly liveness: k8s.Probe; readonly startup?: k8s.Probe };
  /** Command. @default the image's entrypoint */
  readonly command?: string[];
  /** Arguments. @default none */
  readonly args?: string[];
  /** Plain environment variables. @default {} */
  readonly env?: Readonly<Record<string, string>>;
  /** Volumes and their mounts (the root filesystem is read-only). @default [] */
  readonly volumes?: ReadonlyArray<{ readonly volume: k8s.Volume; readonly mount: k8s.VolumeMount }>;
  /** Pod annotations. @default {} */
  readonly podAnnotations?: Readonly<Record<string, string>>;
  /** Deployment strategy. @default RollingUpdate with surge 1, unavailable 0 */
  readonly strategy?: k8s.DeploymentStrategy;
  /** Annotations of the Deployment itself (e.g. a linter exception with its reason). @default {} */
  readonly annotations?: Readonly<Record<string, string>>;
}

/** A small platform component: ServiceAccount, Service, restricted Deployment and, with more than one replica, a PodDisruptionBudget. */
export class SupportWorkload extends Construct {
  /** Its ServiceAccount (no API token mounted). */
  public readonly serviceAccount: k8s.KubeServiceAccount;
  /** Its Service. */
  public readonly service: k8s.KubeService;
  /** Its Deployment. */
  public readonly deployment: k8s.KubeDeployment;
  /** Its PodDisruptionBudget; absent with one replica. */
  public readonly disruptionBudget?: k8s.KubePodDisruptionBudget;

  constructor(scope: Construct, id: string, props: SupportWorkloadProps) {
    super(scope, id);
    const { name } = props;
    const metadata = { name, labels: { ...props.labels } };
    const volumes = props.volumes ?? [];

    this.serviceAccount = new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata, automountServiceAccountToken: false });
    this.service = new k8s.KubeService(this, 'Service', {
      metadata,
      spec: {
        selector: { ...props.selector },
        ports: props.ports.filter((p) => p.serve ?? true)
          .map((p) => ({ name: p.name, port: p.port, targetPort: k8s.IntOrString.fromString(p.name), appProtocol: p.appProtocol })),
      },
    });
    this.deployment = new k8s.KubeDeployment(this, 'Deployment', {
      metadata: props.annotations ? { ...metadata, annotations: { ...props.annotations } } : metadata,
      spec: {
        replicas: props.replicas,
        revisionHistoryLimit: 5,
        selector: { matchLabels: { ...props.selector } },
        strategy: props.strategy ?? { type: 'RollingUpdate', rollingUpdate: { maxSurge: k8s.IntOrString.fromNumber(1), maxUnavailable: k8s.IntOrString.fromNumber(0) } },
        template: {
          metadata: {
            // `app` and `version` are the labels Istio telemetry reads.
            labels: { ...props.labels, app: name, version: 'v1' },
            annotations: props.podAnnotations ? { ...props.podAnnotations } : undefined,
          },
          spec: {
            serviceAccountName: name,
            automountServiceAccountToken: false,
            securityContext: restrictedPodSecurityContext(props.runAsUser),
            terminationGracePeriodSeconds: 30,
            containers: [{
              name,
              image: props.image,
              imagePullPolicy: 'Always',
              command: props.command,
              args: props.args,
              ports: props.ports.map((p) => ({ name: p.name, containerPort: p.port, protocol: 'TCP' })),
              env: props.env ? Object.entries(props.env).map(([k, value]) => ({ name: k, value })) : undefined,
              resources: containerResources(props.resources),
              securityContext: restrictedContainerSecurityContext(props.runAsUser),
              startupProbe: props.probes.startup,
              readinessProbe: props.probes.readiness,
              livenessProbe: props.probes.liveness,
              volumeMounts: volumes.map((v) => v.mount),
            }],
            volumes: volumes.map((v) => v.volume),
          },
        },
      },
    });
    if (props.replicas > 1) {
      this.disruptionBudget = new k8s.KubePodDisruptionBudget(this, 'DisruptionBudget', {
        metadata,
        // One pod at a time: never blocks a node drain, never takes the component down.
        spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: { ...props.selector } } },
      });
    }
  }
}
