/**
 * Rate limit windows ("100 per 15m") and the limit the Envoy rate limit service can count for
 * them. Pure arithmetic: the spec checks (checks/mesh.ts) reject a window here, and the
 * GatewayRateLimit construct (src/mesh/rate-limit.ts) generates its limits here, so both agree
 * and the checks load no construct.
 */

/** Units the rate limit service counts in, with their length in seconds. */
const UNITS = [['second', 1], ['minute', 60], ['hour', 3600], ['day', 86400]] as const;
/** A unit the rate limit service counts in: second, minute, hour or day. */
export type RateLimitUnit = (typeof UNITS)[number][0];
const WINDOW = /^(\d+)(s|m|h|d)$/;
const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };
const UNIT_LENGTH = Object.fromEntries(UNITS) as Record<RateLimitUnit, number>;

/** Why a window such as "15m" is not usable, or undefined when it is. */
export function windowProblem(window: string): string | undefined {
  const m = WINDOW.exec(window);
  if (!m || Number(m[1]) === 0) {
    return `window "${window}" cannot be parsed; use a positive whole number and a unit s, m, h or d, such as 30s, 15m or 1h`;
  }
  if (Number(m[1]) * UNIT_SECONDS[m[2]] > 86400) {
    return `window "${window}" is longer than a day; the rate limit service counts per second, minute, hour or day at most`;
  }
  return undefined;
}

/** The window in seconds; throws when it cannot be parsed (the spec checks report that first). */
export function parseWindow(window: string): number {
  const problem = windowProblem(window);
  if (problem) throw new Error(problem);
  const m = WINDOW.exec(window) as RegExpExecArray;
  return Number(m[1]) * UNIT_SECONDS[m[2]];
}

/** A limit as the rate limit service takes it. */
export interface ServiceLimit {
  /** The fixed window the service counts in. */
  readonly unit: RateLimitUnit;
  /** Requests admitted per client in one unit. */
  readonly requestsPerUnit: number;
}

/** The limit generated for a declared "requests per window", and what it admits. */
export interface GeneratedLimit extends ServiceLimit {
  /** The most requests it admits in any interval as long as the declared window (fixed windows included). */
  readonly mostInWindow: number;
  /** Requests it admits per declared window over a long run, at most the declared number. */
  readonly perWindowLongRun: number;
}

/**
 * Converts "requests per window" to a limit the rate limit service can count. The service (the
 * pinned image as well as envoyproxy/ratelimit of January 2026) counts only in fixed, clock-aligned
 * windows of one second, minute, hour or day; it has no multiplier such as "15 minutes". Never
 * more than declared per window, so the candidates are:
 * - a unit that divides the window, at the declared rate rounded down (100 per 15m -> 6 per
 *   minute: at most 6 x 16 = 96 in any 15 minutes), when that leaves at least one request;
 * - the smallest unit that covers the window, with the declared number (5 per 15m -> 5 per hour:
 *   5 per clock hour, so at most 5 in a 15-minute stretch inside an hour and 10 across a boundary,
 *   the same residual as a fixed 15-minute window).
 * Of these, the one that admits the most over a long run (closest to the declaration) wins, then
 * the larger unit (it allows bursts the way the declared window does: 120 per 1m stays 120 per
 * minute rather than 2 per second). A window of exactly one unit is therefore kept as it is.
 */
export function serviceLimit(requests: number, window: string): GeneratedLimit {
  const seconds = parseWindow(window);
  const candidates: GeneratedLimit[] = [];
  for (const [unit, unitSeconds] of UNITS) {
    if (unitSeconds >= seconds) {
      // Fixed unit windows: an interval of the declared length meets at most two of them.
      candidates.push({ unit, requestsPerUnit: requests, mostInWindow: 2 * requests, perWindowLongRun: (requests * seconds) / unitSeconds });
      break;
    }
    if (seconds % unitSeconds !== 0) continue;
    const perUnit = Math.floor((requests * unitSeconds) / seconds);
    if (perUnit < 1) continue;
    const units = seconds / unitSeconds;
    // An interval of `units` unit lengths that does not start on a boundary meets units + 1 windows.
    candidates.push({ unit, requestsPerUnit: perUnit, mostInWindow: perUnit * (units + 1), perWindowLongRun: perUnit * units });
  }
  return candidates.reduce((best, c) =>
    (c.perWindowLongRun >= best.perWindowLongRun ? c : best));
}

/**
 * What a declared limit became, for the synth output and the report, e.g.
 * "5 per 15m generated as 5 per hour (...)".
 */
export function describeLimit(requests: number, window: string): string {
  const g = serviceLimit(requests, window);
  const generated = `${requests} per ${window} generated as ${g.requestsPerUnit} per ${g.unit}`;
  const longRun = g.perWindowLongRun === requests ? '' : `; ${formatCount(g.perWindowLongRun)} per ${window} over a long run`;
  if (UNIT_LENGTH[g.unit] < parseWindow(window)) return `${generated} (at most ${g.mostInWindow} in any ${window}${longRun})`;
  const inside = UNIT_LENGTH[g.unit] > parseWindow(window) ? `at most ${g.requestsPerUnit} in a ${window} inside one ${g.unit}, ` : '';
  return `${generated} (fixed clock ${g.unit}s: ${inside}up to ${g.mostInWindow} in a ${window} spanning two${longRun})`;
}

function formatCount(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(2).replace(/0+$/, '');
}
