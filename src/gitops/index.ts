/**
 * GitOps output: the Kustomization file of each dist/<env>/ and, when the spec has a `gitops`
 * section, the Argo CD and Flux objects in dist/gitops/ (beside the environments, not inside
 * them, so applying an environment never applies them).
 */
import { App, Chart } from 'cdk8s';
import type { Manifest, ManifestFile, SynthesizedEnvironment } from '../synth';
import { ArgoCdEnvironment } from './argocd-environment';
import { FluxEnvironment } from './flux-environment';

export { KUSTOMIZATION_FILE, kustomizationText } from './kustomization';
export { buildKustomization } from './read-kustomization';
export { rolloutOwnedFields, type IgnoreRule, POD_TEMPLATE_HASH } from './rollout-owned-fields';
export { ArgoCdEnvironment, type ArgoCdEnvironmentProps, SYNC_WAVE } from './argocd-environment';
export { FluxEnvironment, type FluxEnvironmentProps } from './flux-environment';
export { applicationSync, argoCdSync, jqPaths, objectIdentity, type ArgoCdSyncOptions, type ArgoCdSyncStep } from './argocd-sync';

/** The directory under the output directory; no environment may have this name. */
export const GITOPS_DIR = 'gitops';

/**
 * The files of dist/gitops/ for the environments that set `platform.gitops`: argocd/<env>.yaml
 * (AppProject, Application) and flux/<env>.yaml (GitRepository, Kustomization). Empty when none does.
 */
export function gitopsFiles(envs: readonly SynthesizedEnvironment[]): ManifestFile[] {
  const argo: ManifestFile[] = [];
  const flux: ManifestFile[] = [];
  for (const env of envs) {
    const { spec } = env.platform;
    const settings = spec.platform.gitops;
    if (!settings) continue;
    const name = `${spec.platform.name}-${env.name}`;
    const app = new App({ outdir: '.unused' });
    const argoChart = new Chart(app, `${env.name}-argocd`, { disableResourceNameHashes: true });
    new ArgoCdEnvironment(argoChart, 'ArgoCd', {
      environment: env.name, name, namespace: spec.namespace, settings, objects: env.files.flatMap((f) => f.objects),
    });
    const fluxChart = new Chart(app, `${env.name}-flux`, { disableResourceNameHashes: true });
    new FluxEnvironment(fluxChart, 'Flux', { environment: env.name, name, settings });
    argo.push({ name: `argocd/${env.name}.yaml`, objects: argoChart.toJson() as Manifest[] });
    flux.push({ name: `flux/${env.name}.yaml`, objects: fluxChart.toJson() as Manifest[] });
  }
  return [...argo, ...flux];
}
