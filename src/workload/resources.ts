/** Container resources: CPU and memory as given, plus bounded ephemeral storage for every container. */
import { k8s } from 'cdk8s-plus-27';

/** CPU and memory of one kind (requests or limits), as Kubernetes quantities. */
export interface ComputeAmounts {
  /** CPU, e.g. "100m" or "1". */
  readonly cpu: string;
  /** Memory, e.g. "128Mi". */
  readonly memory: string;
}

/** CPU and memory requests and limits of one container (ephemeral storage is always added). */
export interface ContainerResourceAmounts {
  /** What the scheduler reserves. */
  readonly requests: ComputeAmounts;
  /** The most the container may use. */
  readonly limits: ComputeAmounts;
}

/** Scratch space every container may use: its /tmp emptyDir, logs and headroom. */
export const EPHEMERAL_STORAGE = { request: '128Mi', limit: '256Mi' } as const;

/** Requests and limits of one container, ephemeral storage included, so eviction is predictable. */
export function containerResources(r: ContainerResourceAmounts): k8s.ResourceRequirements {
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
