/**
 * The plain-data shapes of synthesized output: objects, files and environments, and the API group
 * of an object. Types and a pure function only, so synthesis, GitOps, diff and reports share them
 * without importing each other.
 */
import type { PlatformEnvironment } from './platform/environment';

/** A Kubernetes object as plain data. */
export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly [k: string]: unknown };
  readonly [k: string]: unknown;
}

/** The API group of an apiVersion: "apps" for apps/v1, "" for the core v1. */
export function apiGroup(apiVersion: string): string {
  const slash = apiVersion.lastIndexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
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
