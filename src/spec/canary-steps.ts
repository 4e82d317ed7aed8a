/**
 * Facts about canary steps, shared by the canary construct and the spec checks. Typed by shape
 * (any step with an optional numeric setWeight), so it serves the spec's steps and the
 * construct's props alike without importing either.
 */

/**
 * The step background analysis starts at: the one after the first setWeight above 0, so the
 * canary already receives traffic when the first measurement is taken (0 when there is none).
 */
export function firstStepAfterTraffic(steps: readonly object[]): number {
  const i = steps.findIndex((s) => 'setWeight' in s && typeof s.setWeight === 'number' && s.setWeight > 0);
  return i < 0 ? 0 : Math.min(i + 1, steps.length - 1);
}
