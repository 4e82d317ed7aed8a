/**
 * Generates src/render/json-names.ts from the generated L1 code the direct renderer stands in
 * for: cdk8s-plus-27's Kubernetes module and the Istio networking and security imports. It
 * records which TypeScript property names are written under another JSON name (`clusterIp` is
 * `clusterIP`), which fields are maps (their keys are data, never renamed), and which fields
 * a mapper does not write in sorted order (their presence sends the object back to the mapper).
 * Run `npm run gen:json-names` after upgrading cdk8s-plus-27 or re-importing; a test fails
 * while the file is stale.
 */
import * as fs from 'fs';
import * as path from 'path';

export interface JsonNames {
  /** TypeScript name -> JSON name, for the names that differ and mean one field everywhere. */
  readonly renames: Readonly<Record<string, string>>;
  /** Names of fields whose value is a map (labels, annotations, data, limits, ...). */
  readonly mapFields: readonly string[];
  /** TypeScript names of fields some mapper writes out of sorted order. */
  readonly mapperOnlyFields: readonly string[];
}

/** The project directory (this file runs from src/ under jest and from lib/src/ when built). */
const ROOT = ((): string => {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return dir;
})();

/** The generated sources: a stable label for the header, and the file. */
export function generatedSources(): Array<{ readonly label: string; readonly file: string }> {
  return [
    { label: 'cdk8s-plus-27/lib/imports/k8s.js', file: require.resolve('cdk8s-plus-27/lib/imports/k8s.js') },
    { label: 'imports/istio-networking.istio.io.ts', file: path.join(ROOT, 'imports', 'istio-networking.istio.io.ts') },
    { label: 'imports/istio-security.istio.io.ts', file: path.join(ROOT, 'imports', 'istio-security.istio.io.ts') },
  ];
}

interface Field {
  readonly json: string;
  readonly ts: string;
  /** The field's value is a map. */
  readonly map: boolean;
  /** Mappers of the struct types the value is made of. */
  readonly structs: readonly string[];
  /** The value is a list (of structs or scalars). */
  readonly list: boolean;
}

interface Mapper { readonly name: string; readonly fields: readonly Field[] }

/** Every generated `toJson_*` mapper and its field lines: `'jsonName': <expression of obj.tsName>`. */
function mappers(source: string): Mapper[] {
  const out: Mapper[] = [];
  for (const m of source.matchAll(/function (toJson_\w+)\([^\n]*\n[\s\S]*?const result = \{\n([\s\S]*?)\n\s*\};/g)) {
    const fields: Field[] = [];
    for (const line of m[2].matchAll(/^\s+'([^']+)': (.*)$/gm)) {
      const ts = /obj\.([A-Za-z0-9_$]+)/.exec(line[2])?.[1];
      if (!ts) continue;
      const map = /^\(\(obj\.[A-Za-z0-9_$]+\) === undefined\) \? undefined : \((?:Object\.entries|withoutUndefined)\(/.test(line[2]);
      const list = /^obj\.[A-Za-z0-9_$]+\?\.map\(/.test(line[2]);
      fields.push({ json: line[1], ts, map, list, structs: [...line[2].matchAll(/(toJson_\w+)\(/g)].map((x) => x[1]) });
    }
    out.push({ name: m[1], fields });
  }
  return out;
}

/** Reads renames, map fields and the fields only the mappers render exactly. */
export function extractJsonNames(sources: readonly string[]): JsonNames {
  const all = sources.flatMap(mappers);
  const byName = new Map(all.map((m) => [m.name, m]));
  const targets = new Map<string, Set<string>>();
  const mapFields = new Set<string>();
  const mapperOnly = new Set<string>();
  for (const { fields } of all) {
    for (const f of fields) {
      if (!targets.has(f.ts)) targets.set(f.ts, new Set());
      targets.get(f.ts)!.add(f.json);
      if (f.map) mapFields.add(f.ts);
    }
    // Top-level mappers put metadata first; the renderer does the same.
    const body = fields.filter((f) => f.json !== 'metadata');
    const sorted = body.map((f) => f.json).sort();
    body.forEach((f, i) => { if (f.json !== sorted[i]) mapperOnly.add(f.ts); });
  }
  // The renderer knows maps by field name only (list items are never map entries). A name that
  // is a map in one type and a struct with renamed fields below it in another, or a map of such
  // structs, would lose those renames: objects that set it keep the mapper.
  const renamesBelow = new Map<string, boolean>();
  const hasRenames = (name: string, seen: Set<string> = new Set()): boolean => {
    if (renamesBelow.has(name)) return renamesBelow.get(name)!;
    if (seen.has(name)) return false;
    seen.add(name);
    const m = byName.get(name);
    const result = !!m && m.fields.some((f) => f.json !== f.ts || f.structs.some((s) => hasRenames(s, seen)));
    renamesBelow.set(name, result);
    return result;
  };
  for (const { fields } of all) {
    for (const f of fields) {
      if (!f.list && (mapFields.has(f.ts) || f.map) && f.structs.some((x) => hasRenames(x))) mapperOnly.add(f.ts);
    }
  }
  const renames: Record<string, string> = {};
  for (const ts of [...targets.keys()].sort()) {
    const json = [...targets.get(ts)!];
    // A name written two ways ("schema" is "$schema" only in CRD schemas) is left alone.
    if (json.length === 1 && json[0] !== ts) renames[ts] = json[0];
  }
  return { renames, mapFields: [...mapFields].sort(), mapperOnlyFields: [...mapperOnly].sort() };
}

/** The TypeScript module text. */
export function renderJsonNamesModule(names: JsonNames, sources: readonly string[], cdk8sPlusVersion: string): string {
  const list = (v: unknown) => JSON.stringify(v, null, 2).replace(/"/g, "'").replace(/'\n([}\]])/g, "',\n$1");
  return [
    `// Generated by src/render/json-names-gen.ts from ${sources.join(', ')} (cdk8s-plus-27 ${cdk8sPlusVersion}).`,
    '// Do not edit; run `npm run gen:json-names`.',
    '',
    '/** TypeScript property name -> JSON field name, where they differ. */',
    `export const JSON_RENAMES: Readonly<Record<string, string>> = ${list(names.renames)};`,
    '',
    '/** Fields whose value is a map: their keys are data and are never renamed. */',
    `export const MAP_FIELDS: ReadonlySet<string> = new Set(${list(names.mapFields)});`,
    '',
    '/** Fields a generated mapper writes out of sorted order: objects that set them keep the mapper. */',
    `export const MAPPER_ONLY_FIELDS: ReadonlySet<string> = new Set(${list(names.mapperOnlyFields)});`,
    '',
  ].join('\n').replace(/^( +)'([A-Za-z_$][A-Za-z0-9_$]*)': /gm, '$1$2: ');
}

/** The installed cdk8s-plus-27 version. */
export function cdk8sPlusVersion(): string {
  return (JSON.parse(fs.readFileSync(require.resolve('cdk8s-plus-27/package.json'), 'utf8')) as { version: string }).version;
}

/** The module as it should be now. */
export function currentJsonNamesModule(): string {
  const sources = generatedSources();
  const texts = sources.map((s) => fs.readFileSync(s.file, 'utf8'));
  return renderJsonNamesModule(extractJsonNames(texts), sources.map((s) => s.label), cdk8sPlusVersion());
}

export const JSON_NAMES_FILE = path.join(ROOT, 'src', 'render', 'json-names.ts');

if (require.main === module) {
  fs.writeFileSync(JSON_NAMES_FILE, currentJsonNamesModule());
  process.stdout.write(`wrote ${JSON_NAMES_FILE}\n`);
}
