/** Canary steps as plain data, and facts about them shared by the canary construct and the spec checks. */
import { canaryStepProblems as stepProblems } from '../spec/canary-steps';

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
export { analysisTiming, firstStepAfterTraffic } from '../spec/canary-steps';

/**
 * What Argo Rollouts would get wrong in these steps, one message per problem: no steps, and the
 * per-step problems the spec checks report too (src/spec/canary-steps.ts).
 */
export function canaryStepProblems(steps: readonly CanaryStep[]): string[] {
  if (steps.length === 0) return ['a canary needs at least one step, e.g. [{ setWeight: 20 }, { pause: { duration: "1m" } }, { setWeight: 100 }]'];
  return stepProblems(steps).map((p) => `step ${p.index}: ${p.message}`);
}
