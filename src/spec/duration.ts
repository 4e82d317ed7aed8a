/** Durations as Argo Rollouts reads them. */

const UNIT_SECONDS: Readonly<Record<string, number>> = { h: 3600, m: 60, s: 1 };
const PAUSE_DURATION = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;
/** Duration as Istio and Argo accept it: 500ms, 30s, 1m, 15m, 1h (the schema's and the constructs' rule). */
export const DURATION = /^\d+(ms|s|m|h)$/;

/**
 * Seconds of a canary pause duration, or undefined when Argo Rollouts would not read it.
 *
 * Argo reads an integer (or a string of digits) as seconds and any other string with Go's
 * time.ParseDuration; a string it cannot parse becomes a pause of 0 seconds, silently. We accept
 * whole seconds and h/m/s combinations (30s, 1m, 1h30m): sub-second units truncate to 0 too.
 */
export function pauseSeconds(duration: string | number): number | undefined {
  if (typeof duration === 'number') return Number.isInteger(duration) && duration >= 0 ? duration : undefined;
  if (/^\d+$/.test(duration)) return Number(duration);
  const m = PAUSE_DURATION.exec(duration);
  if (!m || duration === '') return undefined;
  return Number(m[1] ?? 0) * UNIT_SECONDS.h + Number(m[2] ?? 0) * UNIT_SECONDS.m + Number(m[3] ?? 0);
}

/** Seconds of a schema DURATION such as 500ms, 30s, 1m or 1h (fractions of a second round up). */
export function durationSeconds(duration: string): number {
  const unit = DURATION.exec(duration)?.[1];
  if (unit === undefined) throw new Error(`not a duration: "${duration}"`);
  const n = Number(duration.slice(0, -unit.length));
  return unit === 'ms' ? Math.ceil(n / 1000) : n * UNIT_SECONDS[unit];
}

/** Formats seconds as Prometheus and Argo both read them: 45s, 2m, 2m30s, 1h. */
export function formatSeconds(seconds: number): string {
  if (seconds <= 0) return '0s';
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}`;
}
