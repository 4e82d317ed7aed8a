/** A parsed YAML file that remembers where every key and value stands. */
import { isMap, isPair, isScalar, isSeq, LineCounter, Node, parseDocument } from 'yaml';
import { SpecProblem } from './errors';

export class SpecSource {
  /** Parses YAML text; syntax errors become problems with their line. */
  public static parse(file: string, text: string): { source: SpecSource; problems: SpecProblem[] } {
    const lineCounter = new LineCounter();
    const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
    const problems: SpecProblem[] = doc.errors.map((e) => ({
      file,
      line: lineCounter.linePos(e.pos[0]).line,
      path: '',
      message: `invalid YAML: ${e.message.split('\n')[0]}`,
    }));
    return { source: new SpecSource(file, doc.contents, lineCounter, problems.length ? undefined : doc.toJS()), problems };
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
        const pair = node.items.find((it) => isPair(it) && isScalar(it.key) && String(it.key.value) === String(seg));
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
        const pair = node.items.find((it) => isPair(it) && isScalar(it.key) && String(it.key.value) === String(seg));
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

  private line(node: unknown): number {
    const range = (node as Node | undefined)?.range;
    return range ? this.lines.linePos(range[0]).line : 1;
  }
}
