/** Reads the zod schema itself, so that unknown-key errors can list what is allowed. */
import * as z from 'zod';

interface Def {
  type: string;
  innerType?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  valueType?: z.ZodType;
  element?: z.ZodType;
  options?: z.ZodType[];
  in?: z.ZodType;
}

function def(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

/** Strips optional, default, prefault and nullable wrappers. */
export function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (;;) {
    const d = def(s);
    if (d.innerType && ['optional', 'default', 'prefault', 'nullable', 'readonly', 'catch'].includes(d.type)) s = d.innerType;
    else if (d.type === 'pipe' && d.in) s = d.in;
    else return s;
  }
}

/** The keys an object at `path` accepts, or [] when unknown. */
export function allowedKeys(root: z.ZodType, path: readonly PropertyKey[]): string[] {
  const candidates = schemasAt(root, path);
  const keys = new Set<string>();
  for (const s of candidates) {
    const d = def(unwrap(s));
    if (d.type === 'object' && d.shape) Object.keys(d.shape).forEach((k) => keys.add(k));
  }
  return [...keys];
}

function schemasAt(root: z.ZodType, path: readonly PropertyKey[]): z.ZodType[] {
  let current: z.ZodType[] = [root];
  for (const seg of path) {
    const next: z.ZodType[] = [];
    for (const s of current) {
      const d = def(unwrap(s));
      if (d.type === 'object' && d.shape && typeof seg === 'string' && d.shape[seg]) next.push(d.shape[seg]);
      else if (d.type === 'record' && d.valueType) next.push(d.valueType);
      else if (d.type === 'array' && d.element) next.push(d.element);
      else if (d.type === 'union' && d.options) {
        for (const o of d.options) next.push(...schemasAt(o, [seg]));
      }
    }
    current = next;
  }
  return current.flatMap((s) => {
    const d = def(unwrap(s));
    return d.type === 'union' && d.options ? d.options : [s];
  });
}

/** The closest allowed key, for "did you mean" hints. */
export function closest(word: string, options: readonly string[]): string | undefined {
  // No key is this long: skip the edit distance, which costs its length times each option's.
  if (word.length > 100) return undefined;
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const o of options) {
    const d = distance(word.toLowerCase(), o.toLowerCase());
    if (d < bestDistance) {
      best = o;
      bestDistance = d;
    }
  }
  return best;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}

/**
 * The type of an overlay of `T`: every object field optional, at every depth; lists replace
 * whole, so they keep their type. What deepPartial's schema accepts, for TypeScript users.
 */
export type Overlay<T> = T extends readonly unknown[] ? T
  : T extends Record<string, unknown> ? { [K in keyof T]?: Overlay<T[K]> }
  : T;

/**
 * The overlay form of a schema: every object field optional, defaults removed (an overlay
 * must not reset what the base set), unknown keys still rejected. Lists replace whole.
 */
export function deepPartial<T extends z.ZodType>(schema: T): z.ZodType<Overlay<z.output<T>>, Overlay<z.input<T>>> {
  return deepPartialOf(schema) as z.ZodType<Overlay<z.output<T>>, Overlay<z.input<T>>>;
}

function deepPartialOf(schema: z.ZodType): z.ZodType {
  const description = z.globalRegistry.get(schema)?.description;
  const inner = unwrap(schema);
  const d = def(inner);
  let out: z.ZodType;
  if (d.type === 'object' && d.shape) {
    out = z.strictObject(Object.fromEntries(Object.entries(d.shape).map(([k, v]) => [k, deepPartialOf(v).optional()])));
  } else if (d.type === 'record' && d.valueType) {
    out = z.record(z.string(), deepPartialOf(d.valueType));
  } else {
    out = inner;
  }
  return description ? out.describe(description) : out;
}
