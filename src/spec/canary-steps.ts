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

/** How often a background analysis measures, and how many failures it tolerates (an AnalysisTemplate's metric). */
export interface AnalysisCadence {
  /** Measurements per run. */
  readonly count: number;
  /** Seconds between measurements; the first comes one interval after the analysis starts. */
  readonly intervalSeconds: number;
  /** Failed measurements tolerated; one more fails the run. */
  readonly failureLimit: number;
}

/** How a canary's timed pauses fit its background analysis (analysisTiming). */
export interface AnalysisTiming {
  /** Seconds the canary pauses from the step the analysis starts at. */
  readonly pausedSeconds: number;
  /** Set when the analysis stops before the pauses end: what it covers, and the count that would cover them. */
  readonly uncovered?: { readonly coveredSeconds: number; readonly countNeeded: number };
  /**
   * Set when a failing version would reach 100% before the analysis fails it: when the verdict
   * comes, and the pauses that would wait for it with one interval to spare.
   */
  readonly early?: { readonly verdictSeconds: number; readonly pauseNeeded: number };
}

/**
 * The background analysis stops after count measurements; a canary whose timed pauses (from the
 * step the analysis starts at) last longer would finish unwatched. And it fails a bad version only
 * at its failureLimit + 1st failed measurement (the first comes one interval after it starts): a
 * canary whose pauses end by then reaches 100% first, and Argo Rollouts ends the run as
 * successful. One interval to spare, so that the abort does not race the last step.
 * Undefined when a pause after the analysis starts is open-ended (a human watches and promotes)
 * or unreadable (canaryStepProblems reports it).
 */
export function analysisTiming(steps: readonly CanaryStepShape[], cadence: AnalysisCadence): AnalysisTiming | undefined {
  let pausedSeconds = 0;
  for (const step of steps.slice(firstStepAfterTraffic(steps))) {
    if ('setWeight' in step) continue;
    if (step.pause.duration === undefined) return undefined;
    const s = pauseSeconds(step.pause.duration);
    if (s === undefined) return undefined;
    pausedSeconds += s;
  }
  const { count, intervalSeconds: every, failureLimit } = cadence;
  const coveredSeconds = count * every;
  const verdictSeconds = (failureLimit + 1) * every;
  return {
    pausedSeconds,
    uncovered: pausedSeconds > coveredSeconds ? { coveredSeconds, countNeeded: Math.ceil(pausedSeconds / every) } : undefined,
    // failureLimit >= count: such an analysis never fails at all, reported on its own.
    early: failureLimit < count && pausedSeconds < verdictSeconds + every ? { verdictSeconds, pauseNeeded: verdictSeconds + every } : undefined,
  };
}
