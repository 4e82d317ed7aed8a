/**
 * Facts about canary steps, shared by the canary construct and the spec checks. Typed by shape,
 * so they serve the spec's steps and the construct's props alike without importing either.
 */
import { pauseSeconds } from './duration';

/** A canary step by shape: a traffic weight or a pause. */
export type CanaryStepShape = { readonly setWeight: number } | { readonly pause: { readonly duration?: string | number } };

/** What is wrong with one step: its index, the field, and why. */
export interface CanaryStepProblem {
  readonly index: number;
  readonly field: readonly ['setWeight'] | readonly ['pause', 'duration'];
  readonly message: string;
}

/**
 * What Argo Rollouts would get wrong in these steps, one problem per step at most: weights outside
 * 0-100 or going down, pauses it cannot read (it would not pause at all).
 */
export function canaryStepProblems(steps: readonly CanaryStepShape[]): CanaryStepProblem[] {
  const problems: CanaryStepProblem[] = [];
  let previous: { weight: number; index: number } | undefined;
  steps.forEach((step, index) => {
    if ('setWeight' in step) {
      const w = step.setWeight;
      if (!Number.isInteger(w) || w < 0 || w > 100) {
        problems.push({ index, field: ['setWeight'], message: `setWeight ${w} is not allowed; it is the percent of traffic sent to the canary, a whole number from 0 to 100` });
        return;
      }
      if (previous && w < previous.weight) {
        problems.push({ index, field: ['setWeight'], message: `setWeight ${w} is lower than setWeight ${previous.weight} of step ${previous.index}; canary weights must not decrease (to send traffic back, abort the rollout)` });
      }
      previous = { weight: w, index };
    } else if (step.pause.duration !== undefined && pauseSeconds(step.pause.duration) === undefined) {
      problems.push({ index, field: ['pause', 'duration'], message: `pause duration "${step.pause.duration}" cannot be read by Argo Rollouts (it would not pause at all); use whole seconds (30) or h/m/s units such as 30s, 5m, 1h or 1h30m, or leave it out to pause until promoted` });
    }
  });
  return problems;
}

/**
 * The step background analysis starts at: the one after the first setWeight above 0, so the
 * canary already receives traffic when the first measurement is taken (0 when there is none).
 */
export function firstStepAfterTraffic(steps: readonly object[]): number {
  const i = steps.findIndex((s) => 'setWeight' in s && typeof s.setWeight === 'number' && s.setWeight > 0);
  return i < 0 ? 0 : Math.min(i + 1, steps.length - 1);
}
