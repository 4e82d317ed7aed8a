/**
 * Synthesis users can trust: every environment is built and checked in memory first;
 * only then is each dist/<env>/ replaced whole (write to a temporary directory, rename).
 */
import * as path from 'path';
import { App, ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { ManifestChart, PlatformEnvironment } from './platform/environment';
import { SpecError, SpecProblem } from './spec/errors';
import { StagedOutput } from './staged-output';
import { LoadedPlatform } from './spec/load';
import { withFastApiObjectJson } from './render/api-object-json';
import { emitYaml } from './yaml-emit';
import { EnvironmentSpec } from './spec/schema';
import { compareText } from './compare-text';
import { GITOPS_DIR, KUSTOMIZATION_FILE, kustomizationText } from './gitops';
import type { Manifest, ManifestFile, SynthesizedEnvironment } from './manifest';
import { gitopsFiles } from './platform/gitops';
import { objectPodProblems } from './workload/pod-checks';

// The output types live in a module of their own (no import cycle with gitops); re-exported here.
export type { Manifest, ManifestFile, SynthesizedEnvironment } from './manifest';

/** Kinds in the order the API server needs them; the rest follow alphabetically. */
const KIND_ORDER = [
  'Namespace', 'CustomResourceDefinition', 'ServiceAccount', 'Secret', 'ConfigMap',
  'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding',
  'PeerAuthentication', 'RequestAuthentication', 'AuthorizationPolicy', 'NetworkPolicy',
  'PersistentVolumeClaim', 'Service', 'AnalysisTemplate', 'Deployment', 'StatefulSet', 'Rollout',
  'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'CronJob', 'Job',
  'Gateway', 'DestinationRule', 'VirtualService', 'EnvoyFilter', 'Telemetry',
];

/** Rank of a kind in apply order (unknown kinds after known ones). */
export function kindRank(kind: string): number {
  const i = KIND_ORDER.indexOf(kind);
  return i < 0 ? KIND_ORDER.length : i;
}

/** Apply order of two objects: by kind rank, then kind, then name. */
function compareManifests(a: Manifest, b: Manifest): number {
  return kindRank(a.kind) - kindRank(b.kind) || compareText(a.kind, b.kind) || compareText(a.metadata.name, b.metadata.name);
}

/** Orders objects: by kind rank, then kind, then name. */
export function sortManifests(objects: readonly Manifest[]): Manifest[] {
  return [...objects].sort(compareManifests);
}

/**
 * Makes files that go beside one environment's manifests (reports), each a name inside
 * dist/<env>/ and its text, from the composed environment and its rendered files. Passed to
 * synthesis in `SynthOptions.extraWriters`; `platformReportWriter` writes REPORT.md.
 */
export type ExtraWriter = (env: PlatformEnvironment, files: readonly ManifestFile[]) => Array<{ name: string; text: string }>;

/** How environments are synthesized (synthPlatform, synthEnvironment, renderEnvironment). */
export interface SynthOptions {
  /**
   * Writers of files beside each environment's manifests, added to its `extras` after the
   * Kustomization, in this order; writeEnvironments writes them. `npm run synth` and
   * `npm run check` pass `[platformReportWriter]` (REPORT.md).
   * @default - none: the manifests and their Kustomization only
   */
  readonly extraWriters?: readonly ExtraWriter[];
  /**
   * Called with each file's YAML as soon as it is rendered, before the environment is complete
   * (`npm run synth` stages files as they come).
   * @default - none
   */
  readonly onFile?: FileListener;
}

/** Composes one environment's constructs (nothing rendered yet). */
export function composeEnvironment(spec: EnvironmentSpec): PlatformEnvironment {
  // The App is only a root for the charts; synth() is never called, nothing touches the disk.
  return new PlatformEnvironment(new App({ outdir: path.join(spec.baseDir, '.unused') }), spec.name, { spec });
}

/** Called with each file's YAML as soon as it is rendered, before the environment is complete. */
export type FileListener = (environment: string, fileName: string, text: string) => void;

/** Builds one environment in memory, runs construct validations and the duplicate check. */
export function synthEnvironment(spec: EnvironmentSpec, loaded?: LoadedPlatform, options: SynthOptions = {}): SynthesizedEnvironment {
  return renderEnvironment(composeEnvironment(spec), loaded, options);
}

/** Renders composed constructs: validations, duplicate check, ordering, extra files; throws SpecError. */
export function renderEnvironment(platform: PlatformEnvironment, loaded?: LoadedPlatform, options: SynthOptions = {}): SynthesizedEnvironment {
  validateConstructs(platform, loaded);
  const { onFile } = options;
  const charts = renderCharts(platform, platform.charts, onFile && ((chart) => {
    if (chart.objects.length > 0) onFile(platform.spec.name, chart.name, renderObjects(chart.objects));
  }));
  return assembleEnvironment(platform, charts, options.extraWriters ?? [], loaded);
}

/** Runs every construct's validations; throws SpecError with all their messages. */
function validateConstructs(platform: PlatformEnvironment, loaded?: LoadedPlatform): void {
  const problems: SpecProblem[] = [];
  // The environment's own subtree: its charts and whatever was added to them.
  for (const c of platform.node.findAll()) {
    for (const message of c.node.validate()) {
      problems.push(problemAt(specPathOf(platform, c), `${message} (construct ${c.node.path})`, loaded));
    }
  }
  if (problems.length) throw new SpecError(problems);
}

/** One chart's objects as rendered, in apply order, with the construct path of each. */
export interface RenderedChart {
  readonly name: string;
  readonly objects: readonly Manifest[];
  readonly paths: readonly string[];
}

/**
 * Renders the given charts of a composed environment to plain objects in apply order (objects
 * that tie keep construct order). `onRendered` gets each chart as soon as it is done.
 */
export function renderCharts(platform: PlatformEnvironment, charts: readonly ManifestChart[], onRendered?: (chart: RenderedChart) => void): RenderedChart[] {
  return withFastApiObjectJson(platform.app, (renderObject) => charts.map((chart) => {
    const apiObjects = chart.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject);
    const json = apiObjects.map((o) => renderObject(o) as Manifest);
    const order = json.map((_, i) => i).sort((a, b) => compareManifests(json[a], json[b]) || a - b);
    const rendered: RenderedChart = { name: chart.fileName, objects: order.map((i) => json[i]), paths: order.map((i) => apiObjects[i].node.path) };
    onRendered?.(rendered);
    return rendered;
  }));
}

/**
 * Finishes an environment from its rendered charts: two objects with the same kind, namespace
 * and name are an error; files and the objects in them are put in apply order; the Kustomization and the extra writers' files are added.
 */
function assembleEnvironment(platform: PlatformEnvironment, charts: readonly RenderedChart[], extraWriters: readonly ExtraWriter[], loaded?: LoadedPlatform): SynthesizedEnvironment {
  const problems: SpecProblem[] = [];
  const owners = new Map<string, string>();
  for (const chart of charts) {
    chart.objects.forEach((json, i) => {
      const key = `${json.apiVersion.split('/').slice(0, -1).join('/')}/${json.kind}/${json.metadata.namespace ?? ''}/${json.metadata.name}`;
      const other = owners.get(key);
      if (other) {
        problems.push(problemAt(chartSpecPath(platform, chart.name),
          `two objects share kind ${json.kind}, namespace "${json.metadata.namespace ?? ''}" and name "${json.metadata.name}" (${other} and ${chart.paths[i]}); rename one of them`, loaded));
      } else {
        owners.set(key, chart.paths[i]);
      }
    });
  }
  // Pod Security "restricted" and pinned images, for every pod whoever created it: custom
  // constructs added in TypeScript get the same checks as the spec's services.
  for (const chart of charts) {
    chart.objects.forEach((json, i) => {
      for (const p of objectPodProblems(json as unknown as Record<string, unknown>)) {
        problems.push(problemAt(chartSpecPath(platform, chart.name), `${json.kind} ${json.metadata.name}: ${p.field}: ${p.message} (construct ${chart.paths[i]})`, loaded));
      }
    });
  }
  if (problems.length) throw new SpecError(problems);
  const files = charts.filter((c) => c.objects.length > 0).map((c) => ({ name: c.name, objects: c.objects }))
    .sort((a, b) => compareText(a.name, b.name));
  // The Kustomization lists the manifests only: reports beside them are not objects.
  const extras = [{ name: KUSTOMIZATION_FILE, text: kustomizationText(files) }, ...extraWriters.flatMap((w) => w(platform, files))];
  return { name: platform.spec.name, files, extras, platform };
}

function problemAt(sp: string[], message: string, loaded?: LoadedPlatform): SpecProblem {
  const problem = { file: loaded?.file ?? 'platform.yaml', line: loaded?.lineOf(sp) ?? 0, path: sp.join('.'), message };
  return loaded?.inCode ? { ...problem, inCode: true } : problem;
}

/** The spec path of a construct: its service's when it is in a service's chart, else the platform's. */
function specPathOf(platform: PlatformEnvironment, construct: IConstruct): string[] {
  const name = [...platform.services].find(([, stack]) => construct.node.scopes.includes(stack.chart))?.[0];
  return name === undefined ? ['platform'] : ['services', name];
}

/** The spec path of a rendered chart (by its file name): its service's, else the platform's. */
function chartSpecPath(platform: PlatformEnvironment, fileName: string): string[] {
  const name = [...platform.services].find(([, stack]) => stack.chart.fileName === fileName)?.[0];
  return name === undefined ? ['platform'] : ['services', name];
}

/** Renders a file as multi-document YAML. */
export function renderFile(file: ManifestFile): string {
  return renderObjects(file.objects);
}

/** Objects as multi-document YAML, in the order given. */
export function renderObjects(objects: readonly Manifest[]): string {
  return objects.map((o) => emitYaml(o)).join('---\n');
}

/** Synthesizes the chosen environments (all by default); throws SpecError before writing anything. */
export function synthPlatform(loaded: LoadedPlatform, only?: readonly string[], options: SynthOptions = {}): SynthesizedEnvironment[] {
  const known = loaded.environments.map((e) => e.name);
  const unknown = (only ?? []).filter((e) => !known.includes(e));
  if (unknown.length) {
    throw new SpecError(unknown.map((e) => problemAt(['environments'], `no environment "${e}"; environments: ${known.join(', ')}`, loaded)));
  }
  const chosen = loaded.environments.filter((e) => !only?.length || only.includes(e.name));
  const results: SynthesizedEnvironment[] = [];
  const problems: SpecProblem[] = [];
  for (const env of chosen) {
    try {
      results.push(synthEnvironment(env, loaded, options));
    } catch (e) {
      if (e instanceof SpecError) problems.push(...e.problems);
      else throw e;
    }
  }
  if (problems.length) throw new SpecError(problems);
  return results;
}

/**
 * Writes each environment to <outDir>/<env>/ atomically: the new directory is complete
 * before it replaces the old one, so a failure never leaves a half-written output. The Argo CD
 * and Flux objects of the environments that set `platform.gitops` replace <outDir>/gitops/
 * (unless `gitops: false`: pass it when `envs` is not every environment).
 */
export function writeEnvironments(outDir: string, envs: readonly SynthesizedEnvironment[], options: { readonly gitops?: boolean } = {}): void {
  const staged = new StagedOutput(outDir);
  const gitops = (options.gitops ?? true) ? gitopsFiles(envs) : [];
  try {
    for (const env of envs) {
      for (const f of env.files) staged.writeOrThrow(env.name, f.name, renderFile(f));
      for (const x of env.extras) staged.writeOrThrow(env.name, x.name, x.text);
    }
    for (const f of gitops) staged.writeOrThrow(GITOPS_DIR, f.name, renderFile(f));
  } catch (e) {
    staged.abort();
    throw e;
  }
  staged.commit([...envs.map((e) => e.name), ...(gitops.length ? [GITOPS_DIR] : [])]);
}
