/**
 * A small YAML emitter for JSON data (objects, arrays, strings, numbers, booleans, null).
 * Manifests are plain JSON, and emitting them this way is several times faster than a general
 * YAML library; a test parses every emitted file back and compares it with the objects.
 */

// Strings that YAML 1.1 or 1.2 would read as something other than a string.
const RESERVED = /^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF|\.inf|\.Inf|\.INF|-\.inf|\.nan|\.NaN|\.NAN|<<)$/;
const NUMBER_LIKE = /^[-+]?(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][-+]?\d+)?$|^0x[0-9a-fA-F]+$|^0o[0-7]+$|^[-+]?\d+(?::[0-5]?\d)+(?:\.\d*)?$/;
const PLAIN = /^[A-Za-z0-9_./(][A-Za-z0-9_./()@%+=,*$: -]*$/;

// Manifests repeat the same keys and short values thousands of times; their quoting is cached.
const quoted = new Map<string, string>();

function scalarString(s: string): string {
  if (s.length > 64) return quote(s);
  let q = quoted.get(s);
  if (q === undefined) {
    q = quote(s);
    if (quoted.size < 100_000) quoted.set(s, q);
  }
  return q;
}

function quote(s: string): string {
  if (s !== '' && PLAIN.test(s) && !RESERVED.test(s) && !NUMBER_LIKE.test(s) && !s.endsWith(' ') && !s.endsWith(':') && !s.includes(': ')) return s;
  return JSON.stringify(s);
}

function blockString(s: string, indent: string): string | undefined {
  // A literal block keeps config files and SQL readable; only used where it round-trips exactly.
  if (!s.includes('\n') || /^[ \t]/.test(s) || /[ \t]\n|[ \t]$|\r|[\u0000-\u0008\u000b-\u001f\u007f]/.test(s)) return undefined;
  const trailing = /\n*$/.exec(s)![0].length;
  const chomp = trailing === 0 ? '-' : trailing === 1 ? '' : '+';
  const body = trailing === 0 ? s : s.slice(0, s.length - trailing) + '\n'.repeat(trailing - 1);
  const lines = body.split('\n').map((l) => (l === '' ? '' : indent + l));
  return `|${chomp}\n${lines.join('\n')}`;
}

function scalar(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`cannot emit number ${v}`);
    return String(v);
  }
  return scalarString(String(v));
}

/** "[]" or "{}" for an empty collection, "" for a non-empty one, undefined for a scalar. */
function collection(v: unknown): string | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  if (Array.isArray(v)) return v.length === 0 ? '[]' : '';
  for (const k in v) if (Object.prototype.hasOwnProperty.call(v, k)) return '';
  return '{}';
}

function emitValue(v: unknown, indent: string, out: string[], prefix: string): void {
  const c = collection(v);
  if (c) {
    out.push(`${prefix} ${c}`);
  } else if (c === '') {
    out.push(prefix);
    emitNode(v as Record<string, unknown> | unknown[], `${indent}  `, out);
  } else if (typeof v === 'string' && v.includes('\n')) {
    const block = blockString(v, `${indent}  `);
    out.push(`${prefix} ${block ?? JSON.stringify(v)}`);
  } else {
    out.push(`${prefix} ${scalar(v)}`);
  }
}

function emitNode(v: Record<string, unknown> | unknown[], indent: string, out: string[]): void {
  if (Array.isArray(v)) {
    for (const item of v) {
      if (!Array.isArray(item) && collection(item) === '') {
        // "- key: value" with the rest of the mapping indented under it.
        const first = out.length;
        emitNode(item as Record<string, unknown>, `${indent}  `, out);
        out[first] = `${indent}- ${out[first].slice(indent.length + 2)}`;
      } else {
        emitValue(item, indent, out, `${indent}-`);
      }
    }
    return;
  }
  for (const k of Object.keys(v)) {
    const val = v[k];
    if (val !== undefined) emitValue(val, indent, out, `${indent}${scalarString(k)}:`);
  }
}

/** Emits one document (no leading "---"), ending in a newline. */
export function emitYaml(doc: Record<string, unknown>): string {
  const out: string[] = [];
  emitNode(doc, '', out);
  return `${out.join('\n')}\n`;
}
