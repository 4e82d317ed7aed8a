/**
 * The shape of src/: no import cycles (type-only imports included), and the layering rules of
 * test/structure/import-rules.ts. Each failure names the files, the line and the rule.
 */
import * as path from 'path';
import { ImportEdge, importCycles, importEdges, moduleSpecifiers, typeScriptFilesUnder } from './import-graph';
import { ALLOWED_CYCLE_IMPORTS, ALLOWED_VIOLATIONS, IMPORT_RULES, ImportRule } from './import-rules';

const ROOT = path.join(__dirname, '..', '..');
const FILES = typeScriptFilesUnder(ROOT, 'src');
const EDGES = importEdges(ROOT, FILES);

/** Whether a target (or file) matches a pattern of import-rules.ts. */
function matches(pattern: string, target: string): boolean {
  if (pattern.endsWith('*')) return target.startsWith(pattern.slice(0, -1));
  if (pattern.endsWith('/')) return target.startsWith(pattern);
  return target === pattern;
}

function breaks(rule: ImportRule, edge: ImportEdge): boolean {
  if (!rule.files.some((p) => matches(p, edge.from))) return false;
  if (rule.onlyImports && !rule.onlyImports.some((p) => matches(p, edge.to))) return true;
  return (rule.neverImports ?? []).some((p) => matches(p, edge.to));
}

const isAllowed = (rule: ImportRule, e: ImportEdge) =>
  ALLOWED_VIOLATIONS.some((a) => a.rule === rule.name && a.file === e.from && a.imports === e.to);
const isAllowedCycleImport = (e: ImportEdge) => ALLOWED_CYCLE_IMPORTS.some((a) => a.file === e.from && a.imports === e.to);

describe('reading imports', () => {
  test('static, type-only, re-exported, require(), import() and import-type imports all count', () => {
    // GIVEN a file with every kind of import
    const text = [
      "import { a } from './a';",
      "import type { B } from './b';",
      "export { c } from './c';",
      "export * from './d';",
      "import e = require('./e');",
      "const f = require('./f');",
      "const g = import('./g');",
      "let h: import('./h').H;",
      "import './i';",
      "const notAnImport = './j';",
    ].join('\n');
    // WHEN its specifiers are read THEN each import is found on its line, and a plain string is not
    expect(moduleSpecifiers('x.ts', text)).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'].map((n, i) => ({ specifier: `./${n}`, line: i + 1 })));
  });

  test('cycles are listed as paths of files, every import inside a cycle covered, a self-import included', () => {
    // GIVEN a -> b -> c -> a, b -> a, d -> d and e -> a (e is in no cycle)
    const edge = (from: string, to: string): ImportEdge => ({ from, to, line: 1 });
    const edges = [edge('a', 'b'), edge('b', 'c'), edge('c', 'a'), edge('b', 'a'), edge('d', 'd'), edge('e', 'a')];
    // WHEN cycles are searched THEN each import of a cycle is on a listed path, and e is on none
    expect(importCycles(['a', 'b', 'c', 'd', 'e'], edges)).toEqual([['a', 'b', 'a'], ['b', 'c', 'a', 'b'], ['d', 'd']]);
  });
});

describe('the import graph of src/', () => {
  test('it is read: files, packages and Node builtins are told apart', () => {
    // GIVEN the parsed graph THEN it names files, packages and builtins the way the rules do
    expect(FILES.length).toBeGreaterThan(50);
    expect(EDGES).toContainEqual(expect.objectContaining({ from: 'src/index.ts', to: 'src/synth.ts' }));
    expect(EDGES).toContainEqual(expect.objectContaining({ from: 'src/synth.ts', to: 'cdk8s' }));
    expect(EDGES).toContainEqual(expect.objectContaining({ from: 'src/synth.ts', to: 'node:path' }));
  });

  test('no file takes part in an import cycle', () => {
    // GIVEN every import between files of src/ (but the accepted ones of ALLOWED_CYCLE_IMPORTS)
    const edges = EDGES.filter((e) => !isAllowedCycleImport(e));
    // WHEN cycles are searched THEN there are none; each is printed as the path of files
    const cycles = importCycles(FILES, edges).map((c) => c.join(' -> '));
    expect(cycles).toEqual([]);
  });

  test.each(IMPORT_RULES.map((r) => [r.name, r] as const))('%s', (_name, rule) => {
    // GIVEN the rule WHEN every import is compared with it THEN none breaks it (but the accepted ones)
    const broken = EDGES.filter((e) => breaks(rule, e) && !isAllowed(rule, e)).map((e) => `${e.from}:${e.line} imports ${e.to}`);
    expect(broken).toEqual([]);
  });

  test('every accepted exception is still needed (delete the entries this prints)', () => {
    // GIVEN the allow-lists WHEN each entry is looked up THEN it still names an import that breaks its rule or closes a cycle
    const stale = [
      ...ALLOWED_VIOLATIONS.filter((a) => {
        const rule = IMPORT_RULES.find((r) => r.name === a.rule);
        return !rule || !EDGES.some((e) => e.from === a.file && e.to === a.imports && breaks(rule, e));
      }).map((a) => `ALLOWED_VIOLATIONS: ${a.file} imports ${a.imports}`),
      ...ALLOWED_CYCLE_IMPORTS.filter((a) => {
        const cycles = importCycles(FILES, EDGES);
        return !cycles.some((c) => c.some((f, i) => f === a.file && c[i + 1] === a.imports));
      }).map((a) => `ALLOWED_CYCLE_IMPORTS: ${a.file} imports ${a.imports}`),
    ];
    expect(stale).toEqual([]);
  });
});
