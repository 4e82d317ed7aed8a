/**
 * Values from the spec, the command line or the file system echoed in messages: a spec can come
 * from anyone's pull request, and a message must not move the cursor of the terminal that reads
 * it (escape sequences), hide text (carriage return, bidirectional overrides) or flood it.
 */

/** The longest value a message quotes; longer ones are cut and say how much was left out. */
export const MAX_ECHOED_VALUE = 80;
/** The longest message line; a longer one is cut the same way. */
export const MAX_MESSAGE = 2000;

// C0 and C1 controls, DEL, and the invisible format characters that reorder or hide text
// (bidirectional marks, overrides and isolates, zero-width characters, the BOM).
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ud800-\udfff]/gu;

/** Escapes what a terminal would interpret or hide, as \n, \t, \x1b or \u202e; keeps everything else. */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\t') return '\\t';
    if (c === '\r') return '\\r';
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** Cuts text to `max` characters (whole code points), saying how many were left out. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const points = Array.from(text.slice(0, max));
  // A surrogate pair cut in half by slice() is dropped whole.
  if (points.length > 0 && /[\ud800-\udbff]/.test(points[points.length - 1])) points.pop();
  const kept = points.join('');
  return `${kept}… (${text.length - kept.length} more characters)`;
}

/** A value for a message: escaped, truncated, in double quotes. */
export function quote(value: unknown, max = MAX_ECHOED_VALUE): string {
  return `"${truncate(printable(String(value)), max)}"`;
}

/** A whole message line: escaped and truncated. */
export function safeLine(text: string, max = MAX_MESSAGE): string {
  return truncate(printable(text), max);
}
