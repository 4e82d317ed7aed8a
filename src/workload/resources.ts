/** Container resources: CPU and memory as given, plus bounded ephemeral storage for every container. */
import { k8s } from 'cdk8s-plus-27';
import { quantity as quantityRule } from '../spec/k8s-rules';
import { canonicalQuantity, parseQuantity } from '../spec/quantity';

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

/** A quantity in the canonical form the server writes back (0.5 -> 500m), so applying twice changes nothing. */
export function quantity(text: string): k8s.Quantity {
  return k8s.Quantity.fromString(canonicalQuantity(text));
}

/** Scratch space every container may use: its /tmp emptyDir, logs and headroom. */
export const EPHEMERAL_STORAGE = { request: '128Mi', limit: '256Mi' } as const;

/** Requests and limits of one container, ephemeral storage included, so eviction is predictable. */
export function containerResources(r: ContainerResourceAmounts): k8s.ResourceRequirements {
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

/**
 * What the API server refuses in a container's CPU and memory: a quantity it cannot read, or a
 * request above its limit (a Deployment is refused at apply; a Rollout is accepted and then
 * cannot create its ReplicaSet). One message per problem, naming the field.
 */
export function resourceProblems(r: ContainerResourceAmounts): string[] {
  const problems: string[] = [];
  for (const kind of ['cpu', 'memory'] as const) {
    const amounts = { requests: r.requests[kind], limits: r.limits[kind] };
    const malformed = Object.entries(amounts).flatMap(([of, value]) => quantityRule(value).map((m) => `resources.${of}.${kind} "${value}": ${m}`));
    problems.push(...malformed);
    if (malformed.length === 0 && parseQuantity(amounts.requests) > parseQuantity(amounts.limits)) {
      problems.push(`resources.requests.${kind} ${amounts.requests} exceeds resources.limits.${kind} ${amounts.limits}`);
    }
  }
  return problems;
}
