/**
 * GitOps of the environments, mapped from the spec: for each environment that sets
 * `platform.gitops`, the Argo CD and Flux objects of dist/gitops/ (beside the environments, not
 * inside them, so applying an environment never applies them).
 */
import { App, Chart } from 'cdk8s';
import { ArgoCdEnvironment } from '../gitops/argocd-environment';
import { FluxEnvironment } from '../gitops/flux-environment';
import type { Manifest, ManifestFile, SynthesizedEnvironment } from '../manifest';

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
    const source = { repoURL: settings.repoURL, path: settings.path, targetRevision: settings.targetRevision };
    const app = new App({ outdir: '.unused' });
    const argoChart = new Chart(app, `${env.name}-argocd`, { disableResourceNameHashes: true });
    new ArgoCdEnvironment(argoChart, 'ArgoCd', {
      ...source,
      environment: env.name,
      name,
      namespace: spec.namespace,
      objects: env.files.flatMap((f) => f.objects),
      argoCdNamespace: settings.argocd.namespace,
      server: settings.argocd.server,
      automated: settings.argocd.automated,
      respectIgnoreDifferences: settings.argocd.respectIgnoreDifferences,
    });
    const fluxChart = new Chart(app, `${env.name}-flux`, { disableResourceNameHashes: true });
    new FluxEnvironment(fluxChart, 'Flux', {
      ...source, environment: env.name, name, fluxNamespace: settings.flux.namespace, interval: settings.flux.interval,
    });
    argo.push({ name: `argocd/${env.name}.yaml`, objects: argoChart.toJson() as Manifest[] });
    flux.push({ name: `flux/${env.name}.yaml`, objects: fluxChart.toJson() as Manifest[] });
  }
  return [...argo, ...flux];
}
