/**
 * What may import what under src/, as data: test/structure/imports.test.ts enforces it. Tighten
 * a rule by editing it here; an exception goes in ALLOWED_VIOLATIONS or ALLOWED_CYCLE_IMPORTS
 * with the reason, and the test fails once an exception is no longer needed, so the lists only shrink.
 *
 * Import targets are written as importTarget() gives them: a file relative to the project root
 * (`src/spec/schema.ts`), `node:NAME` for a Node builtin, or a package's name (`yaml`). A pattern
 * that ends with `/` or `*` matches every target that starts with the text before the `*`
 * (`src/platform/`, `node:*`); any other pattern matches one target exactly.
 */

/** One layering rule: which files may or may not import what. */
export interface ImportRule {
  /** Why the rule exists; printed with each import that breaks it. */
  readonly name: string;
  /** The files it governs (patterns). */
  readonly files: readonly string[];
  /** When present, the only imports allowed (patterns); anything else breaks the rule. */
  readonly onlyImports?: readonly string[];
  /** Imports that break the rule (patterns). */
  readonly neverImports?: readonly string[];
}

/** An import that breaks a rule today and is accepted until the work named in `why` lands. */
export interface AllowedViolation {
  /** The rule's `name`. */
  readonly rule: string;
  /** The importing file. */
  readonly file: string;
  /** The import target. */
  readonly imports: string;
  /** Who removes it, and when. */
  readonly why: string;
}

/** An import that closes a cycle today and is accepted until the work named in `why` lands. */
export interface AllowedCycleImport {
  /** The importing file. */
  readonly file: string;
  /** The imported file. */
  readonly imports: string;
  /** Who removes it, and when. */
  readonly why: string;
}

/** The directories of construct files: plain props in, Kubernetes objects out. */
export const CONSTRUCT_DIRS = ['src/workload/', 'src/data/', 'src/mesh/', 'src/delivery/', 'src/observability/', 'src/gitops/'] as const;

const CONSTRUCT_RULE = 'construct files take plain props: they never import the spec schema or the spec -> props mapping (src/platform/)';

/** Every file under src/ is checked for cycles; these are the rules on top of that. */
export const IMPORT_RULES: readonly ImportRule[] = [
  {
    name: 'spec rules (src/spec/) use only src/spec/, Node builtins, yaml, zod and src/compare-text.ts: no construct, cdk8s or generated import',
    files: ['src/spec/'],
    // src/compare-text.ts is a pure leaf (next rule): the locale-free order everything shares.
    onlyImports: ['src/spec/', 'node:*', 'yaml', 'zod', 'src/compare-text.ts'],
  },
  {
    name: 'src/compare-text.ts stays a leaf (only Node builtins), so src/spec/ may use it',
    files: ['src/compare-text.ts'],
    onlyImports: ['node:*'],
  },
  {
    name: CONSTRUCT_RULE,
    files: [...CONSTRUCT_DIRS],
    neverImports: ['src/spec/schema.ts', 'src/platform/'],
  },
];

/**
 * Rule violations tolerated on purpose, each with the reason. Empty: a new entry needs a reason a
 * reviewer accepts, and the test fails when an entry is no longer needed.
 */
export const ALLOWED_VIOLATIONS: readonly AllowedViolation[] = [];

/**
 * Imports allowed to close a cycle, each with the reason. Empty: src/ has no import cycle, type-only
 * imports included.
 */
export const ALLOWED_CYCLE_IMPORTS: readonly AllowedCycleImport[] = [];
