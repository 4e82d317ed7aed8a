/** Kubernetes quantities as numbers, to compare requests with limits and sum them up. */
import { parseKubernetesQuantity } from './k8s-rules';

/**
 * Parses 250m, 0.5, 128Mi, 2Ei, 1e3 as the API server does (E and Ei are suffixes, e3 an
 * exponent); NaN when malformed.
 */
export function parseQuantity(q: string): number {
  return parseKubernetesQuantity(q)?.value ?? NaN;
}
