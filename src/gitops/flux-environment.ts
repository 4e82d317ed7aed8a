/**
 * Flux objects for one environment: a GitRepository for the rendered manifests and a
 * Kustomization that applies `<gitops.path>/<env>` from it.
 */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { GitSource, resolveGitSource } from './git-source';

/** A Go duration as Flux reads it: 30s, 10m, 1h, 1h30m. */
const FLUX_DURATION = /^(\d+(\.\d+)?(ms|s|m|h))+$/;

/** Props of a FluxEnvironment: the environment, where its output is in Git and how often Flux applies it. */
export interface FluxEnvironmentProps extends GitSource {
  /** Environment name, e.g. "prod"; the Kustomization applies `<path>/<environment>` of the repository. */
  readonly environment: string;
  /** Name of the GitRepository and the Kustomization, e.g. "shop-prod". */
  readonly name: string;
  /**
   * Namespace Flux runs in; the GitRepository and Kustomization live there.
   * @default "flux-system"
   */
  readonly fluxNamespace?: string;
  /**
   * How often Flux checks the repository and re-applies the environment (a Go duration).
   * @default "10m"
   */
  readonly interval?: string;
}

/** One environment's GitRepository and Kustomization. */
export class FluxEnvironment extends Construct {
  /** The GitRepository (one per environment, so each can follow its own branch). */
  public readonly source: ApiObject;
  /** The Kustomization. */
  public readonly kustomization: ApiObject;

  constructor(scope: Construct, id: string, props: FluxEnvironmentProps) {
    super(scope, id);
    const source = resolveGitSource(`FluxEnvironment ${props.name}`, props);
    const namespace = props.fluxNamespace ?? 'flux-system';
    const interval = props.interval ?? '10m';
    if (!FLUX_DURATION.test(interval)) throw new Error(`FluxEnvironment ${props.name}: interval "${interval}" must be a duration such as 30s, 10m or 1h`);
    this.source = new ApiObject(this, 'GitRepository', {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'GitRepository',
      metadata: { name: props.name, namespace },
      spec: { url: source.repoURL, ref: { branch: source.targetRevision }, interval },
    });
    this.kustomization = new ApiObject(this, 'Kustomization', {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: { name: props.name, namespace },
      spec: {
        sourceRef: { kind: 'GitRepository', name: props.name },
        path: `./${source.path}/${props.environment}`,
        interval,
        prune: true,
        // No targetNamespace on purpose: it would move the gateway's RequestAuthentication,
        // AuthorizationPolicy, EnvoyFilter and Telemetry out of the gateway namespace, where
        // Istio only reads them. Every object already names its namespace.
        timeout: '5m',
      },
    });
  }
}
