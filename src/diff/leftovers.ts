/**
 * What `kubectl apply -f dist/<env>/` leaves of an object the new output no longer has: it creates
 * and updates, and deletes nothing (without --prune). The plan says what such an object keeps
 * doing on the cluster and how to remove it; Argo CD and Flux, as dist/gitops/ configures them,
 * prune it themselves (the Application prunes last, once the rest is healthy).
 */
import { apiGroup, Manifest } from '../manifest';
import { kubectlResource, namespaceFlag } from './identity';
import type { RefusedUpdate } from './immutable';

/** The new output's object of this API group, kind, namespace and name, if it has one. */
export type Wanted = (group: string, kind: string, namespace: string | undefined, name: string) => Manifest | undefined;

/** Whether a Rollout (as written) runs blue-green: Argo Rollouts then pins the main (active) Service to one ReplicaSet. */
const isBlueGreen = (rollout: Manifest) => !!(rollout as { spec?: { strategy?: { blueGreen?: unknown } } }).spec?.strategy?.blueGreen;

const SOURCE = 'kubectl apply without --prune; Argo CD and Flux, as dist/gitops/ configures them, prune it';

/** What `kubectl apply -f` keeps of `current`, gone from the new output, and how to remove it. */
export function leftoverOf(current: Manifest, wanted: Wanted): RefusedUpdate {
  const { name, namespace } = current.metadata;
  const group = apiGroup(current.apiVersion);
  const remove = `kubectl delete ${kubectlResource(current)} ${name}${namespaceFlag(current)}`;
  if (group === 'argoproj.io' && current.kind === 'Rollout' && wanted('apps', 'Deployment', namespace, name)) {
    const blueGreen = isBlueGreen(current);
    return {
      fields: [],
      // Blue-green: the controller pinned the active Service (the main one) to its ReplicaSet.
      // Canary: it pinned only the stable and canary Services; the main one selects both versions.
      why: blueGreen
        ? `the Rollout keeps running the old version, and Argo Rollouts keeps Service ${name} selecting only the Rollout's pods (rollouts-pod-template-hash), so the new Deployment gets no traffic`
        : `the Rollout keeps running the old version beside the new Deployment, and Service ${name}, where the mesh now routes, selects the pods of both: requests reach both versions`,
      source: blueGreen ? `${SOURCE}; argo-rollouts v1.7.2 takes its pod-template hash out of the Service's selector when the Rollout is deleted` : SOURCE,
      how: [
        'apply, then wait for the Deployment:',
        `  kubectl rollout status deployment.apps/${name}${namespaceFlag(current)}`,
        `then: ${remove}   # ${blueGreen ? 'the Service selects the Deployment\'s pods again; ' : ''}the Rollout's pods go`,
      ],
    };
  }
  const rollout = group === 'apps' && current.kind === 'Deployment' ? wanted('argoproj.io', 'Rollout', namespace, name) : undefined;
  if (rollout) {
    return {
      fields: [],
      why: isBlueGreen(rollout)
        ? `its pods keep running the old version beside the Rollout's, selected by Service ${name} (which sends requests to both until Argo Rollouts pins it to a Healthy Rollout's pods), and keep using the service's queues and database`
        : `its pods keep running the old version beside the Rollout's: the mesh routes to the Rollout's stable and canary Services, but Service ${name} still selects them, and they keep using the service's queues and database`,
      source: SOURCE,
      how: [
        'apply, then wait until the Rollout is Healthy:',
        `  kubectl argo rollouts status ${name}${namespaceFlag(current)}`,
        `then: ${remove}`,
      ],
    };
  }
  if (group === 'autoscaling' && current.kind === 'HorizontalPodAutoscaler' && scalesWantedWorkload(current, wanted)) {
    return {
      fields: [],
      why: 'it keeps scaling its workload within its old bounds, so the replicas the spec now sets last only until its next sync',
      source: SOURCE,
      how: [`before the apply: ${remove}`, 'then apply'],
    };
  }
  return {
    fields: [],
    why: current.kind === 'Namespace'
      ? 'it stays on the cluster, and everything in it'
      : 'it stays on the cluster as it is',
    source: SOURCE,
    how: [`after the apply: ${remove}`, 'or apply with --prune (docs/day2-operations.md#removing-a-service)'],
  };
}

/** Whether the workload an autoscaler scales is still in the new output (else the autoscaler is only left over). */
function scalesWantedWorkload(hpa: Manifest, wanted: Wanted): boolean {
  const target = (hpa as { spec?: { scaleTargetRef?: { apiVersion?: string; kind?: string; name?: string } } }).spec?.scaleTargetRef;
  return !!target?.kind && !!target.name && !!wanted(apiGroup(target.apiVersion ?? ''), target.kind, hpa.metadata.namespace, target.name);
}
