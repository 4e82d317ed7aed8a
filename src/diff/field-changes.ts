/**
 * Field-level differences between two versions of an object, with JSON-path-like paths.
 * Lists whose items all carry a unique name (containers, env, ports, volumes) are compared
 * by name, so inserting one env variable shows as one addition, not as every later one changing.
 * Other lists, and the lines of multi-line texts, are aligned on their unchanged items first,
 * so an inserted policy rule or path is one addition too.
 */
import { isDeepStrictEqual } from 'util';

/** One changed field. */
export interface FieldChange {
  /** "+" added, "-" removed, "~" changed. */
  readonly action: '+' | '-' | '~';
  /** Path such as spec.template.spec.containers[name=app].image or metadata.labels["app.kubernetes.io/name"]. */
  readonly path: string;
  /** The value before (absent when added). */
  readonly before?: unknown;
  /** The value after (absent when removed). */
  readonly after?: unknown;
  /** For a changed multi-line text (a config file in a ConfigMap): the lines removed and added, in order. */
  readonly lines?: ReadonlyArray<{ readonly action: '+' | '-'; readonly text: string }>;
}

/** The fields that differ between `before` and `after`, in document order. */
export function fieldChanges(before: unknown, after: unknown): FieldChange[] {
  const out: FieldChange[] = [];
  compare('', before, after, out);
  return out;
}

function compare(path: string, before: unknown, after: unknown, out: FieldChange[]): void {
  if (isDeepStrictEqual(before, after)) return;
  if (isRecord(before) && isRecord(after)) {
    for (const [key, value] of Object.entries(before)) {
      const p = child(path, key);
      if (!(key in after)) out.push({ action: '-', path: p, before: value });
      else compare(p, value, after[key], out);
    }
    for (const [key, value] of Object.entries(after)) {
      if (!(key in before)) out.push({ action: '+', path: child(path, key), after: value });
    }
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const beforeNames = itemNames(before);
    const afterNames = itemNames(after);
    if (beforeNames && afterNames) {
      compareNamed(path, before, beforeNames, after, afterNames, out);
      return;
    }
    compareAligned(path, before, after, out);
    return;
  }
  if (typeof before === 'string' && typeof after === 'string' && (before.includes('\n') || after.includes('\n'))) {
    out.push({ action: '~', path: path || '(root)', before, after, lines: lineChanges(before.split('\n'), after.split('\n')) });
    return;
  }
  // Scalars and type changes show whole: old -> new.
  out.push({ action: '~', path: path || '(root)', before, after });
}

function compareNamed(path: string, before: unknown[], beforeNames: string[], after: unknown[], afterNames: string[], out: FieldChange[]): void {
  const at = (name: string) => `${path}[name=${name}]`;
  const kept = beforeNames.filter((n) => afterNames.includes(n));
  beforeNames.forEach((name, i) => {
    const j = afterNames.indexOf(name);
    if (j < 0) out.push({ action: '-', path: at(name), before: before[i] });
    else compare(at(name), before[i], after[j], out);
  });
  afterNames.forEach((name, j) => {
    if (!beforeNames.includes(name)) out.push({ action: '+', path: at(name), after: after[j] });
  });
  // Order can matter (env variables may refer to earlier ones), so a reordering is a change too.
  const keptAfter = afterNames.filter((n) => beforeNames.includes(n));
  if (!isDeepStrictEqual(kept, keptAfter)) out.push({ action: '~', path: `${path} (order of names)`, before: kept, after: keptAfter });
}

/**
 * Unnamed items (objects or scalars): unchanged items anchor the alignment; between anchors, items are compared
 * position by position and the surplus is added or removed. "+" and "~" paths use the new
 * index, "-" paths the old one.
 */
function compareAligned(path: string, before: unknown[], after: unknown[], out: FieldChange[]): void {
  forEachGap(before, after, (i, iEnd, j, jEnd) => {
    const paired = Math.min(iEnd - i, jEnd - j);
    for (let k = 0; k < paired; k++) compare(`${path}[${j + k}]`, before[i + k], after[j + k], out);
    for (let k = i + paired; k < iEnd; k++) out.push({ action: '-', path: `${path}[${k}]`, before: before[k] });
    for (let k = j + paired; k < jEnd; k++) out.push({ action: '+', path: `${path}[${k}]`, after: after[k] });
  });
}

function lineChanges(before: string[], after: string[]): Array<{ action: '+' | '-'; text: string }> {
  const out: Array<{ action: '+' | '-'; text: string }> = [];
  forEachGap(before, after, (i, iEnd, j, jEnd) => {
    before.slice(i, iEnd).forEach((text) => out.push({ action: '-', text }));
    after.slice(j, jEnd).forEach((text) => out.push({ action: '+', text }));
  });
  return out;
}

/**
 * Calls `gap` for each run of items between the anchors of a longest common subsequence of
 * equal items: before[i, iEnd) stands where after[j, jEnd) stands (either may be empty).
 */
function forEachGap(before: readonly unknown[], after: readonly unknown[], gap: (i: number, iEnd: number, j: number, jEnd: number) => void): void {
  // lengths[i][j]: the longest common subsequence of before[i..] and after[j..].
  const lengths = Array.from({ length: before.length + 1 }, () => new Array<number>(after.length + 1).fill(0));
  for (let i = before.length - 1; i >= 0; i--) {
    for (let j = after.length - 1; j >= 0; j--) {
      lengths[i][j] = isDeepStrictEqual(before[i], after[j]) ? lengths[i + 1][j + 1] + 1 : Math.max(lengths[i + 1][j], lengths[i][j + 1]);
    }
  }
  let [i, j, gapI, gapJ] = [0, 0, 0, 0];
  while (i < before.length && j < after.length) {
    if (isDeepStrictEqual(before[i], after[j])) {
      if (gapI < i || gapJ < j) gap(gapI, i, gapJ, j);
      i++;
      j++;
      [gapI, gapJ] = [i, j];
    } else if (lengths[i + 1][j] >= lengths[i][j + 1]) {
      i++;
    } else {
      j++;
    }
  }
  if (gapI < before.length || gapJ < after.length) gap(gapI, before.length, gapJ, after.length);
}

/** The names of a list's items when every item is an object with a unique string name. */
function itemNames(list: unknown[]): string[] | undefined {
  if (list.length === 0) return [];
  const names = list.map((item) => (isRecord(item) && typeof item.name === 'string' ? item.name : undefined));
  if (names.some((n) => n === undefined)) return undefined;
  return new Set(names).size === names.length ? (names as string[]) : undefined;
}

function child(path: string, key: string): string {
  const segment = /^[A-Za-z_$][\w$-]*$/.test(key) ? key : `[${JSON.stringify(key)}]`;
  return !path || segment.startsWith('[') ? `${path}${segment}` : `${path}.${segment}`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
