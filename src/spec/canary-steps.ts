/** Facts about canary steps, shared by the canary construct and the spec checks. */
import { CanaryStep } from '../spec/schema';

/**
 * The step background analysis starts at: the one after the first setWeight above 0, so the
 * canary already receives traffic when the first measurement is taken (0 when there is none).
 */
export function firstStepAfterTraffic(steps: readonly CanaryStep[]): number {
  const i = steps.findIndex((s) => 'setWeight' in s && s.setWeight > 0);
  return i < 0 ? 0 : Math.min(i + 1, steps.length - 1);
}
