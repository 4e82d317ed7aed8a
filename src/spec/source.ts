/** A parsed YAML file that remembers where every key and value stands. */
import { Alias, isAlias, isMap, isNode, isPair, isScalar, isSeq, LineCounter, Node, Pair, parseDocument, YAMLMap } from 'yaml';
import { printable } from './escape';
import { SpecProblem } from './errors';

/**
 * Where the loader reads a spec from: its plain data, and where each spec path stands in it.
 * A YAML file (SpecSource) knows lines; a spec declared in TypeScript (definePlatform) has none.
 */
export interface SpecOrigin {
  /** The spec file; for a spec declared in TypeScript, the name errors give the declaration. */
  readonly file: string;
  /** The spec as plain data (undefined when the YAML is broken). */
  readonly data: unknown;
  /** True for a spec declared in TypeScript: there is no file, so no line (lineOf gives 0). */
  readonly inCode: boolean;
  /** The 1-based line of the deepest node on `path` that exists (of its key with `atKey`); 0 without a file. */
  lineOf(path: readonly PropertyKey[], atKey?: boolean): number;
  /** Whether a key exists at `path` (used to blame the overlay or the base). */
  has(path: readonly PropertyKey[]): boolean;
}

export class SpecSource implements SpecOrigin {
  /** A file has lines. */
  public readonly inCode = false;

  /**
   * Parses YAML text; syntax errors and alias errors (an alias without an anchor before it, an
   * alias inside the node it names, aliases that expand past MAX_EXPANDED_NODES) become
   * problems with their line. YAML 1.1 tags (!!binary, !!set, !!timestamp...) stay strings.
   */
  public static parse(file: string, text: string): { source: SpecSource; problems: SpecProblem[] } {
    const lineCounter = new LineCounter();
    const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, resolveKnownTags: false });
    const problems: SpecProblem[] = doc.errors.map((e) => ({
      file,
      line: lineCounter.linePos(e.pos[0]).line,
      path: '',
      message: `invalid YAML: ${e.message.split('\n')[0]}`,
    }));
    if (problems.length === 0) {
      problems.push(...aliasProblems(doc.contents, MAX_EXPANDED_NODES).map(({ node, message }) => ({
        file,
        line: node.range ? lineCounter.linePos(node.range[0]).line : 0,
        path: '',
        message: `invalid YAML: ${message}`,
      })));
    }
    // Alias expansion is bounded above, so yaml's own count (which cannot say where) is not needed.
    const data = problems.length ? undefined : doc.toJS({ maxAliasCount: -1 });
    return { source: new SpecSource(file, doc.contents, lineCounter, problems.length ? undefined : data), problems };
  }

  private constructor(
    public readonly file: string,
    private readonly root: unknown,
    private readonly lines: LineCounter,
    /** The plain data (undefined when the YAML is broken). */
    public readonly data: unknown,
  ) {}

  /**
   * The 1-based line of the deepest node on `path` that exists: the key itself when
   * `atKey` is set (for unknown-key errors), else the value.
   */
  public lineOf(path: readonly PropertyKey[], atKey = false): number {
    let node: unknown = this.root;
    let line = this.line(node);
    for (let i = 0; i < path.length; i++) {
      const seg = path[i];
      if (isMap(node)) {
        const pair = this.pairOf(node, seg);
        if (!pair) return line;
        const last = i === path.length - 1;
        line = last && atKey ? this.line(pair.key) : this.line(pair.value ?? pair.key);
        node = pair.value;
      } else if (isSeq(node) && typeof seg === 'number' && node.items[seg] !== undefined) {
        node = node.items[seg];
        line = this.line(node);
      } else {
        return line;
      }
    }
    return line;
  }

  /** Whether a key exists at `path` (used to blame the overlay or the base). */
  public has(path: readonly PropertyKey[]): boolean {
    let node: unknown = this.root;
    for (const seg of path) {
      if (isMap(node)) {
        const pair = this.pairOf(node, seg);
        if (!pair) return false;
        node = pair.value;
      } else if (isSeq(node) && typeof seg === 'number' && seg < node.items.length) {
        node = node.items[seg];
      } else {
        return false;
      }
    }
    return true;
  }

  /** Index of each map's scalar keys, built on first use: lookups stay O(1) for 100,000 problems. */
  private readonly keyIndex = new WeakMap<YAMLMap, Map<string, Pair>>();

  private pairOf(map: YAMLMap, key: PropertyKey): Pair | undefined {
    let index = this.keyIndex.get(map);
    if (!index) {
      index = new Map();
      for (const it of map.items) {
        if (isPair(it) && isScalar(it.key) && !index.has(String(it.key.value))) index.set(String(it.key.value), it);
      }
      this.keyIndex.set(map, index);
    }
    return index.get(String(key));
  }

  private line(node: unknown): number {
    const range = (node as Node | undefined)?.range;
    return range ? this.lines.linePos(range[0]).line : 1;
  }
}

/**
 * The most nodes the document may have once its aliases are expanded: 100 times what the
 * largest spec file could hold without aliases, but far below what an alias bomb (nine
 * aliases of nine aliases of ...) expands to.
 */
export const MAX_EXPANDED_NODES = 2_000_000;

/**
 * Aliases that cannot be turned into plain data: one with no anchor before it, one inside the
 * node its anchor names (a cycle), and the first at which the expanded document passes `maxNodes`.
 * Linear in the document: anchors are resolved as yaml does (the last one before the alias) in
 * one walk, and each anchored node's expanded size is computed once.
 */
export function aliasProblems(root: unknown, maxNodes: number): Array<{ node: Node; message: string }> {
  const problems: Array<{ node: Node; message: string }> = [];
  const anchors = new Map<string, Node>();
  const targets = new Map<Alias, Node>();
  const open = new Set<unknown>();
  const resolve = (node: unknown): void => {
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      if (!target) problems.push({ node, message: `alias *${printable(node.source).slice(0, 80)} has no anchor &${printable(node.source).slice(0, 80)} before it; an anchor must be defined before its aliases` });
      else if (open.has(target)) problems.push({ node, message: `alias *${printable(node.source).slice(0, 80)} is inside the node its anchor names, which would make that node contain itself` });
      else targets.set(node, target);
      return;
    }
    if (!isNode(node) && !isPair(node)) return;
    if (isNode(node) && node.anchor) anchors.set(node.anchor, node);
    open.add(node);
    if (isPair(node)) {
      resolve(node.key);
      resolve(node.value);
    } else if (isMap(node) || isSeq(node)) {
      for (const item of node.items) resolve(item);
    }
    open.delete(node);
  };
  resolve(root);
  if (problems.length) return problems;

  const sizes = new Map<unknown, number>();
  let firstOver: Alias | undefined;
  const size = (node: unknown): number => {
    const known = sizes.get(node);
    if (known !== undefined) return known;
    let n = 1;
    if (isAlias(node)) {
      const target = targets.get(node);
      n = target ? size(target) : 1;
    } else if (isPair(node)) {
      n = size(node.key) + size(node.value);
    } else if (isMap(node) || isSeq(node)) {
      for (const item of node.items) {
        n += size(isPair(item) ? item.value : item) + (isPair(item) ? size(item.key) : 0);
        // Sizes only grow: stop adding once past the limit (a bomb's sizes overflow doubles).
        if (n > maxNodes) {
          const value = isPair(item) ? item.value : item;
          if (!firstOver && isAlias(value)) firstOver = value;
          break;
        }
      }
    }
    n = Math.min(n, maxNodes + 1);
    if (n > maxNodes && isAlias(node) && !firstOver) firstOver = node;
    sizes.set(node, n);
    return n;
  };
  if (size(root) > maxNodes) {
    const at = firstOver;
    problems.push({
      node: (at ?? root) as Node,
      message: `the aliases expand the document to more than ${maxNodes} nodes${at ? ` (passed at alias *${printable(at.source).slice(0, 80)})` : ''}; write the values out or use fewer nested aliases`,
    });
  }
  return problems;
}
