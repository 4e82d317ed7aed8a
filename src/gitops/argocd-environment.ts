/**
 * Argo CD objects for one environment: an AppProject that allows exactly what dist/<env>/ holds
 * (its namespaces, its kinds, the one repository) and an Application that deploys dist/<env>/
 * without fighting Argo Rollouts over the fields it owns.
 */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { compareText } from '../compare-text';
import { apiGroup, type Manifest } from '../manifest';
import { GitSource, resolveGitSource } from './git-source';
import { IgnoreRule, rolloutOwnedFields } from './rollout-owned-fields';

/** Props of an ArgoCdEnvironment: the environment, where its output is in Git, the objects it deploys and how Argo CD syncs them. */
export interface ArgoCdEnvironmentProps extends GitSource {
  /** Environment name, e.g. "prod"; the Application deploys `<path>/<environment>` of the repository. */
  readonly environment: string;
  /** Name of the Application and AppProject, e.g. "shop-prod". */
  readonly name: string;
  /** The environment's namespace: the Application's destination namespace. */
  readonly namespace: string;
  /** Every object of dist/<environment>/, which the project must allow and nothing more. */
  readonly objects: readonly Manifest[];
  /**
   * Namespace Argo CD runs in; the Application and AppProject live there.
   * @default "argocd"
   */
  readonly argoCdNamespace?: string;
  /**
   * API server of the cluster the environment is deployed to, as registered in Argo CD.
   * @default "https://kubernetes.default.svc" (the cluster Argo CD runs in)
   */
  readonly server?: string;
  /**
   * Sync on every new commit and undo manual changes (prune and self-heal); false: sync by hand.
   * @default true
   */
  readonly automated?: boolean;
  /**
   * Add RespectIgnoreDifferences=true: Argo CD then keeps the live values of the fields Argo
   * Rollouts owns on every sync (for the reweighted VirtualServices, their whole route list).
   * @default false
   */
  readonly respectIgnoreDifferences?: boolean;
}

/** Argo CD's annotation that orders a sync in waves (lower first). */
export const SYNC_WAVE = 'argocd.argoproj.io/sync-wave';

/** One environment's AppProject and Application. */
export class ArgoCdEnvironment extends Construct {
  /** The AppProject. */
  public readonly project: ApiObject;
  /** The Application. */
  public readonly application: ApiObject;

  constructor(scope: Construct, id: string, props: ArgoCdEnvironmentProps) {
    super(scope, id);
    const { objects } = props;
    if (objects.length === 0) throw new Error(`${props.environment}: an Argo CD project needs the environment's objects`);
    const source = resolveGitSource(`ArgoCdEnvironment ${props.name}`, props);
    const server = props.server ?? 'https://kubernetes.default.svc';
    if (!/^https:\/\//.test(server)) throw new Error(`ArgoCdEnvironment ${props.name}: server "${server}" must be an https:// API server URL`);
    const argoCdNamespace = props.argoCdNamespace ?? 'argocd';
    const namespaces = unique(objects.flatMap((o) => (o.metadata.namespace ? [o.metadata.namespace] : [])));
    if (!namespaces.includes(props.namespace)) namespaces.push(props.namespace);

    this.project = new ApiObject(this, 'AppProject', {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AppProject',
      metadata: {
        name: props.name,
        namespace: argoCdNamespace,
        // Before the Application that names it, when both are synced from Git (app of apps).
        annotations: { [SYNC_WAVE]: '-1' },
      },
      spec: {
        sourceRepos: [source.repoURL],
        // The environment's namespace and the gateway namespace, where the gateway's
        // RequestAuthentication, AuthorizationPolicy, EnvoyFilter and Telemetry must live.
        destinations: [...namespaces].sort(compareText).map((namespace) => ({ server, namespace })),
        clusterResourceWhitelist: groupKinds(objects.filter((o) => !o.metadata.namespace)),
        namespaceResourceWhitelist: groupKinds(objects.filter((o) => o.metadata.namespace)),
      },
    });

    const ignoreDifferences = rolloutOwnedFields(objects).map(toArgoRule);
    this.application = new ApiObject(this, 'Application', {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      // No resources-finalizer: deleting the Application must not delete the environment (and its volumes).
      metadata: { name: props.name, namespace: argoCdNamespace },
      spec: {
        project: props.name,
        source: { repoURL: source.repoURL, targetRevision: source.targetRevision, path: `${source.path}/${props.environment}` },
        destination: { server, namespace: props.namespace },
        ignoreDifferences: ignoreDifferences.length ? ignoreDifferences : undefined,
        syncPolicy: {
          automated: (props.automated ?? true) ? { prune: true, selfHeal: true } : undefined,
          syncOptions: [
            // Argo Rollouts' advice: a sync leaves alone what is Synced once its fields are ignored,
            // so a sync during a canary does not put the route weights back.
            'ApplyOutOfSyncOnly=true',
            // Objects removed from the spec go only after everything else is applied and healthy.
            'PruneLast=true',
            ...((props.respectIgnoreDifferences ?? false) ? ['RespectIgnoreDifferences=true'] : []),
          ],
        },
      },
    });
  }
}

/** Argo CD's form of a rule: the core group is "", lists only when they have entries. */
function toArgoRule(rule: IgnoreRule): Record<string, unknown> {
  return {
    group: rule.group,
    kind: rule.kind,
    name: rule.name,
    namespace: rule.namespace,
    jsonPointers: rule.jsonPointers?.length ? [...rule.jsonPointers] : undefined,
    jqPathExpressions: rule.jqPathExpressions?.length ? [...rule.jqPathExpressions] : undefined,
  };
}

/** The distinct API groups and kinds of the objects, sorted. */
function groupKinds(objects: readonly Manifest[]): Array<{ group: string; kind: string }> {
  const seen = new Map<string, { group: string; kind: string }>();
  for (const o of objects) {
    const group = apiGroup(o.apiVersion);
    seen.set(`${group}/${o.kind}`, { group, kind: o.kind });
  }
  return [...seen.values()].sort((a, b) => compareText(a.group, b.group) || compareText(a.kind, b.kind));
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
