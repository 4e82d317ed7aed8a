/**
 * One service of the platform: its ServiceAccount, Service, workload (a Deployment, or the
 * pod template an Argo Rollout takes over), autoscaler and disruption budget.
 */
import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct, IConstruct } from 'constructs';
import { imagePinProblem } from '../spec/image';
import { ENV_VAR_NAME } from '../spec/formats';
import { dns1035Label } from '../spec/k8s-rules';
import { componentLabels, imageVersion, selectorLabels } from './labels';
import { healthProbes } from './probes';
import { containerResources, ContainerResourceAmounts, resourceProblems } from './resources';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext, tmpVolume } from './security';
import { TreeIndex } from '../tree-index';

/** Name of the container port every service exposes. */
export const HTTP_PORT_NAME = 'http';

/** A Secret key an environment variable is read from. */
export interface SecretKeyReference {
  /** Name of an existing Secret in the namespace. */
  readonly secret: string;
  /** Key inside that Secret. */
  readonly key: string;
}

/** Bounds of the HorizontalPodAutoscaler. */
export interface MicroServiceAutoscaling {
  /**
   * Fewest replicas.
   * @default 2
   */
  readonly minReplicas?: number;
  /**
   * Most replicas.
   * @default 10
   */
  readonly maxReplicas?: number;
  /**
   * Target average CPU utilization, in percent of the CPU request.
   * @default 70
   */
  readonly cpuUtilization?: number;
}

/** The default resources of a service container. */
export const DEFAULT_SERVICE_RESOURCES: ContainerResourceAmounts = {
  requests: { cpu: '100m', memory: '128Mi' },
  limits: { cpu: '500m', memory: '256Mi' },
};

/** The default autoscaler bounds. */
export const DEFAULT_AUTOSCALING: Required<MicroServiceAutoscaling> = { minReplicas: 2, maxReplicas: 10, cpuUtilization: 70 };

/** Non-root UID a service runs as unless told otherwise. */
export const DEFAULT_RUN_AS_USER = 10001;

/**
 * Props of a MicroService: only `image` and `port` are required; everything else has a
 * hardened default, so `new MicroService(chart, 'web', { image: 'ghcr.io/acme/web:1.4.2', port: 8080 })`
 * is a complete service.
 */
export interface MicroServiceProps {
  /** Container image, pinned by tag or digest (never "latest"). */
  readonly image: string;
  /** HTTP port the container listens on (1-65535); the Service exposes the same port. */
  readonly port: number;
  /**
   * Service name (a DNS-1035 label); names every object and the container.
   * @default the construct id
   */
  readonly name?: string;
  /**
   * Environment name: part of the `app.kubernetes.io/instance` label (`<name>-<environment>`) and of
   * the OpenTelemetry resource attributes.
   * @default - no environment: the instance label is the name
   */
  readonly environment?: string;
  /**
   * Application the service belongs to (`app.kubernetes.io/part-of`).
   * @default - no part-of label
   */
  readonly partOf?: string;
  /**
   * OTLP gRPC endpoint of an OpenTelemetry Collector, set as OTEL_EXPORTER_OTLP_ENDPOINT.
   * @default - no exporter variables (OTEL_SERVICE_NAME and resource attributes are still set)
   */
  readonly otlpEndpoint?: string;
  /**
   * Which object runs the pods. "Rollout" leaves the pod template to an Argo Rollout
   * (see delivery/) and points the autoscaler at it.
   * @default "Deployment"
   */
  readonly workloadKind?: 'Deployment' | 'Rollout';
  /**
   * A fixed replica count, with no autoscaler. Cannot be combined with `autoscaling`.
   * @default - an autoscaler decides (see `autoscaling`)
   */
  readonly replicas?: number;
  /**
   * Bounds of the HorizontalPodAutoscaler (CPU utilization). Cannot be combined with `replicas`.
   * @default - { minReplicas: 2, maxReplicas: 10, cpuUtilization: 70 } unless `replicas` is set
   */
  readonly autoscaling?: MicroServiceAutoscaling;
  /**
   * CPU and memory requests and limits of the container.
   * @default - requests 100m CPU / 128Mi memory, limits 500m CPU / 256Mi memory
   */
  readonly resources?: ContainerResourceAmounts;
  /**
   * Plain environment variables (never secrets), in this order.
   * @default {}
   */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Environment variables read from Secrets by name and key (no value ever lands in the YAML).
   * @default {}
   */
  readonly secretEnv?: Readonly<Record<string, SecretKeyReference>>;
  /**
   * Mount the Kubernetes API token in the pods (rarely needed).
   * @default false
   */
  readonly automountServiceAccountToken?: boolean;
  /**
   * Non-root UID the container runs as (must not be 0).
   * @default 10001
   */
  readonly runAsUser?: number;
  /**
   * Path of the health endpoint the startup, liveness and readiness probes call.
   * @default "/health"
   */
  readonly healthPath?: string;
}

/** Every MicroService by service name, for other constructs' checks. */
const SERVICES = new TreeIndex<MicroService>();

/**
 * A service's workload and the objects around it: ServiceAccount, ClusterIP Service, Deployment
 * (or the pod template an Argo Rollout takes over), HorizontalPodAutoscaler and
 * PodDisruptionBudget. Pods meet Pod Security "restricted", probe /health, have bounded
 * resources and spread across zones and nodes.
 */
export class MicroService extends Construct {
  /**
   * The MicroService constructs of service `name` in the construct tree of `scope` (usually one).
   * The mesh's constructs use it to check that the routes they write have pods behind them.
   */
  public static forService(scope: IConstruct, name: string): readonly MicroService[] {
    return SERVICES.find(scope, name);
  }

  /** Service name. */
  public readonly serviceName: string;
  /** The container image. */
  public readonly image: string;
  /** The HTTP port of the container and the Service. */
  public readonly port: number;
  /** Fixed replica count when there is no autoscaler; undefined under an autoscaler. */
  public readonly replicas?: number;
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
  /** The HorizontalPodAutoscaler, unless `replicas` fixed the count. */
  public readonly autoscaler?: k8s.KubeHorizontalPodAutoscalerV2;
  /** The PodDisruptionBudget. */
  public readonly disruptionBudget: k8s.KubePodDisruptionBudget;
  /** The kind that runs the pods. */
  public readonly workloadKind: 'Deployment' | 'Rollout';

  private readonly env: k8s.EnvVar[];
  private readonly volumes: k8s.Volume[];
  private readonly mounts: k8s.VolumeMount[];
  private podController?: IConstruct;

  constructor(scope: Construct, id: string, props: MicroServiceProps) {
    super(scope, id);
    const name = props.name ?? id;
    const problems = propsProblems(name, props);
    if (problems.length) {
      throw new Error(`MicroService ${scope.node.path ? `${scope.node.path}/` : ''}${id}: invalid props:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    }
    this.serviceName = name;
    SERVICES.add(this, name);
    this.image = props.image;
    this.port = props.port;
    this.workloadKind = props.workloadKind ?? 'Deployment';
    const autoscaling = props.replicas === undefined ? { ...DEFAULT_AUTOSCALING, ...props.autoscaling } : undefined;
    this.replicas = autoscaling ? undefined : props.replicas;
    const automountToken = props.automountServiceAccountToken ?? false;
    const runAsUser = props.runAsUser ?? DEFAULT_RUN_AS_USER;
    const version = imageVersion(props.image);
    const environment = props.environment;
    this.selector = selectorLabels(name, environment);
    this.labels = componentLabels({ name, partOf: props.partOf, environment, component: 'api', version });

    this.serviceAccount = new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata: { name, labels: { ...this.labels } },
      automountServiceAccountToken: automountToken,
    });

    this.servicePorts = [{ name: HTTP_PORT_NAME, port: props.port, targetPort: k8s.IntOrString.fromString(HTTP_PORT_NAME), protocol: 'TCP', appProtocol: 'http' }];
    this.service = new k8s.KubeService(this, 'Service', {
      metadata: { name, labels: { ...this.labels } },
      spec: {
        type: 'ClusterIP',
        selector: { ...this.selector },
        ports: this.servicePorts,
      },
    });

    const tmp = tmpVolume();
    const exporter: k8s.EnvVar[] = props.otlpEndpoint === undefined ? [] : [
      { name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: props.otlpEndpoint },
      { name: 'OTEL_EXPORTER_OTLP_PROTOCOL', value: 'grpc' },
    ];
    const resourceAttributes = environment === undefined ? `service.version=${version}` : `deployment.environment=${environment},service.version=${version}`;
    this.env = [
      { name: 'PORT', value: String(props.port) },
      ...Object.entries(props.env ?? {}).map(([k, value]) => ({ name: k, value })),
      ...Object.entries(props.secretEnv ?? {}).map(([k, ref]) => secretEnv(k, ref)),
      { name: 'OTEL_SERVICE_NAME', value: name },
      ...exporter,
      { name: 'OTEL_RESOURCE_ATTRIBUTES', value: resourceAttributes },
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
        automountServiceAccountToken: automountToken,
        securityContext: restrictedPodSecurityContext(runAsUser),
        terminationGracePeriodSeconds: 30,
        topologySpreadConstraints: [
          spread('topology.kubernetes.io/zone', this.selector),
          spread('kubernetes.io/hostname', this.selector),
        ],
        containers: [{
          name,
          image: props.image,
          // Always: the node re-resolves the tag and re-checks the pull credentials on every start.
          imagePullPolicy: 'Always',
          ports: [{ name: HTTP_PORT_NAME, containerPort: props.port, protocol: 'TCP' }],
          env: this.env,
          resources: containerResources(props.resources ?? DEFAULT_SERVICE_RESOURCES),
          securityContext: restrictedContainerSecurityContext(runAsUser),
          ...healthProbes(HTTP_PORT_NAME, props.healthPath ?? '/health'),
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
          replicas: this.replicas,
          revisionHistoryLimit: 5,
          selector: { matchLabels: { ...this.selector } },
          strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: k8s.IntOrString.fromString('25%'), maxUnavailable: k8s.IntOrString.fromNumber(0) } },
          template: this.podTemplate,
        },
      });
    }

    if (autoscaling) {
      this.autoscaler = new k8s.KubeHorizontalPodAutoscalerV2(this, 'Autoscaler', {
        metadata: { name, labels: { ...this.labels } },
        spec: {
          scaleTargetRef: this.workloadKind === 'Deployment'
            ? { apiVersion: 'apps/v1', kind: 'Deployment', name }
            : { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name },
          minReplicas: autoscaling.minReplicas,
          maxReplicas: autoscaling.maxReplicas,
          metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: autoscaling.cpuUtilization } } }],
          behavior: { scaleDown: { stabilizationWindowSeconds: 300, policies: [{ type: 'Percent', value: 50, periodSeconds: 60 }] } },
        },
      });
    }

    this.disruptionBudget = new k8s.KubePodDisruptionBudget(this, 'DisruptionBudget', {
      metadata: { name, labels: { ...this.labels } },
      // One pod at a time: never blocks a node drain, never takes the service down.
      spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: { ...this.selector } } },
    });

    // Built for a Rollout, the service has no Deployment: without the Rollout no pod would run, and
    // the autoscaler and the mesh's routes would name objects that do not exist.
    if (this.workloadKind === 'Rollout') {
      this.node.addValidation({
        validate: () => (this.podController ? [] : [`${name}: built with workloadKind "Rollout", but no Rollout runs its pods: add a CanaryDelivery, BlueGreenDelivery or WorkloadRollout for it, or build it with workloadKind "Deployment"`]),
      });
    }
  }

  /**
   * Records the construct that runs the pods of a service built with workloadKind "Rollout"
   * (WorkloadRollout calls it); a service's pods have one controller, so a second is refused.
   */
  public runPodsBy(controller: IConstruct): void {
    if (this.workloadKind !== 'Rollout') throw new Error(`${this.serviceName}: only a service built with workloadKind "Rollout" has its pods run by another construct (it has a Deployment)`);
    if (this.podController && this.podController !== controller) {
      throw new Error(`${this.serviceName}: its pods are already run by ${this.podController.node.path}; one Rollout per service`);
    }
    this.podController = controller;
  }

  /** Adds a plain environment variable to the service container. */
  public addEnv(name: string, value: string): void {
    this.env.push({ name, value });
  }

  /** Adds an environment variable read from a Secret by name and key. */
  public addSecretEnv(name: string, ref: SecretKeyReference): void {
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

function secretEnv(name: string, ref: SecretKeyReference): k8s.EnvVar {
  return { name, valueFrom: { secretKeyRef: { name: ref.secret, key: ref.key } } };
}

function spread(topologyKey: string, selector: Readonly<Record<string, string>>): k8s.TopologySpreadConstraint {
  return { maxSkew: 1, topologyKey, whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { ...selector } } };
}

/** Everything wrong with the props, all at once, each saying what is allowed. */
function propsProblems(name: string, props: MicroServiceProps): string[] {
  const problems: string[] = [];
  const wholeIn = (v: number, min: number, max: number) => Number.isInteger(v) && v >= min && v <= max;
  if (dns1035Label(name).length) problems.push(`name "${name}" must be a DNS-1035 label: lowercase letters, digits and "-", starting with a letter, at most 63 characters`);
  const pin = imagePinProblem(props.image);
  if (pin) problems.push(pin);
  if (!wholeIn(props.port, 1, 65535)) problems.push(`port ${props.port} must be a whole number from 1 to 65535`);
  if (props.replicas !== undefined && props.autoscaling !== undefined) {
    problems.push('replicas and autoscaling cannot both be set: replicas fixes the count, autoscaling lets an HPA choose it');
  }
  if (props.replicas !== undefined && !wholeIn(props.replicas, 0, Number.MAX_SAFE_INTEGER)) problems.push(`replicas ${props.replicas} must be a whole number, 0 or more`);
  if (props.autoscaling) {
    const a = { ...DEFAULT_AUTOSCALING, ...props.autoscaling };
    if (!wholeIn(a.minReplicas, 1, Number.MAX_SAFE_INTEGER)) problems.push(`autoscaling.minReplicas ${a.minReplicas} must be a whole number, at least 1`);
    if (!wholeIn(a.maxReplicas, a.minReplicas, Number.MAX_SAFE_INTEGER)) problems.push(`autoscaling.maxReplicas ${a.maxReplicas} must be a whole number, at least minReplicas (${a.minReplicas})`);
    if (!wholeIn(a.cpuUtilization, 1, 100)) problems.push(`autoscaling.cpuUtilization ${a.cpuUtilization} must be a whole percentage from 1 to 100`);
  }
  if (props.runAsUser !== undefined && !wholeIn(props.runAsUser, 1, 2 ** 31 - 1)) problems.push(`runAsUser ${props.runAsUser} must be a non-zero UID (Pod Security "restricted" forbids root)`);
  for (const key of [...Object.keys(props.env ?? {}), ...Object.keys(props.secretEnv ?? {})]) {
    if (!ENV_VAR_NAME.test(key)) problems.push(`environment variable "${key}" must match ${ENV_VAR_NAME.source}`);
  }
  for (const key of Object.keys(props.env ?? {})) {
    if (props.secretEnv && key in props.secretEnv) problems.push(`environment variable "${key}" is in both env and secretEnv; set it in one`);
  }
  if (props.healthPath !== undefined && !props.healthPath.startsWith('/')) problems.push(`healthPath "${props.healthPath}" must start with "/"`);
  if (props.resources) problems.push(...resourceProblems(props.resources));
  return problems;
}
