/**
 * The import graph of the project's TypeScript files, read with the TypeScript compiler API
 * (parsed, not type-checked): every `import`, `import type`, `export ... from`,
 * `import x = require(...)`, `import('...')` type or call and `require('...')` counts, because
 * a type-only import ties two files together as much as any other.
 */
import * as fs from 'fs';
import { builtinModules } from 'module';
import * as path from 'path';
import type * as TypeScript from 'typescript';
import { workerModule } from '../support/worker-module';

/** The compiler, once per jest worker (test/support/typescript.cjs). */
const ts = workerModule<typeof TypeScript>('typescript.cjs');

/** One import: the importing file and what it names, both normalized (see `importTarget`). */
export interface ImportEdge {
  /** The importing file, relative to the root with `/` separators (`src/spec/checks.ts`). */
  readonly from: string;
  /**
   * What is imported: a file relative to the root (`src/mesh/index.ts`), `node:NAME` for a Node
   * builtin (`node:fs`), or a package's name (`cdk8s`, `@scope/pkg`).
   */
  readonly to: string;
  /** 1-based line of the import in `from`. */
  readonly line: number;
}

/** Every `.ts` file (not `.d.ts`) under `dir`, relative to `root`, sorted. */
export function typeScriptFilesUnder(root: string, dir: string): string[] {
  const walk = (d: string): string[] => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => {
    const file = path.join(d, e.name);
    if (e.isDirectory()) return walk(file);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [file] : [];
  });
  return walk(path.join(root, dir)).map((f) => toRootRelative(root, f)).sort();
}

/** The module specifiers a source text names, with the line of each. */
export function moduleSpecifiers(fileName: string, text: string): Array<{ specifier: string; line: number }> {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: Array<{ specifier: string; line: number }> = [];
  const add = (node: TypeScript.Node | undefined) => {
    if (node && ts.isStringLiteralLike(node)) {
      found.push({ specifier: node.text, line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1 });
    }
  };
  const visit = (node: TypeScript.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) add(node.moduleSpecifier);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) add(node.moduleReference.expression);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node.argument.literal);
    else if (ts.isCallExpression(node) && node.arguments.length === 1
      && (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === 'require'))) {
      add(node.arguments[0]);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const BUILTINS = new Set(builtinModules);

/**
 * Normalizes a specifier named in `from`: a relative one becomes the file it resolves to
 * (`x.ts`, else `x/index.ts`, relative to the root; an unresolved one is kept as its path, so
 * it still shows in rules); a builtin becomes `node:NAME`; anything else its package's name.
 */
export function importTarget(root: string, from: string, specifier: string): string {
  if (specifier.startsWith('.')) {
    const base = path.resolve(root, path.dirname(from), specifier);
    const candidates = [base, `${base}.ts`, path.join(base, 'index.ts')];
    const hit = candidates.find((c) => c.endsWith('.ts') && fs.existsSync(c) && fs.statSync(c).isFile())
      ?? candidates.find((c) => fs.existsSync(c) && fs.statSync(c).isFile());
    return toRootRelative(root, hit ?? base);
  }
  const bare = specifier.replace(/^node:/, '');
  if (specifier.startsWith('node:') || BUILTINS.has(bare) || BUILTINS.has(bare.split('/')[0])) return `node:${bare.split('/')[0]}`;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** Every import of the given files (relative to `root`). */
export function importEdges(root: string, files: readonly string[]): ImportEdge[] {
  return files.flatMap((from) => moduleSpecifiers(from, fs.readFileSync(path.join(root, from), 'utf8'))
    .map(({ specifier, line }) => ({ from, to: importTarget(root, from, specifier), line })));
}

/**
 * The import cycles among `files`: for each strongly connected group of files, cycles (each a
 * path of files that starts and ends with the same file) that together use every import inside
 * the group, so breaking the imports listed breaks every cycle. A file importing itself is a cycle.
 */
export function importCycles(files: readonly string[], edges: readonly ImportEdge[]): string[][] {
  const inGraph = new Set(files);
  const next = new Map<string, string[]>(files.map((f) => [f, []]));
  for (const e of edges) {
    if (inGraph.has(e.to) && !next.get(e.from)!.includes(e.to)) next.get(e.from)!.push(e.to);
  }
  for (const targets of next.values()) targets.sort();
  const cycles: string[][] = [];
  for (const group of stronglyConnected(files, next)) {
    const members = new Set(group);
    if (group.length === 1 && !next.get(group[0])!.includes(group[0])) continue;
    const covered = new Set<string>();
    for (const a of [...group].sort()) {
      for (const b of next.get(a)!.filter((t) => members.has(t))) {
        if (covered.has(`${a}\n${b}`)) continue;
        // The edge a -> b, then the shortest way back from b to a inside the group.
        const cycle = [a, ...shortestPath(b, a, next, members)];
        for (let i = 0; i + 1 < cycle.length; i++) covered.add(`${cycle[i]}\n${cycle[i + 1]}`);
        cycles.push(cycle);
      }
    }
  }
  return cycles;
}

/** Tarjan's strongly connected components (iterative order does not matter for the result). */
function stronglyConnected(files: readonly string[], next: ReadonlyMap<string, readonly string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  const connect = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      groups.push(group.sort());
    }
  };
  for (const f of files) if (!index.has(f)) connect(f);
  return groups;
}

/** The shortest import path from `start` to `goal` inside `members` (breadth-first, both included). */
function shortestPath(start: string, goal: string, next: ReadonlyMap<string, readonly string[]>, members: ReadonlySet<string>): string[] {
  const previous = new Map<string, string | undefined>([[start, undefined]]);
  const queue = [start];
  while (queue.length) {
    const v = queue.shift()!;
    if (v === goal) break;
    for (const w of next.get(v) ?? []) {
      if (members.has(w) && !previous.has(w)) {
        previous.set(w, v);
        queue.push(w);
      }
    }
  }
  const pathBack: string[] = [];
  for (let v: string | undefined = goal; v !== undefined; v = previous.get(v)) pathBack.push(v);
  return pathBack.reverse();
}

function toRootRelative(root: string, file: string): string {
  return path.relative(root, file).split(path.sep).join('/');
}
