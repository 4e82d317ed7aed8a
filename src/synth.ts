/**
 * Synthesis users can trust: every environment is built and checked in memory first;
 * only then is each dist/<env>/ replaced whole (write to a temporary directory, rename).
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, ApiObject } from 'cdk8s';
import { PlatformEnvironment } from './platform';
import { SpecError, SpecProblem } from './spec/errors';
import { LoadedPlatform } from './spec/load';
import { emitYaml } from './yaml-emit';
import { EnvironmentSpec } from './spec/schema';

/** A Kubernetes object as plain data. */
export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly [k: string]: unknown };
  readonly [k: string]: unknown;
}

/** One output file. */
export interface ManifestFile {
  /** File name inside dist/<env>/. */
  readonly name: string;
  /** Objects in apply order. */
  readonly objects: readonly Manifest[];
}

/** One synthesized environment. */
export interface SynthesizedEnvironment {
  readonly name: string;
  readonly files: readonly ManifestFile[];
  /** Extra non-manifest files (reports) written beside the manifests. */
  readonly extras: ReadonlyArray<{ readonly name: string; readonly text: string }>;
  /** The composed constructs, for reports and tests. */
  readonly platform: PlatformEnvironment;
}

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

/** Orders objects: by kind rank, then kind, then name. */
export function sortManifests(objects: readonly Manifest[]): Manifest[] {
  return [...objects].sort((a, b) =>
    kindRank(a.kind) - kindRank(b.kind) || a.kind.localeCompare(b.kind) || a.metadata.name.localeCompare(b.metadata.name));
}

/** Hooks that add files beside the manifests (reports); registered by other modules. */
export type ExtraWriter = (env: PlatformEnvironment, files: readonly ManifestFile[]) => Array<{ name: string; text: string }>;
const extraWriters: ExtraWriter[] = [];

/** Registers a writer of extra files (used by reports). */
export function registerExtraWriter(writer: ExtraWriter): void {
  extraWriters.push(writer);
}

/** Composes one environment's constructs (nothing rendered yet). */
export function composeEnvironment(spec: EnvironmentSpec): PlatformEnvironment {
  // The App is only a root for the charts; synth() is never called, nothing touches the disk.
  return new PlatformEnvironment(new App({ outdir: path.join(spec.baseDir, '.unused') }), spec);
}

/** Builds one environment in memory, runs construct validations and the duplicate check. */
export function synthEnvironment(spec: EnvironmentSpec, loaded?: LoadedPlatform): SynthesizedEnvironment {
  return renderEnvironment(composeEnvironment(spec), loaded);
}

/** Renders composed constructs: validations, duplicate check, ordering; throws SpecError. */
export function renderEnvironment(platform: PlatformEnvironment, loaded?: LoadedPlatform): SynthesizedEnvironment {
  const spec = platform.spec;
  const app = platform.node.scope as App;
  const problems: SpecProblem[] = [];
  const file = loaded?.file ?? 'platform.yaml';

  for (const c of app.node.findAll()) {
    for (const message of c.node.validate()) {
      problems.push({ file, line: loaded?.lineOf(specPathOf(c.node.path)) ?? 0, path: specPathOf(c.node.path).join('.'), message: `${message} (construct ${c.node.path})` });
    }
  }
  if (problems.length) throw new SpecError(problems);

  const owners = new Map<string, string>();
  const files: ManifestFile[] = platform.charts.map((chart) => {
    const objects = chart.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject).map((o) => {
      const json = o.toJson() as Manifest;
      const key = `${json.apiVersion.split('/').slice(0, -1).join('/')}/${json.kind}/${json.metadata.namespace ?? ''}/${json.metadata.name}`;
      const other = owners.get(key);
      if (other) {
        const sp = specPathOf(o.node.path);
        problems.push({
          file,
          line: loaded?.lineOf(sp) ?? 0,
          path: sp.join('.'),
          message: `two objects share kind ${json.kind}, namespace "${json.metadata.namespace ?? ''}" and name "${json.metadata.name}" (${other} and ${o.node.path}); rename one of them`,
        });
      } else {
        owners.set(key, o.node.path);
      }
      return json;
    });
    return { name: chart.fileName, objects: sortManifests(objects) };
  }).filter((f) => f.objects.length > 0).sort((a, b) => a.name.localeCompare(b.name));
  if (problems.length) throw new SpecError(problems);

  const extras = extraWriters.flatMap((w) => w(platform, files));
  return { name: spec.name, files, extras, platform };
}

/** Maps a construct path such as "prod-service-user-service/user-service/Service" to a spec path. */
function specPathOf(constructPath: string): string[] {
  const m = /^[^/]+-service-([^/]+)\//.exec(constructPath);
  return m ? ['services', m[1]] : ['platform'];
}

/** Renders a file as multi-document YAML. */
export function renderFile(file: ManifestFile): string {
  return file.objects.map((o) => emitYaml(o)).join('---\n');
}

/** Synthesizes the chosen environments (all by default); throws SpecError before writing anything. */
export function synthPlatform(loaded: LoadedPlatform, only?: readonly string[]): SynthesizedEnvironment[] {
  const known = loaded.environments.map((e) => e.name);
  const unknown = (only ?? []).filter((e) => !known.includes(e));
  if (unknown.length) {
    throw new SpecError(unknown.map((e) => ({ file: loaded.file, line: loaded.lineOf(['environments']), path: 'environments', message: `no environment "${e}"; environments: ${known.join(', ')}` })));
  }
  const chosen = loaded.environments.filter((e) => !only?.length || only.includes(e.name));
  const results: SynthesizedEnvironment[] = [];
  const problems: SpecProblem[] = [];
  for (const env of chosen) {
    try {
      results.push(synthEnvironment(env, loaded));
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
 * before it replaces the old one, so a failure never leaves a half-written output.
 */
export function writeEnvironments(outDir: string, envs: readonly SynthesizedEnvironment[]): void {
  fs.mkdirSync(outDir, { recursive: true });
  const staged: Array<{ tmp: string; final: string }> = [];
  try {
    for (const env of envs) {
      const tmp = fs.mkdtempSync(path.join(outDir, `.${env.name}.tmp-`));
      staged.push({ tmp, final: path.join(outDir, env.name) });
      for (const f of env.files) fs.writeFileSync(path.join(tmp, f.name), renderFile(f));
      for (const x of env.extras) {
        fs.mkdirSync(path.dirname(path.join(tmp, x.name)), { recursive: true });
        fs.writeFileSync(path.join(tmp, x.name), x.text);
      }
    }
  } catch (e) {
    staged.forEach((s) => fs.rmSync(s.tmp, { recursive: true, force: true }));
    throw e;
  }
  for (const { tmp, final } of staged) {
    const old = `${tmp}.old`;
    if (fs.existsSync(final)) fs.renameSync(final, old);
    fs.renameSync(tmp, final);
    fs.rmSync(old, { recursive: true, force: true });
  }
}
