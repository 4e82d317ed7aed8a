/**
 * The kustomization file written into every dist/<env>/, so `kubectl apply -k`, Argo CD and Flux
 * read the directory as it is. It is named `Kustomization` (a name kustomize, Argo CD and Flux all
 * recognize) rather than kustomization.yaml: `kubectl apply -f dist/<env>/` reads every .yaml,
 * .yml and .json file of the directory as Kubernetes objects, and a kustomization.yaml there
 * fails with "no matches for kind Kustomization"; a file without that extension is skipped.
 */
import type { ManifestFile } from '../manifest';
import { emitYaml } from '../yaml-emit';

/** The file name; see the module comment for why it has no .yaml extension. */
export const KUSTOMIZATION_FILE = 'Kustomization';

/**
 * The kustomization listing an environment's manifest files in apply order. `sortOptions: fifo`
 * keeps that order in `kustomize build` (its default re-sorts by kind); nothing is transformed,
 * so the build gives exactly the synthesized objects. No `namespace:` on purpose: it would move
 * the objects that belong in the gateway namespace.
 */
export function kustomizationText(files: readonly ManifestFile[]): string {
  return emitYaml({
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: files.map((f) => f.name),
    sortOptions: { order: 'fifo' },
  });
}
