/** Canary steps as plain data, and facts about them shared by the canary construct and the spec checks. */
import { pauseSeconds } from './duration';

/** A step that sends a share of the requests to the canary. */
export interface CanaryWeightStep {
  /** Percent of requests sent to the canary, a whole number from 0 to 100. */
  readonly setWeight: number;
}

/** How long a canary pause lasts. */
export interface CanaryPause {
  /**
   * Pause length: whole seconds (30) or h/m/s units such as 30s, 5m, 1h or 1h30m.
   * @default - until a human promotes the rollout
   */
  readonly duration?: string | number;
}

/** A step that waits before the next one. */
export interface CanaryPauseStep {
  /** The pause. */
  readonly pause: CanaryPause;
}

/** One canary step: a traffic weight or a pause, in the order Argo Rollouts runs them. */
export type CanaryStep = CanaryWeightStep | CanaryPauseStep;

// Pure, in src/spec/ so the spec checks use it without loading constructs.
export { firstStepAfterTraffic } from '../spec/canary-steps';

/**
 * What Argo Rollouts would get wrong in these steps, one message per problem: no steps, weights
 * outside 0-100 or going down, pauses it cannot read (it would not pause at all).
 */
export function canaryStepProblems(steps: readonly CanaryStep[]): string[] {
  if (steps.length === 0) return ['a canary needs at least one step, e.g. [{ setWeight: 20 }, { pause: { duration: "1m" } }, { setWeight: 100 }]'];
  const problems: string[] = [];
  let previous: { weight: number; index: number } | undefined;
  steps.forEach((step, i) => {
    if ('setWeight' in step) {
      const w = step.setWeight;
      if (!Number.isInteger(w) || w < 0 || w > 100) {
        problems.push(`step ${i}: setWeight ${w} is not a whole percent from 0 to 100`);
        return;
      }
      if (previous && w < previous.weight) {
        problems.push(`step ${i}: setWeight ${w} is lower than setWeight ${previous.weight} of step ${previous.index}; canary weights must not decrease (to send traffic back, abort the rollout)`);
      }
      previous = { weight: w, index: i };
    } else if (step.pause.duration !== undefined && pauseSeconds(step.pause.duration) === undefined) {
      problems.push(`step ${i}: pause duration "${step.pause.duration}" cannot be read by Argo Rollouts (it would not pause at all); use whole seconds (30) or h/m/s units such as 30s, 5m, 1h or 1h30m, or leave it out to pause until promoted`);
    }
  });
  return problems;
}
