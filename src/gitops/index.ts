/**
 * GitOps output: the Kustomization file of each dist/<env>/ and the Argo CD and Flux constructs
 * that deploy an environment's directory from Git. Which environments get them (the spec's
 * `gitops` section, written to dist/gitops/) is mapped in src/platform/gitops.ts.
 */
export { KUSTOMIZATION_FILE, kustomizationText } from './kustomization';
export { buildKustomization } from './read-kustomization';
export { rolloutOwnedFields, type IgnoreRule, POD_TEMPLATE_HASH } from './rollout-owned-fields';
export { ArgoCdEnvironment, type ArgoCdEnvironmentProps, SYNC_WAVE } from './argocd-environment';
export { FluxEnvironment, type FluxEnvironmentProps } from './flux-environment';
export type { GitSource } from './git-source';
export { applicationSync, argoCdSync, jqPaths, type ArgoCdSyncOptions, type ArgoCdSyncStep } from './argocd-sync';

/** The directory under the output directory; no environment may have this name. */
export const GITOPS_DIR = 'gitops';
