/**
 * Loads the platform spec: YAML with positions, one schema, environment overlays and
 * cross-field checks. Every problem is collected and thrown together as a SpecError.
 */
import * as path from 'path';
import * as z from 'zod';
import { runChecks } from './checks';
import { checkGatewaySharing } from './checks/mesh';
import { joinPath, SpecError, SpecProblem } from './errors';
import { FileIdentity, MAX_SPEC_BYTES, readTextFile, SpecFiles } from './files';
import { quote } from './escape';
import { imagePinProblem } from './image';
import { listOf } from './lists';
import { EnvironmentSpec, PlatformFileSchema, PlatformSettingsSchema, ServiceSchema } from './schema';
import { allowedKeys, closest } from './schema-walk';
import { SpecOrigin, SpecSource } from './source';

/** The loaded spec: every environment, merged and validated. */
export interface LoadedPlatform {
  /** The spec file path as given; for a spec declared in TypeScript (definePlatform), the name its errors give it. */
  readonly file: string;
  /**
   * True for a spec declared in TypeScript (definePlatform): there is no file, so problems found
   * later (construct validations) name the spec path without a line.
   * @default false
   */
  readonly inCode?: boolean;
  /** Environments in spec order. */
  readonly environments: readonly EnvironmentSpec[];
  /** The line of a spec path in the file (the deepest part of it that exists); 0 without a file. */
  lineOf(path: readonly PropertyKey[]): number;
  /**
   * What the spec was read from: the spec file (absolute; none for a spec declared in TypeScript)
   * and every file it names (as named: links kept), and the directory those must lie in. What a
   * tool needs to tell whether a spec changed (the launcher's result cache). Ask after the synth:
   * it lists what was read so far.
   * @default unknown
   */
  readFrom?(): SpecInputs;
}

/** The files a spec was read from (see LoadedPlatform.readFrom). */
export interface SpecInputs {
  /** Absolute paths of the spec file and of the files it names, as named. */
  readonly files: readonly string[];
  /** What each of `files` was when it was read (undefined for one that could not be read), in the same order. */
  readonly asRead: ReadonlyArray<FileIdentity | undefined>;
  /** The directory every file the spec names must lie in, as given (absolute). */
  readonly filesRoot: string;
}

/** Options of loading a spec. */
export interface LoadOptions {
  /**
   * Directory every file the spec names (database.schema) must lie in, after resolving
   * symbolic links. For SQL files shared between specs; the CLI's --files-root.
   * @default the spec file's directory
   */
  readonly filesRoot?: string;
}

/**
 * Reads and validates a spec file; throws SpecError listing every problem. The file must be a
 * regular file of at most MAX_SPEC_BYTES in UTF-8.
 */
export function loadPlatformFile(file: string, options: LoadOptions = {}): LoadedPlatform {
  const read = readTextFile(file, MAX_SPEC_BYTES);
  if ('problem' in read) {
    throw new SpecError([{ file, line: read.line ?? 0, path: '', message: `cannot read the spec file: it ${read.problem}` }]);
  }
  const loaded = loadPlatform(read.text, file, options);
  const identity = 'identity' in read ? read.identity : undefined;
  return {
    ...loaded,
    readFrom: () => {
      const named = loaded.readFrom!();
      // As opened: path.resolve would drop a `..` after a link, which the system follows.
      return { ...named, files: [path.isAbsolute(file) ? file : `${process.cwd()}${path.sep}${file}`, ...named.files], asRead: [identity, ...named.asRead] };
    },
  };
}

/**
 * zod's default compiles each object schema into a checker with `new Function` on its first
 * parse. A synth parses the spec once, so that compile is never repaid: interpreting is 15 to
 * 25 ms faster for the reference platform and the same for 1000 services.
 */
const PARSE = { jitless: true } as const;

/** Validates spec text; `file` names it in errors and anchors relative paths. */
export function loadPlatform(text: string, file = 'platform.yaml', options: LoadOptions = {}): LoadedPlatform {
  const { source, problems } = SpecSource.parse(file, text);
  if (problems.length) throw new SpecError(problems);
  // The parsed document goes once loading is done (see linesOf); only the text is kept.
  return { ...loadSpec(source, path.dirname(path.resolve(file)), options), lineOf: linesOf(file, text) };
}

/**
 * Validates a spec's data, wherever it comes from (a YAML file, or a TypeScript object through
 * definePlatform): the schema, the environment overlays and every check, all problems at once.
 * `baseDir` is the directory the files the spec names are relative to.
 */
export function loadSpec(source: SpecOrigin, baseDir: string, options: LoadOptions = {}): LoadedPlatform {
  const file = source.file;
  const out: SpecProblem[] = [];
  reportBrokenStrings(source, out);
  const parsed = PlatformFileSchema.safeParse(source.data, PARSE);
  if (!parsed.success) out.push(...zodProblems(parsed.error, source, PlatformFileSchema, []));
  const raw = source.data as RawFile;
  // Go on past schema problems where the shape allows, so that every problem is reported at once.
  if (!isPlainObject(raw) || !isPlainObject(raw.services) || (raw.environments !== undefined && !isPlainObject(raw.environments))) throw new SpecError(out);
  const files = new SpecFiles(baseDir, options.filesRoot);
  const environments: EnvironmentSpec[] = [];
  checkNames(raw, source, out);

  for (const [envName, envRaw] of Object.entries(raw.environments ?? {})) {
    const blame = blameFor(source, envName);
    if (!isPlainObject(envRaw ?? {})) continue;
    for (const name of Object.keys(envRaw?.services ?? {})) {
      if (!(name in raw.services)) {
        const p = ['environments', envName, 'services', name];
        out.push(problemAt(source, p, `overrides an unknown service; known services: ${listOf(Object.keys(raw.services))}`, true));
      }
    }
    const report = (p: readonly PropertyKey[], message: string) => {
      out.push(problemAt(source, blame(p), message));
    };
    const platformRaw = deepMerge(raw.platform, envRaw?.platform);
    const platform = PlatformSettingsSchema.safeParse(platformRaw, PARSE);
    if (!platform.success) out.push(...zodProblems(platform.error, source, PlatformSettingsSchema, ['platform'], blame));
    reportUnpinnedImages(platformRaw, PLATFORM_IMAGES, ['platform'], report);
    const services: Record<string, z.infer<typeof ServiceSchema>> = {};
    const declaredEvents: string[] = [];
    for (const [name, svc] of Object.entries(raw.services)) {
      const serviceRaw = deepMerge(svc, envRaw?.services?.[name]);
      if (isPlainObject(serviceRaw) && Array.isArray(serviceRaw.publishes)) {
        // A loop, not push(...list): spreading 100,000 arguments overflows the stack.
        for (const e of serviceRaw.publishes) if (typeof e === 'string') declaredEvents.push(e);
      }
      const merged = ServiceSchema.safeParse(serviceRaw, PARSE);
      if (merged.success) services[name] = merged.data;
      else out.push(...zodProblems(merged.error, source, ServiceSchema, ['services', name], blame));
      reportUnpinnedImages(serviceRaw, [['image']], ['services', name], report);
    }
    if (!platform.success) continue;
    const env: EnvironmentSpec = {
      name: envName,
      namespace: envRaw?.namespace ?? `${platform.data.name}-${envName}`,
      platform: platform.data,
      services,
      baseDir,
      files,
    };
    runChecks(env, report, { declaredServices: Object.keys(raw.services), declaredEvents });
    environments.push(env);
  }
  // Where an environment's setting is written; a default points at the environment, where an override would go.
  const at = (env: string, p: readonly PropertyKey[]) => {
    const where = blameFor(source, env)(p);
    return source.has(where) ? where : ['environments', env];
  };
  checkGatewaySharing(
    environments,
    (env, p, message) => out.push(problemAt(source, at(env, p), message, true)),
    (env, p) => (!source.has(blameFor(source, env)(p)) ? 'the default'
      : source.inCode ? joinPath(at(env, p)) : `${path.basename(file)}:${source.lineOf(at(env, p))}`),
  );
  if (out.length) throw new SpecError(out);
  return { file, inCode: source.inCode, environments, lineOf: (p) => source.lineOf(p), readFrom: () => files.readFrom() };
}

/** A problem at a spec path: its line in the file (of the key with `atKey`), or none for a spec declared in TypeScript. */
function problemAt(source: SpecOrigin, p: readonly PropertyKey[], message: string, atKey = false): SpecProblem {
  const problem = { file: source.file, line: source.lineOf(p, atKey), path: joinPath(p), message };
  return source.inCode ? { ...problem, inCode: true } : problem;
}

/**
 * `lineOf` for after loading, when only a failing construct validation asks for a line. The
 * parsed document (several times the size of the text: 12 MB for 1000 services) is let go once
 * the spec is loaded and parsed again on the first question, which a synth that succeeds never asks.
 */
function linesOf(file: string, text: string): (p: readonly PropertyKey[]) => number {
  let source: SpecSource | undefined;
  return (p) => (source ??= SpecSource.parse(file, text).source).lineOf(p);
}

/**
 * Strings that cannot be written as UTF-8: a lone surrogate (from a "\ud800" escape in a
 * double-quoted YAML string) would turn into U+FFFD in the output, unlike what the spec says.
 */
const LONE_SURROGATE = /[\ud800-\udfff]/u;

function reportBrokenStrings(source: SpecOrigin, out: SpecProblem[]): void {
  const walk = (value: unknown, at: PropertyKey[], seen: Set<unknown>): void => {
    if (typeof value === 'string') {
      if (LONE_SURROGATE.test(value)) {
        out.push(problemAt(source, at, 'is not valid Unicode: it holds a lone surrogate (a \\uD800-\\uDFFF escape without its pair), which cannot be written as UTF-8'));
      }
      return;
    }
    if (typeof value !== 'object' || value === null || seen.has(value)) return;
    seen.add(value);
    for (const [k, v] of Object.entries(value)) {
      if (LONE_SURROGATE.test(k)) out.push(problemAt(source, at, 'holds a key that is not valid Unicode (a lone surrogate)', true));
      walk(v, [...at, Array.isArray(value) ? Number(k) : k], seen);
    }
  };
  walk(source.data, [], new Set());
}

/** Where the platform settings name images (the defaults are pinned). */
const PLATFORM_IMAGES = [['postgres', 'image'], ['redis', 'image'], ['rabbitmq', 'image'], ['tracing', 'collectorImage']];

/**
 * Images must be pinned by tag or digest. Checked on the merged input rather than in the schema
 * or with the cross-field checks: a service whose image is the only problem must still take part
 * in the checks across services, and one with other problems must still have its image checked.
 */
function reportUnpinnedImages(raw: unknown, imagePaths: readonly string[][], prefix: readonly string[], report: (p: readonly PropertyKey[], message: string) => void): void {
  for (const imagePath of imagePaths) {
    let value: unknown = raw;
    for (const key of imagePath) value = isPlainObject(value) ? value[key] : undefined;
    const problem = typeof value === 'string' && value !== '' ? imagePinProblem(value) : undefined;
    if (problem) report([...prefix, ...imagePath], problem);
  }
}

interface RawFile {
  platform: unknown;
  services: Record<string, unknown>;
  environments?: Record<string, { namespace?: string; platform?: unknown; services?: Record<string, unknown> } | undefined>;
}

/** Maps a merged-spec path to the overlay path when the environment sets it, else the base path. */
function blameFor(source: SpecOrigin, env: string): (p: readonly PropertyKey[]) => PropertyKey[] {
  return (p) => {
    const overlay = ['environments', env, ...p];
    return source.has(overlay) ? overlay : [...p];
  };
}

function checkNames(raw: RawFile, source: SpecOrigin, out: SpecProblem[]): void {
  const label = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
  const check = (section: 'services' | 'environments', name: string, max: number) => {
    if (!label.test(name) || name.length > max) {
      out.push(problemAt(source, [section, name],
        `name ${quote(name)} is not allowed: it must be a DNS-1035 label of at most ${max} characters (lowercase letters, digits and "-", starting with a letter, ending with a letter or digit)`, true));
    }
  };
  Object.keys(raw.services).forEach((n) => check('services', n, 40));
  Object.keys(raw.environments ?? {}).forEach((n) => check('environments', n, 30));
  if (Object.prototype.hasOwnProperty.call(raw.environments ?? {}, 'gitops')) {
    out.push(problemAt(source, ['environments', 'gitops'],
      'name "gitops" is reserved: dist/gitops/ holds the Argo CD and Flux objects; choose another environment name', true));
  }
}

/**
 * Objects merge key by key; lists and scalars from the overlay replace the base. Safe for any
 * data: a key such as "__proto__" is an own key of the result (never its prototype), and an
 * object met again inside itself (a cycle, which the YAML loader rejects anyway) is not entered.
 */
export function deepMerge(base: unknown, overlay: unknown, open: Set<object> = new Set()): unknown {
  if (overlay === undefined) return base;
  if (isPlainObject(base) && isPlainObject(overlay) && !open.has(base) && !open.has(overlay)) {
    open.add(base);
    open.add(overlay);
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(overlay)) {
      Object.defineProperty(out, k, { value: deepMerge(Object.hasOwn(base, k) ? base[k] : undefined, v, open), enumerable: true, writable: true, configurable: true });
    }
    open.delete(base);
    open.delete(overlay);
    return out;
  }
  return overlay;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function zodProblems(
  error: z.ZodError,
  source: SpecOrigin,
  schema: z.ZodType,
  prefix: PropertyKey[],
  blame: (p: readonly PropertyKey[]) => PropertyKey[] = (p) => [...p],
): SpecProblem[] {
  const problems: SpecProblem[] = [];
  for (const issue of error.issues) {
    const local = issue.path as PropertyKey[];
    if (issue.code === 'unrecognized_keys') {
      const allowed = allowedKeys(schema, local).filter((k) => k !== '$schema');
      for (const key of issue.keys) {
        const where = blame([...prefix, ...local, key]);
        const hint = closest(key, allowed);
        problems.push(problemAt(source, where, `unknown key ${quote(key)}${hint ? ` (did you mean "${hint}"?)` : ''}; allowed keys: ${allowed.join(', ')}`, true));
      }
      continue;
    }
    const where = blame([...prefix, ...local]);
    if (issue.code === 'invalid_key') {
      // A record key that breaks a rule: zod wraps the rule's own messages.
      for (const inner of issue.issues) problems.push(problemAt(source, where, `key: ${inner.message}`, true));
      continue;
    }
    const present = source.has(where);
    const message = !present && issue.code === 'invalid_type' ? `is required (${issue.message.replace(/^Invalid input: /, '')})` : issue.message;
    problems.push(problemAt(source, where, message));
  }
  return problems;
}
