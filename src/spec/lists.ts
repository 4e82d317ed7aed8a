/**
 * Linear helpers for the checks over lists from the spec: a spec may hold 100,000 entries in a
 * list, so no check may search the list once per entry (indexOf in a loop is quadratic).
 */
import { quote } from './escape';

/** Indexes of entries equal to an earlier entry, in order; one pass with a Set. */
export function repeats<T>(list: readonly T[]): number[] {
  const seen = new Set<T>();
  const out: number[] = [];
  list.forEach((item, i) => {
    if (seen.has(item)) out.push(i);
    else seen.add(item);
  });
  return out;
}

/** Index of the first entry equal to an earlier entry, or undefined. */
export function firstRepeat<T>(list: readonly T[]): number | undefined {
  const seen = new Set<T>();
  for (let i = 0; i < list.length; i++) {
    if (seen.has(list[i])) return i;
    seen.add(list[i]);
  }
  return undefined;
}

/** The most names a message lists ("known services: ..."); the rest are counted. */
export const MAX_LISTED = 20;

/** Names for a message: quoted when odd, at most MAX_LISTED, the rest counted. */
export function listOf(names: readonly string[]): string {
  const shown = names.slice(0, MAX_LISTED).map((n) => (/^[a-z0-9][-a-z0-9.]*$/.test(n) ? n : quote(n)));
  return names.length > MAX_LISTED ? `${shown.join(', ')} and ${names.length - MAX_LISTED} more` : shown.join(', ');
}
