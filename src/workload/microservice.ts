/**
 * One service of the platform: its ServiceAccount, Service, workload (a Deployment, or the
 * pod template an Argo Rollout takes over), autoscaler and disruption budget.
 */
import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { SecretRef, ServiceSpec } from '../spec/schema';
import { componentLabels, imageVersion, selectorLabels } from './labels';
import { healthProbes } from './probes';
import { containerResources } from './resources';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext, tmpVolume } from './security';

/** Name of the container port every service exposes. */
export const HTTP_PORT_NAME = 'http';

export interface MicroServiceProps {
  /** Service name (a DNS-1035 label); names every object. */
  readonly name: string;
  /** The merged spec of the service. */
  readonly spec: ServiceSpec;
  /** Environment name, for labels and OTEL resource attributes. */
  readonly environment: string;
  /** Platform name (app.kubernetes.io/part-of). */
  readonly partOf: string;
  /** OTLP endpoint of the OpenTelemetry Collector. */
  readonly otlpEndpoint: string;
  /**
   * Which object runs the pods. "Rollout" leaves the pod template to an Argo Rollout
   * (see delivery/) and points the autoscaler at it.
   * @default "Deployment"
   */
  readonly workloadKind?: 'Deployment' | 'Rollout';
}

/** A service's workload and the objects around it. */
export class MicroService extends Construct {
  /** Service name. */
  public readonly serviceName: string;
  /** The spec it was built from. */
  public readonly spec: ServiceSpec;
  /** Labels that select its pods (immutable). */
  public readonly selector: Readonly<Record<string, string>>;
  /** Labels on every object of the service. */
  public readonly labels: Readonly<Record<string, string>>;
  /** The pod template; the Deployment or a Rollout uses it. Extend it through addEnv/addVolume. */
  public readonly podTemplate: k8s.PodTemplateSpec;
  /** The ServiceAccount the pods run as (mesh identity). */
  public readonly serviceAccount: k8s.KubeServiceAccount;
  /** The ClusterIP Service in front of the pods. */
  public readonly service: k8s.KubeService;
  /** The ports of that Service (the same list, so companion Services keep in step). */
  public readonly servicePorts: k8s.ServicePort[];
  /** The Deployment, unless a Rollout runs the pods. */
  public readonly deployment?: k8s.KubeDeployment;
  /** The HorizontalPodAutoscaler, when the spec asks for autoscaling. */
  public readonly autoscaler?: k8s.KubeHorizontalPodAutoscalerV2;
  /** The PodDisruptionBudget. */
  public readonly disruptionBudget: k8s.KubePodDisruptionBudget;
  /** The kind that runs the pods. */
  public readonly workloadKind: 'Deployment' | 'Rollout';

  private readonly env: k8s.EnvVar[];
  private readonly volumes: k8s.Volume[];
  private readonly mounts: k8s.VolumeMount[];

  constructor(scope: Construct, id: string, props: MicroServiceProps) {
    super(scope, id);
    const { name, spec } = props;
    this.serviceName = name;
    this.spec = spec;
    this.workloadKind = props.workloadKind ?? 'Deployment';
    const version = imageVersion(spec.image);
    this.selector = selectorLabels(name, props.environment);
    this.labels = componentLabels({ name, partOf: props.partOf, environment: props.environment, component: 'api', version });

    this.serviceAccount = new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata: { name, labels: { ...this.labels } },
      automountServiceAccountToken: spec.automountServiceAccountToken,
    });

    this.servicePorts = [{ name: HTTP_PORT_NAME, port: spec.port, targetPort: k8s.IntOrString.fromString(HTTP_PORT_NAME), protocol: 'TCP', appProtocol: 'http' }];
    this.service = new k8s.KubeService(this, 'Service', {
      metadata: { name, labels: { ...this.labels } },
      spec: {
        type: 'ClusterIP',
        selector: { ...this.selector },
        ports: this.servicePorts,
      },
    });

    const tmp = tmpVolume();
    this.env = [
      { name: 'PORT', value: String(spec.port) },
      ...Object.entries(spec.env).map(([k, value]) => ({ name: k, value })),
      ...Object.entries(spec.secretEnv).map(([k, ref]) => secretEnv(k, ref)),
      { name: 'OTEL_SERVICE_NAME', value: name },
      { name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: props.otlpEndpoint },
      { name: 'OTEL_EXPORTER_OTLP_PROTOCOL', value: 'grpc' },
      { name: 'OTEL_RESOURCE_ATTRIBUTES', value: `deployment.environment=${props.environment},service.version=${version}` },
    ];
    this.volumes = [tmp.volume];
    this.mounts = [tmp.mount];

    this.podTemplate = {
      metadata: {
        // `app` and `version` are the labels Istio telemetry and subsets read.
        labels: { ...this.labels, app: name, version: 'v1' },
        annotations: { 'kubectl.kubernetes.io/default-container': name },
      },
      spec: {
        serviceAccountName: name,
        automountServiceAccountToken: spec.automountServiceAccountToken,
        securityContext: restrictedPodSecurityContext(spec.runAsUser),
        terminationGracePeriodSeconds: 30,
        topologySpreadConstraints: [
          spread('topology.kubernetes.io/zone', this.selector),
          spread('kubernetes.io/hostname', this.selector),
        ],
        containers: [{
          name,
          image: spec.image,
          // Always: the node re-resolves the tag and re-checks the pull credentials on every start.
          imagePullPolicy: 'Always',
          ports: [{ name: HTTP_PORT_NAME, containerPort: spec.port, protocol: 'TCP' }],
          env: this.env,
          resources: containerResources(spec.resources),
          securityContext: restrictedContainerSecurityContext(spec.runAsUser),
          ...healthProbes(HTTP_PORT_NAME),
          volumeMounts: this.mounts,
        }],
        volumes: this.volumes,
      },
    };

    if (this.workloadKind === 'Deployment') {
      this.deployment = new k8s.KubeDeployment(this, 'Deployment', {
        metadata: { name, labels: { ...this.labels } },
        spec: {
          // Under an autoscaler the replica count is its business, not kubectl apply's.
          replicas: spec.autoscaling ? undefined : spec.replicas,
          revisionHistoryLimit: 5,
          selector: { matchLabels: { ...this.selector } },
          strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: k8s.IntOrString.fromString('25%'), maxUnavailable: k8s.IntOrString.fromNumber(0) } },
          template: this.podTemplate,
        },
      });
    }

    if (spec.autoscaling) {
      this.autoscaler = new k8s.KubeHorizontalPodAutoscalerV2(this, 'Autoscaler', {
        metadata: { name, labels: { ...this.labels } },
        spec: {
          scaleTargetRef: this.workloadKind === 'Deployment'
            ? { apiVersion: 'apps/v1', kind: 'Deployment', name }
            : { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name },
          minReplicas: spec.autoscaling.minReplicas,
          maxReplicas: spec.autoscaling.maxReplicas,
          metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: spec.autoscaling.cpuUtilization } } }],
          behavior: { scaleDown: { stabilizationWindowSeconds: 300, policies: [{ type: 'Percent', value: 50, periodSeconds: 60 }] } },
        },
      });
    }

    this.disruptionBudget = new k8s.KubePodDisruptionBudget(this, 'DisruptionBudget', {
      metadata: { name, labels: { ...this.labels } },
      // One pod at a time: never blocks a node drain, never takes the service down.
      spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: { ...this.selector } } },
    });
  }

  /** Adds a plain environment variable to the service container. */
  public addEnv(name: string, value: string): void {
    this.env.push({ name, value });
  }

  /** Adds an environment variable read from a Secret by name and key. */
  public addSecretEnv(name: string, ref: SecretRef): void {
    this.env.push(secretEnv(name, ref));
  }

  /** Adds a volume and mounts it in the service container. */
  public addVolume(volume: k8s.Volume, mount: k8s.VolumeMount): void {
    this.volumes.push(volume);
    this.mounts.push(mount);
  }

  /** The objects that belong to this service, for reports and tests. */
  public get apiObjects(): ApiObject[] {
    return this.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject);
  }
}

function secretEnv(name: string, ref: SecretRef): k8s.EnvVar {
  return { name, valueFrom: { secretKeyRef: { name: ref.secret, key: ref.key } } };
}

function spread(topologyKey: string, selector: Readonly<Record<string, string>>): k8s.TopologySpreadConstraint {
  return { maxSkew: 1, topologyKey, whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { ...selector } } };
}
