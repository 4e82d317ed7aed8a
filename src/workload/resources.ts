/** Container resources: CPU and memory from the spec, plus bounded ephemeral storage for every container. */
import { k8s } from 'cdk8s-plus-27';
import { ResourcesSpec } from '../spec/schema';

/** Scratch space every container may use: its /tmp emptyDir, logs and headroom. */
export const EPHEMERAL_STORAGE = { request: '128Mi', limit: '256Mi' } as const;

/** Requests and limits of one container, ephemeral storage included, so eviction is predictable. */
export function containerResources(r: ResourcesSpec): k8s.ResourceRequirements {
  return {
    requests: {
      'cpu': k8s.Quantity.fromString(r.requests.cpu),
      'memory': k8s.Quantity.fromString(r.requests.memory),
      'ephemeral-storage': k8s.Quantity.fromString(EPHEMERAL_STORAGE.request),
    },
    limits: {
      'cpu': k8s.Quantity.fromString(r.limits.cpu),
      'memory': k8s.Quantity.fromString(r.limits.memory),
      'ephemeral-storage': k8s.Quantity.fromString(EPHEMERAL_STORAGE.limit),
    },
  };
}
