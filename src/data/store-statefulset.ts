/**
 * A StatefulSet whose volume claim templates state apiVersion, kind and the default volumeMode,
 * as the API server stores them.
 *
 * The server also stores a null metadata.creationTimestamp and status.phase Pending. `kubectl
 * apply` (client-side) replaces the volumeClaimTemplates list whole whenever it differs from the
 * stored one (the list has no merge key), so only all five fields would make kubectl print
 * "unchanged" (checked on kube-apiserver 1.27.16). A null timestamp fails every schema validator
 * (kubeconform, kubernetes-models: Time is a string) and status does not belong in a desired
 * state, so those two are left out: kubectl then prints "configured" for a StatefulSet whose
 * stored object does not change (same resourceVersion, `kubectl diff` empty), as it always does for
 * PodDisruptionBudgets. The three fields still matter beyond kubectl: Argo CD's diff compares the
 * written claim templates with the live ones and shows a StatefulSet whose templates lack them
 * OutOfSync (argoproj/argo-cd#11143, #16707). The generated props type has no place for apiVersion
 * and kind, and the generated mapper drops JSON patches that add them, so they are added after it.
 */
import { k8s } from 'cdk8s-plus-27';
import { ADJUSTS_RENDERED_JSON } from '../render/api-object-json';

/** Fields the server adds to every claim template, in the form it returns them (see above for the two left out). */
const STORED_CLAIM_FIELDS = { apiVersion: 'v1', kind: 'PersistentVolumeClaim' } as const;

type Part = Record<string, unknown> | undefined;
type StatefulSetJson = Record<string, unknown> & { spec?: { volumeClaimTemplates?: Array<Record<string, unknown> & { metadata?: Part; spec?: Part; status?: Part }> } };

/** A rendered StatefulSet with its claim templates in stored form. */
function withStoredClaimTemplates(rendered: Record<string, unknown>): Record<string, unknown> {
  const json = rendered as StatefulSetJson;
  const templates = json.spec?.volumeClaimTemplates;
  if (!json.spec || !templates) return json;
  json.spec.volumeClaimTemplates = templates.map((t) => ({
    ...STORED_CLAIM_FIELDS,
    ...t,
    spec: { ...t.spec, volumeMode: t.spec?.volumeMode ?? 'Filesystem' },
  }));
  return json;
}

export class StoreStatefulSet extends k8s.KubeStatefulSet {
  /** What toJson adds, declared so that the synth's one-pass renderer renders this class too (src/render/api-object-json.ts). */
  public static readonly [ADJUSTS_RENDERED_JSON] = withStoredClaimTemplates;

  /** The rendered object, claim templates in stored form (the base class declares `any`). */
  public override toJson(): Record<string, unknown> {
    return withStoredClaimTemplates(super.toJson() as Record<string, unknown>);
  }
}
