/**
 * Orders strings by UTF-16 code unit, as `Array.prototype.sort` does by default. Everything the
 * platform sorts goes through this rather than `localeCompare`, for two reasons: collation
 * follows the machine's locale, so output would differ between machines, and the first
 * `localeCompare` of a process starts ICU's collator, which costs about 20 ms of a synth.
 */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
