/**
 * Field-level differences between two versions of an object, with JSON-path-like paths.
 * Lists whose items all carry a unique name (containers, env, ports, volumes) are compared
 * by name, so inserting one env variable shows as one addition, not as every later one changing.
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
    if (before.some(isRecord) || after.some(isRecord)) {
      compareByIndex(path, before, after, out);
      return;
    }
  }
  // Scalars, scalar lists and type changes show whole: old -> new.
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

function compareByIndex(path: string, before: unknown[], after: unknown[], out: FieldChange[]): void {
  for (let i = 0; i < Math.max(before.length, after.length); i++) {
    const p = `${path}[${i}]`;
    if (i >= after.length) out.push({ action: '-', path: p, before: before[i] });
    else if (i >= before.length) out.push({ action: '+', path: p, after: after[i] });
    else compare(p, before[i], after[i], out);
  }
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
