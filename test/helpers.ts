/** Shared test helpers: load specs from text, synthesize in memory, find objects. */
import * as fs from 'fs';
import * as path from 'path';
import type { Manifest, ManifestFile, SynthesizedEnvironment } from '../src/synth';
import { shareEnvironmentNames, sharedEnvironmentNames, sharedFiles, shareFiles } from './support/shared-synth';

/**
 * The library, loaded when a test first loads or synthesizes a spec: a test file that reads only
 * the fixture's manifests another file of the run shared does without it (zod's schemas, cdk8s-plus-27
 * and imports/: about 45 ms of CPU per test file).
 */
function library(): Library {
  return (loadedLibrary ??= { ...require('../src/spec/errors'), ...require('../src/spec/load'), ...require('../src/synth') });
}
type Library = typeof import('../src/spec/errors') & typeof import('../src/spec/load') & typeof import('../src/synth');
let loadedLibrary: Library | undefined;

/**
 * The suite's fixture spec: a copy of the reference that tests edit, so that users changing
 * config/platform.yaml never break the suite (only test/reference.test.ts reads config/). Relative files (sql/) resolve against its directory.
 */
export const CONFIG_DIR = path.join(__dirname, 'fixtures', 'platform');
export const REFERENCE_FILE = path.join(CONFIG_DIR, 'platform.yaml');

/** The fixture platform spec text. */
export function referenceText(): string {
  return fs.readFileSync(REFERENCE_FILE, 'utf8');
}

/**
 * Environments synthesized in this test file, by environment name and spec text. Jest gives each
 * test file its own module registry, so this never outlives a file. Their objects are frozen:
 * a test that changes a shared result fails instead of corrupting the next one's.
 */
const synthesized = new Map<string, SynthesizedEnvironment>();
/** The environment names of each spec text loaded in this test file. */
const environmentsOf = new Map<string, string[]>();

/**
 * Synthesizes spec text (relative files resolve against the fixture's directory) for one or all
 * environments. Each environment of a spec text is synthesized once per test file (environments
 * are synthesized independently, so one environment alone is what it is among all of them); tests
 * about synthesis itself (determinism, the CLI) call synthPlatform directly.
 */
export function synth(text: string = referenceText(), envs?: string[]): SynthesizedEnvironment[] {
  const key = (env: string) => `${env}\0${text}`;
  // The unchanged fixture: what an earlier test file of this run synthesized (test/support/shared-synth.ts).
  const fixture = text === referenceText();
  if (fixture && !environmentsOf.has(text)) {
    const names = sharedEnvironmentNames(text);
    if (names) environmentsOf.set(text, names);
  }
  const wanted = envs?.length ? envs : environmentsOf.get(text);
  for (const env of fixture ? wanted ?? [] : []) {
    const files = synthesized.has(key(env)) ? undefined : sharedFiles(text, env);
    if (files) synthesized.set(key(env), sharedEnvironment(text, env, files));
  }
  // Loading a spec (parse, schema, checks) costs more than synthesizing it: a text whose wanted
  // environments were all synthesized in this file is answered without loading it again.
  if (wanted?.every((env) => synthesized.has(key(env)))) return wanted.map((env) => synthesized.get(key(env))!);
  const { loadPlatform, synthPlatform } = library();
  const loaded = loadPlatform(text, REFERENCE_FILE);
  environmentsOf.set(text, loaded.environments.map((e) => e.name));
  if (fixture) shareEnvironmentNames(text, environmentsOf.get(text)!);
  const names = envs?.length ? envs : loaded.environments.map((e) => e.name);
  const missing = names.filter((env) => !synthesized.has(key(env)));
  if (missing.length) {
    // Throws SpecError for unknown environments or bad specs, with every problem, as synthPlatform does.
    for (const env of synthPlatform(loaded, missing)) {
      synthesized.set(key(env.name), freezeObjects(env));
      if (fixture) shareFiles(text, env.name, env.files);
    }
  }
  return names.map((env) => synthesized.get(key(env))!);
}

/**
 * An environment whose manifests another test file synthesized. Its extras and constructs are
 * made here, by synthesizing it, when a test first reads them (few do).
 */
function sharedEnvironment(text: string, name: string, files: ManifestFile[]): SynthesizedEnvironment {
  deepFreeze(files);
  let made: SynthesizedEnvironment | undefined;
  const make = () => {
    if (made) return made;
    const { loadPlatform, synthPlatform } = library();
    return (made = freezeObjects(synthPlatform(loadPlatform(text, REFERENCE_FILE), [name])[0]));
  };
  return {
    name,
    files,
    get extras() { return make().extras; },
    get platform() { return make().platform; },
  };
}

function deepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  Object.values(value).forEach(deepFreeze);
}

/** Freezes every file and object (deeply) of an environment; the constructs stay as they are. */
function freezeObjects(env: SynthesizedEnvironment): SynthesizedEnvironment {
  deepFreeze(env.files);
  deepFreeze(env.extras);
  return env;
}

/** All objects of one environment of the given spec text. */
export function objectsOf(env = 'prod', text: string = referenceText()): Manifest[] {
  return synth(text, [env])[0].files.flatMap((f) => f.objects);
}

/** The one object of a kind and name; fails the test if absent. */
export function findObject<T = Manifest>(objects: readonly Manifest[], kind: string, name: string): T & Manifest {
  const found = objects.filter((o) => o.kind === kind && o.metadata.name === name);
  if (found.length !== 1) {
    throw new Error(`expected one ${kind} "${name}", found ${found.length}; have: ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  }
  return found[0] as T & Manifest;
}

/** The problems a spec text produces, formatted `file:line: path: message` with the file's base name. */
export function problemsOf(text: string, envs?: string[]): string[] {
  try {
    synth(text, envs);
  } catch (e) {
    const { formatProblem, SpecError } = library();
    if (e instanceof SpecError) return e.problems.map((p) => formatProblem({ ...p, file: path.basename(p.file) }));
    throw e;
  }
  return [];
}

/** Edits the reference YAML by exact text replacement; fails loudly if the anchor is missing. */
export function editReference(...edits: Array<[string, string]>): string {
  let text = referenceText();
  for (const [from, to] of edits) {
    if (!text.includes(from)) throw new Error(`reference spec has no "${from}"`);
    text = text.replace(from, to);
  }
  return text;
}

/** The 1-based line of the first occurrence of `snippet` in `text` (after `after`, if given). */
export function lineIn(text: string, snippet: string, after?: string): number {
  const start = after ? text.indexOf(after) : 0;
  const at = text.indexOf(snippet, start < 0 ? 0 : start);
  if (at < 0) throw new Error(`no "${snippet}" in text`);
  return text.slice(0, at).split('\n').length;
}
