/**
 * Parts every data store shares: labels, its pair of Services, the volume claim template,
 * resources and the disruption budget. Each store's construct composes them.
 */
import { createHash } from 'crypto';
import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { onlyTrue } from '../render/server-form';
import { StoreStatefulSet } from './store-statefulset';
import { imagePinProblem } from '../spec/image';
import { dns1035Label, dns1123Label, dns1123Subdomain, labelValue, quantity as quantityRule } from '../spec/k8s-rules';
import { componentLabels, imageVersion, selectorLabels } from '../workload/labels';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../workload/security';
import { ContainerResourceAmounts, quantity, resourceProblems } from '../workload/resources';

/** Where a store runs and how it is labelled; every store's props extend it. */
export interface StoreContext {
  /**
   * Environment name: part of the `app.kubernetes.io/instance` label (`<name>-<environment>`)
   * and of the selector.
   * @default - no environment: the instance label is the store's name
   */
  readonly environment?: string;
  /**
   * Application the store belongs to (`app.kubernetes.io/part-of`).
   * @default - no part-of label
   */
  readonly partOf?: string;
  /**
   * Namespace the store runs in, for the fully qualified host names its clients get.
   * @default - the chart's namespace, else "default"
   */
  readonly namespace?: string;
}

/** Size and class of a store's volume (one per pod). */
export interface StoreStorage {
  /** Size, a Kubernetes quantity such as 10Gi. */
  readonly size: string;
  /**
   * StorageClass name.
   * @default - the cluster's default StorageClass
   */
  readonly storageClass?: string;
}

/** A port a store listens on. */
export interface StorePort {
  /** Container port name (at most 15 characters). */
  readonly name: string;
  /** Port number. */
  readonly port: number;
  /**
   * How Istio should treat it; the Service port name gets this prefix.
   * @default "tcp" (opaque TCP: the database and broker protocols)
   */
  readonly protocol?: 'tcp' | 'http';
}

/** The UID and GID of the postgres, redis and rabbitmq users in their official Debian/Ubuntu images. */
export const STORE_UID = 999;

/**
 * Labels of a store's objects, the subset that selects its pods, and the labels of its volume
 * claim template. A StatefulSet's volumeClaimTemplates cannot change after creation, so their
 * labels leave out everything that changes during the store's life (the image version).
 * Without an environment the instance is the name; without a part-of there is no such label.
 */
export function storeLabels(name: string, component: string, image: string, ctx: StoreContext): {
  labels: Record<string, string>; selector: Record<string, string>; claimLabels: Record<string, string>;
} {
  const of = (version?: string) => componentLabels({ name, partOf: ctx.partOf, environment: ctx.environment, component, version });
  return {
    labels: of(imageVersion(image)),
    selector: selectorLabels(name, ctx.environment),
    claimLabels: of(),
  };
}

/** The namespace a store's host names use: the props', else the chart's, else "default". */
export function storeNamespace(scope: Construct, ctx: StoreContext): string {
  return ctx.namespace ?? Chart.of(scope).namespace ?? 'default';
}

/**
 * What is wrong with the props every store shares, as messages that name the prop: the object
 * names derived from `name` (its Services, the headless one the longest), the image pin, the
 * volume and the resources (quantities, requests within limits).
 */
export function storeProblems(name: string, props: {
  readonly ctx: StoreContext;
  readonly image: string;
  readonly storage?: StoreStorage;
  readonly resources: ContainerResourceAmounts;
}): string[] {
  const problems: string[] = [];
  const headless = `${name}-headless`;
  for (const m of dns1035Label(headless)) problems.push(`Service name "${headless}" (from the store's name "${name}"): ${m}`);
  const { ctx } = props;
  if (ctx.namespace !== undefined) for (const m of dns1123Label(ctx.namespace)) problems.push(`namespace "${ctx.namespace}": ${m}`);
  if (ctx.partOf !== undefined) for (const m of labelValue(ctx.partOf)) problems.push(`partOf "${ctx.partOf}" (a label value): ${m}`);
  if (ctx.environment !== undefined) {
    const instance = `${name}-${ctx.environment}`;
    for (const m of labelValue(instance)) problems.push(`environment "${ctx.environment}" (label app.kubernetes.io/instance "${instance}"): ${m}`);
  }
  const pin = imagePinProblem(props.image);
  if (pin) problems.push(pin);
  if (props.storage) {
    for (const m of quantityRule(props.storage.size)) problems.push(`storage.size "${props.storage.size}": ${m}`);
    if (props.storage.storageClass !== undefined) {
      for (const m of dns1123Subdomain(props.storage.storageClass)) problems.push(`storage.storageClass "${props.storage.storageClass}": ${m}`);
    }
  }
  problems.push(...resourceProblems(props.resources));
  return problems;
}

/** Throws one error that lists every problem of a store's props, or nothing when there are none. */
export function rejectProblems(kind: string, scope: Construct, id: string, problems: readonly string[]): void {
  if (problems.length === 0) return;
  throw new Error(`${kind} ${scope.node.path ? `${scope.node.path}/` : ''}${id}: invalid props:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
}

/** The in-cluster DNS name of a Service. */
export function serviceHost(name: string, namespace: string): string {
  return `${name}.${namespace}.svc.cluster.local`;
}

/** Service ports named `<protocol>-<name>`, the prefix Istio reads to pick its proxy protocol. */
export function servicePorts(ports: readonly StorePort[]): k8s.ServicePort[] {
  return ports.map((p) => {
    const protocol = p.protocol ?? 'tcp';
    return { name: `${protocol}-${p.name}`, port: p.port, targetPort: k8s.IntOrString.fromString(p.name), protocol: 'TCP', appProtocol: protocol };
  });
}

/** Container ports for the same list. */
export function containerPorts(ports: readonly StorePort[]): k8s.ContainerPort[] {
  return ports.map((p) => ({ name: p.name, containerPort: p.port, protocol: 'TCP' }));
}

/**
 * The client Service `<name>` and the headless Service `<name>-headless` that gives each
 * StatefulSet pod a stable DNS name.
 */
export function storeServices(scope: Construct, props: {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly selector: Record<string, string>;
  readonly clientPorts: readonly StorePort[];
  readonly peerPorts?: readonly StorePort[];
  readonly publishNotReadyAddresses?: boolean;
}): { client: k8s.KubeService; headless: k8s.KubeService } {
  const client = new k8s.KubeService(scope, 'Service', {
    metadata: { name: props.name, labels: { ...props.labels } },
    spec: { type: 'ClusterIP', selector: { ...props.selector }, ports: servicePorts(props.clientPorts) },
  });
  const headless = new k8s.KubeService(scope, 'HeadlessService', {
    metadata: { name: `${props.name}-headless`, labels: { ...props.labels } },
    spec: {
      clusterIp: 'None',
      selector: { ...props.selector },
      // false is the default and a non-pointer field: the server drops it, so only true is written.
      publishNotReadyAddresses: onlyTrue(props.publishNotReadyAddresses),
      ports: servicePorts([...props.clientPorts, ...(props.peerPorts ?? [])]),
    },
  });
  return { client, headless };
}

/** Requests and limits of a store's container. */
export { containerResources } from '../workload/resources';

/** A ReadWriteOnce claim template named `data`; `labels` must not change during the store's life (see storeLabels). */
export function dataVolumeClaim(storage: StoreStorage, labels: Record<string, string>): k8s.KubePersistentVolumeClaimProps {
  return {
    metadata: { name: 'data', labels: { ...labels } },
    spec: {
      accessModes: ['ReadWriteOnce'],
      storageClassName: storage.storageClass,
      resources: { requests: { storage: quantity(storage.size) } },
    },
  };
}

/** An emptyDir volume and its mount. */
export function scratchVolume(name: string, mountPath: string, sizeLimit: string, medium?: 'Memory'): { volume: k8s.Volume; mount: k8s.VolumeMount } {
  return {
    volume: { name, emptyDir: { medium, sizeLimit: quantity(sizeLimit) } },
    mount: { name, mountPath },
  };
}

/** Pod and container security contexts of a store: PSS "restricted" as the image's own non-root user. */
export function storeSecurity(): { pod: k8s.PodSecurityContext; container: k8s.SecurityContext } {
  return { pod: restrictedPodSecurityContext(STORE_UID), container: restrictedContainerSecurityContext(STORE_UID) };
}

/** A probe that runs a command in the container (exec probes get no $(VAR) expansion: use a shell for variables). */
export function execProbe(command: readonly string[], timing: { period: number; timeout: number; failures: number }): k8s.Probe {
  return {
    exec: { command: [...command] },
    periodSeconds: timing.period,
    timeoutSeconds: timing.timeout,
    failureThreshold: timing.failures,
  };
}

/**
 * The disruption budget of a store. A replicated store loses at most one pod at a time.
 * A single pod gets maxUnavailable 0, the Kubernetes documentation's answer for a
 * single-instance stateful application: a node drain waits until an operator moves it
 * deliberately, instead of silently taking the store down.
 */
export function storeDisruptionBudget(scope: Construct, props: {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly selector: Record<string, string>;
  readonly replicas: number;
}): k8s.KubePodDisruptionBudget {
  return new k8s.KubePodDisruptionBudget(scope, 'DisruptionBudget', {
    metadata: { name: props.name, labels: { ...props.labels } },
    spec: {
      maxUnavailable: k8s.IntOrString.fromNumber(props.replicas > 1 ? 1 : 0),
      selector: { matchLabels: { ...props.selector } },
    },
  });
}

/** A short digest of configuration text: a pod annotation that rolls the pods when the text changes. */
export function checksum(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** A command line that runs a script in the image's POSIX shell. */
export function shell(script: string): string[] {
  return ['sh', '-c', script];
}

/**
 * A store's StatefulSet: pods selected by the store's labels, rolling updates, the first
 * container named as the default for kubectl.
 */
export function storeStatefulSet(scope: Construct, props: {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly selector: Record<string, string>;
  readonly serviceName: string;
  readonly replicas: number;
  /** @default "OrderedReady" */
  readonly podManagementPolicy?: 'OrderedReady' | 'Parallel';
  /** Extra pod annotations. @default {} */
  readonly annotations?: Record<string, string>;
  readonly pod: k8s.PodSpec;
  /** @default none */
  readonly volumeClaimTemplates?: k8s.KubePersistentVolumeClaimProps[];
}): k8s.KubeStatefulSet {
  // Claim templates in the form the server stores them, so applying twice changes nothing.
  return new StoreStatefulSet(scope, 'StatefulSet', {
    metadata: { name: props.name, labels: { ...props.labels } },
    spec: {
      serviceName: props.serviceName,
      replicas: props.replicas,
      podManagementPolicy: props.podManagementPolicy,
      selector: { matchLabels: { ...props.selector } },
      updateStrategy: { type: 'RollingUpdate' },
      template: {
        metadata: {
          labels: { ...props.labels },
          annotations: { 'kubectl.kubernetes.io/default-container': props.pod.containers[0].name, ...(props.annotations ?? {}) },
        },
        spec: props.pod,
      },
      volumeClaimTemplates: props.volumeClaimTemplates,
    },
  });
}
