/**
 * Flux objects for one environment: a GitRepository for the rendered manifests and a
 * Kustomization that applies `<gitops.path>/<env>` from it.
 */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { GitOpsSettings } from '../spec/schema';

/** Props of a FluxEnvironment: the environment and its GitOps settings. */
export interface FluxEnvironmentProps {
  /** Environment name, e.g. "prod"; the output is read from `<gitops.path>/<environment>`. */
  readonly environment: string;
  /** Name of the GitRepository and the Kustomization, e.g. "shop-prod". */
  readonly name: string;
  /** The environment's gitops settings. */
  readonly settings: GitOpsSettings;
}

/** One environment's GitRepository and Kustomization. */
export class FluxEnvironment extends Construct {
  /** The GitRepository (one per environment, so each can follow its own branch). */
  public readonly source: ApiObject;
  /** The Kustomization. */
  public readonly kustomization: ApiObject;

  constructor(scope: Construct, id: string, props: FluxEnvironmentProps) {
    super(scope, id);
    const { settings } = props;
    const namespace = settings.flux.namespace;
    this.source = new ApiObject(this, 'GitRepository', {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'GitRepository',
      metadata: { name: props.name, namespace },
      spec: { url: settings.repoURL, ref: { branch: settings.targetRevision }, interval: settings.flux.interval },
    });
    this.kustomization = new ApiObject(this, 'Kustomization', {
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: { name: props.name, namespace },
      spec: {
        sourceRef: { kind: 'GitRepository', name: props.name },
        path: `./${settings.path}/${props.environment}`,
        interval: settings.flux.interval,
        prune: true,
        // No targetNamespace on purpose: it would move the gateway's RequestAuthentication,
        // AuthorizationPolicy, EnvoyFilter and Telemetry out of the gateway namespace, where
        // Istio only reads them. Every object already names its namespace.
        timeout: '5m',
      },
    });
  }
}
