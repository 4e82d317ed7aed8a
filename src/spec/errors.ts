/** Spec errors that say where (file:line and spec path), what was wrong and what is allowed. */
import { compareText } from '../compare-text';
import { quote, safeLine } from './escape';

/** One problem in the spec. */
export interface SpecProblem {
  /** File the problem is in; for a spec declared in TypeScript (definePlatform), the name of the declaration. */
  readonly file: string;
  /** 1-based line, 0 when unknown or when there is no file. */
  readonly line: number;
  /**
   * True when the spec was declared in TypeScript (definePlatform): there is no file, so no
   * line; the spec path says where.
   * @default false
   */
  readonly inCode?: boolean;
  /** Dotted spec path, e.g. services.user-service.port. */
  readonly path: string;
  /** What is wrong and what is allowed. */
  readonly message: string;
}

/**
 * Formats a problem as `file:line: spec.path: message` (`declaration: spec.path: message` for a
 * spec declared in TypeScript, which has no file), one line: control characters and terminal
 * escapes from the spec are shown escaped, and an overlong line is cut.
 */
export function formatProblem(p: SpecProblem): string {
  // Each part is cut on its own, so that a 5000-character key in the path cannot cut off the message.
  // A path that starts or ends with white space (a key " ") is quoted, so that it can be seen.
  const where = p.path === '' ? '(root)' : /^\s|\s$/.test(p.path) ? quote(p.path, 300) : safeLine(p.path, 300);
  return `${safeLine(p.file, 300)}${p.inCode ? '' : `:${p.line}`}: ${where}: ${safeLine(p.message, 1500)}`;
}

/** Thrown with every problem found, so users fix them all in one pass. */
export class SpecError extends Error {
  public readonly problems: readonly SpecProblem[];

  constructor(problems: readonly SpecProblem[]) {
    const unique = dedupe(problems);
    // Without a file there are no line numbers to look for: say so, once.
    const where = unique.length > 0 && unique.every((p) => p.inCode) ? ' declared in TypeScript (no file, so no line numbers: each problem names its spec path)' : '';
    super(`${unique.length} problem(s) in the platform spec${where}:\n${unique.map(formatProblem).join('\n')}`);
    this.name = 'SpecError';
    this.problems = unique;
  }
}

function dedupe(problems: readonly SpecProblem[]): SpecProblem[] {
  const seen = new Set<string>();
  const out: SpecProblem[] = [];
  for (const p of problems) {
    const key = formatProblem(p);
    if (!seen.has(key)) {
      seen.add(key);
      out.push(p);
    }
  }
  return out.sort((a, b) => (a.file === b.file ? a.line - b.line || compareText(a.path, b.path) : compareText(a.file, b.file)));
}

/** Joins path segments the way errors print them. */
export function joinPath(path: readonly PropertyKey[]): string {
  return path.map(String).join('.');
}
