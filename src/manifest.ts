/**
 * The plain-data shapes of synthesized output: objects, files and environments. A module of
 * types only, so synthesis, GitOps, diff and reports share them without importing each other.
 */
import type { PlatformEnvironment } from './platform/environment';

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
