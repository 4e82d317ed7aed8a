/** How the plan tells objects apart: API group, kind, namespace and name (never the version). */
import { apiGroup } from '../manifest';
import { kindRank, Manifest, SynthesizedEnvironment } from '../synth';
import { compareText } from '../compare-text';

/** An object and the file it comes from. */
export interface LocatedManifest {
  /** File name inside the output directory, e.g. "30-order-service.yaml". */
  readonly file: string;
  /** The object. */
  readonly object: Manifest;
}

/** The identity of an object: a version change (v1beta1 to v1) updates it, it does not replace it. */
export function objectKey(o: Manifest): string {
  return identityKey(apiGroup(o.apiVersion), o.kind, o.metadata.namespace, o.metadata.name);
}

/** objectKey of the object of this API group, kind, namespace and name. */
export function identityKey(group: string, kind: string, namespace: string | undefined, name: string): string {
  return [group, kind, namespace ?? '', name].join('|');
}

/** kubectl's name of an object's kind: `deployment.apps`, `rollout.argoproj.io`, `service`. */
export function kubectlResource(o: Manifest): string {
  const group = apiGroup(o.apiVersion);
  return `${o.kind.toLowerCase()}${group ? `.${group}` : ''}`;
}

/** kubectl's namespace flag for an object (` -n shop-prod`); nothing for a cluster-scoped one. */
export function namespaceFlag(o: Manifest): string {
  return o.metadata.namespace ? ` -n ${o.metadata.namespace}` : '';
}

/** How an object is named in plans, kubectl style: "Deployment.apps shop-prod/order-service". */
export function objectLabel(o: Manifest): string {
  const group = apiGroup(o.apiVersion);
  const kind = group ? `${o.kind}.${group}` : o.kind;
  return `${kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;
}

/** Apply order: kind rank, kind, group, namespace, name. */
export function compareObjects(a: Manifest, b: Manifest): number {
  return kindRank(a.kind) - kindRank(b.kind)
    || compareText(a.kind, b.kind)
    || compareText(apiGroup(a.apiVersion), apiGroup(b.apiVersion))
    || compareText(a.metadata.namespace ?? '', b.metadata.namespace ?? '')
    || compareText(a.metadata.name, b.metadata.name);
}

/** Every object of a synthesized environment with its file. */
export function locatedManifests(env: SynthesizedEnvironment): LocatedManifest[] {
  return env.files.flatMap((f) => f.objects.map((object) => ({ file: f.name, object })));
}
