/** Container resources: CPU and memory from the spec, plus bounded ephemeral storage for every container. */
import { k8s } from 'cdk8s-plus-27';
import { canonicalQuantity } from '../spec/quantity';
import { ResourcesSpec } from '../spec/schema';

/** A quantity in the canonical form the server writes back (0.5 -> 500m), so applying twice changes nothing. */
export function quantity(text: string): k8s.Quantity {
  return k8s.Quantity.fromString(canonicalQuantity(text));
}

/** Scratch space every container may use: its /tmp emptyDir, logs and headroom. */
export const EPHEMERAL_STORAGE = { request: '128Mi', limit: '256Mi' } as const;

/** Requests and limits of one container, ephemeral storage included, so eviction is predictable. */
export function containerResources(r: ResourcesSpec): k8s.ResourceRequirements {
  return {
    requests: {
      'cpu': quantity(r.requests.cpu),
      'memory': quantity(r.requests.memory),
      'ephemeral-storage': quantity(EPHEMERAL_STORAGE.request),
    },
    limits: {
      'cpu': quantity(r.limits.cpu),
      'memory': quantity(r.limits.memory),
      'ephemeral-storage': quantity(EPHEMERAL_STORAGE.limit),
    },
  };
}
