/**
 * Generates src/render/mapper-tables.ts (`npm run gen:mapper-tables`, tools/gen-mapper-tables.ts): the structure of the generated `toJson_*` mappers the
 * direct renderer stands in for (cdk8s-plus-27's Kubernetes module and the Istio networking and
 * security imports), for every type reachable from the kinds in {@link DIRECT_ROOTS}. For each
 * type, its fields in the mapper's order: JSON name, TypeScript name, and how the mapper converts
 * the value. Run `npm run gen:mapper-tables` after upgrading cdk8s-plus-27 or re-importing; a
 * test fails while the file is stale, and the generator fails on a mapper line it does not know.
 */
import * as fs from 'fs';
import { createRequire } from 'module';
import * as path from 'path';
import { FieldKind, MapperField } from '../src/render/mapper-field';

const SHAPES: ReadonlyArray<readonly [RegExp, FieldKind]> = [
  [/^obj\.[\w$]+$/, 'value'],
  [/^obj\.[\w$]+\?\.map\(y => y\)$/, 'list'],
  [/^obj\.[\w$]+\?\.value$/, 'union'],
  [/^toJson_\w+\(obj\.[\w$]+\)$/, 'struct'],
  [/^obj\.[\w$]+\?\.map\(y => toJson_\w+\(y\)\)$/, 'structList'],
  [/^obj\.[\w$]+\?\.toISOString\(\)$/, 'date'],
  [/^\(\(obj\.[\w$]+\) === undefined\) \? undefined : \(withoutUndefined\(obj\.[\w$]+\)\)$/, 'map'],
  [/^\(\(obj\.[\w$]+\) === undefined\) \? undefined : \(Object\.entries\(obj\.[\w$]+\)\.reduce\(\(r, i\) => \(i\[1\] === undefined\) \? r : \(\{ \.\.\.r, \[i\[0\]\]: i\[1\] \}\), \{\}\)\)$/, 'map'],
  [/^\(\(obj\.[\w$]+\) === undefined\) \? undefined : \(Object\.entries\(obj\.[\w$]+\)\.reduce\(\(r, i\) => \(i\[1\] === undefined\) \? r : \(\{ \.\.\.r, \[i\[0\]\]: i\[1\]\?\.value \}\), \{\}\)\)$/, 'unionMap'],
  [/^\(\(obj\.[\w$]+\) === undefined\) \? undefined : \(Object\.entries\(obj\.[\w$]+\)\.reduce\(\(r, i\) => \(i\[1\] === undefined\) \? r : \(\{ \.\.\.r, \[i\[0\]\]: toJson_\w+\(i\[1\]\) \}\), \{\}\)\)$/, 'structMap'],
  [/^\(\(obj\.[\w$]+\) === undefined\) \? undefined : \(Object\.entries\(obj\.[\w$]+\)\.reduce\(\(r, i\) => \(i\[1\] === undefined\) \? r : \(\{ \.\.\.r, \[i\[0\]\]: i\[1\]\?\.map\(y => y\) \}\), \{\}\)\)$/, 'listMap'],
];

/** The generated sources: a key prefix, a stable label for the header, and the file. */
export interface MapperSource { readonly prefix: string; readonly label: string; readonly file: string }

/** The project directory (this file runs from tools/ under jest and bundled in node_modules/.cache/). */
const ROOT = ((): string => {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return dir;
})();
/** Resolves packages as the project does (this file may run from a bundle elsewhere). */
const resolveInProject = createRequire(path.join(ROOT, 'package.json')).resolve;

export function mapperSources(): MapperSource[] {
  return [
    { prefix: 'k8s', label: 'cdk8s-plus-27/lib/imports/k8s.js', file: resolveInProject('cdk8s-plus-27/lib/imports/k8s.js') },
    { prefix: 'istio-networking', label: 'imports/istio-networking.istio.io.ts', file: path.join(ROOT, 'imports', 'istio-networking.istio.io.ts') },
    { prefix: 'istio-security', label: 'imports/istio-security.istio.io.ts', file: path.join(ROOT, 'imports', 'istio-security.istio.io.ts') },
  ];
}

/** The props types of the kinds rendered directly (their classes are listed in api-object-json.ts). */
export const DIRECT_ROOTS: readonly string[] = [
  ...['Namespace', 'ServiceAccount', 'Service', 'ConfigMap', 'Secret', 'Deployment', 'StatefulSet', 'Job', 'CronJob',
    'PersistentVolumeClaim', 'HorizontalPodAutoscalerV2', 'PodDisruptionBudget', 'NetworkPolicy', 'Role', 'RoleBinding',
    'ClusterRole', 'ClusterRoleBinding'].map((k) => `k8s:Kube${k}Props`),
  ...['VirtualService', 'DestinationRule', 'Gateway'].map((k) => `istio-networking:${k}Props`),
  ...['AuthorizationPolicy', 'PeerAuthentication', 'RequestAuthentication'].map((k) => `istio-security:${k}Props`),
];

/** Every mapper of a source: type name -> fields in the mapper's order. */
export function readMappers(source: string, prefix: string): Map<string, MapperField[]> {
  const out = new Map<string, MapperField[]>();
  for (const m of source.matchAll(/function toJson_(\w+)\([^\n]*\n[\s\S]*?const result = \{\n([\s\S]*?)\n\s*\};/g)) {
    const fields: MapperField[] = [];
    for (const line of m[2].split('\n')) {
      const f = /^\s+'([^']+)': (.*),$/.exec(line);
      if (!f) throw new Error(`toJson_${m[1]}: unexpected mapper line: ${line}`);
      const shape = SHAPES.find(([re]) => re.test(f[2]));
      if (!shape) throw new Error(`toJson_${m[1]}: unknown field expression: ${f[2]}`);
      const ts = /obj\.([\w$]+)/.exec(f[2])![1];
      const struct = /toJson_(\w+)\(/.exec(f[2])?.[1];
      fields.push(struct ? [f[1], ts, shape[1], `${prefix}:${struct}`] : [f[1], ts, shape[1]]);
    }
    out.set(`${prefix}:${m[1]}`, fields);
  }
  // A mapper of another shape would make the pattern above take the next mapper's fields.
  const declared = [...source.matchAll(/function toJson_(\w+)\(/g)].length;
  if (declared !== out.size) throw new Error(`${prefix}: ${declared} toJson_ functions, ${out.size} of the expected shape`);
  return out;
}

/** The mappers reachable from the roots, keyed "<prefix>:<Type>", in a stable order. */
export function reachableMappers(all: ReadonlyMap<string, readonly MapperField[]>, roots: readonly string[]): Map<string, readonly MapperField[]> {
  const keep = new Map<string, readonly MapperField[]>();
  const visit = (name: string) => {
    if (keep.has(name)) return;
    const fields = all.get(name);
    if (!fields) throw new Error(`no generated mapper toJson_${name}`);
    keep.set(name, fields);
    fields.forEach((f) => { if (f[3]) visit(f[3]); });
  };
  roots.forEach(visit);
  return new Map([...keep.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The TypeScript module text. */
export function renderMapperTablesModule(mappers: ReadonlyMap<string, readonly MapperField[]>, labels: readonly string[], cdk8sPlusVersion: string): string {
  const lines = [
    `// Generated by tools/mapper-tables-gen.ts from ${labels.join(', ')} (cdk8s-plus-27 ${cdk8sPlusVersion}).`,
    '// Do not edit; run `npm run gen:mapper-tables`.',
    "import { MapperField } from './mapper-field';",
    '',
    '/** Fields of each generated mapper, in its order: [JSON name, TypeScript name, kind, struct type]. */',
    'export const MAPPERS: ReadonlyMap<string, readonly MapperField[]> = new Map<string, readonly MapperField[]>([',
  ];
  for (const [name, fields] of mappers) {
    lines.push(`  ['${name}', [`);
    for (const f of fields) lines.push(`    [${f.map((x) => `'${x}'`).join(', ')}],`);
    lines.push('  ]],');
  }
  lines.push(']);', '');
  return lines.join('\n');
}

/** The installed cdk8s-plus-27 version. */
export function cdk8sPlusVersion(): string {
  return (JSON.parse(fs.readFileSync(resolveInProject('cdk8s-plus-27/package.json'), 'utf8')) as { version: string }).version;
}

/** The module as it should be now. */
export function currentMapperTablesModule(): string {
  const sources = mapperSources();
  const all = new Map(sources.flatMap((s) => [...readMappers(fs.readFileSync(s.file, 'utf8'), s.prefix)]));
  return renderMapperTablesModule(reachableMappers(all, DIRECT_ROOTS), sources.map((s) => s.label), cdk8sPlusVersion());
}

export const MAPPER_TABLES_FILE = path.join(ROOT, 'src', 'render', 'mapper-tables.ts');
