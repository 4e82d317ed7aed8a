/** Small readers of synthesized data-tier objects for the data tests. */
import type { k8s } from 'cdk8s-plus-27';
import { findObject, objectsOf } from '../helpers';
import type { Manifest } from '../../src/synth';

/** A pod-owning object as plain JSON (the fields the tests read). */
export interface PodOwner extends Manifest {
  spec: {
    replicas?: number;
    serviceName?: string;
    podManagementPolicy?: string;
    selector: { matchLabels: Record<string, string> };
    template: { metadata: { labels: Record<string, string>; annotations?: Record<string, string> }; spec: PodSpecJson };
    volumeClaimTemplates?: Array<{ metadata: { name: string }; spec: { storageClassName?: string; resources: { requests: { storage: string } } } }>;
  };
}

export interface PodSpecJson {
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
  securityContext: k8s.PodSecurityContext;
  containers: ContainerJson[];
  volumes?: Array<{ name: string; emptyDir?: { medium?: string }; configMap?: { name: string }; persistentVolumeClaim?: unknown }>;
}

export interface ContainerJson {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env: k8s.EnvVar[];
  ports: Array<{ name: string; containerPort: number }>;
  securityContext: k8s.SecurityContext;
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  startupProbe?: { exec: { command: string[] } };
  readinessProbe?: { exec: { command: string[] } };
  livenessProbe?: { exec: { command: string[] } };
  volumeMounts: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
}

const cache = new Map<string, Manifest[]>();

/** Objects of an environment of the reference spec, synthesized once per test file. */
export function reference(env: string): Manifest[] {
  if (!cache.has(env)) cache.set(env, objectsOf(env));
  return cache.get(env) as Manifest[];
}

/** A StatefulSet or Deployment. */
export function podOwner(objects: readonly Manifest[], kind: 'StatefulSet' | 'Deployment', name: string): PodOwner {
  return findObject<PodOwner>(objects, kind, name);
}

/** The object that runs a service's pods: its Deployment, or its Rollout under blue-green or canary delivery. */
export function servicePods(objects: readonly Manifest[], name: string): PodOwner {
  const found = objects.filter((o) => (o.kind === 'Deployment' || o.kind === 'Rollout') && o.metadata.name === name);
  if (found.length !== 1) throw new Error(`expected one Deployment or Rollout "${name}", found ${found.length}`);
  return found[0] as PodOwner;
}

/** The first container of a pod owner. */
export function mainContainer(owner: PodOwner): ContainerJson {
  return owner.spec.template.spec.containers[0];
}

/** A container's env as name -> the plain value or `secret:<name>/<key>`. */
export function envOf(container: ContainerJson): Record<string, string> {
  return Object.fromEntries(container.env.map((v) => {
    const ref = v.valueFrom?.secretKeyRef;
    return [v.name, ref ? `secret:${ref.name}/${ref.key}` : v.value ?? `field:${v.valueFrom?.fieldRef?.fieldPath}`];
  }));
}

/** The names of a container's env variables, in order. */
export function envNames(container: ContainerJson): string[] {
  return container.env.map((v) => v.name);
}
