/**
 * A StatefulSet whose volume claim templates are written the way the API server stores them.
 *
 * The server stores each claim template with apiVersion, kind, a null metadata.creationTimestamp,
 * the default spec.volumeMode and status.phase Pending. `kubectl apply` (client-side) replaces the
 * volumeClaimTemplates list as a whole whenever it differs from the stored one, since the list has
 * no merge key: without those fields every apply reports the StatefulSet "configured" (checked on
 * kube-apiserver 1.27.16; all five fields are needed). The generated props type has no place for
 * them, and the generated mapper drops JSON patches that add them, so they are added after it.
 */
import { k8s } from 'cdk8s-plus-27';

/** Fields the server adds to every claim template, in the form it returns them. */
const STORED_CLAIM_FIELDS = { apiVersion: 'v1', kind: 'PersistentVolumeClaim' } as const;

export class StoreStatefulSet extends k8s.KubeStatefulSet {
  /** The rendered object, claim templates in stored form (the base class declares `any`). */
  public override toJson(): Record<string, unknown> {
    type Part = Record<string, unknown> | undefined;
    const json = super.toJson() as { spec?: { volumeClaimTemplates?: Array<Record<string, unknown> & { metadata?: Part; spec?: Part; status?: Part }> } };
    const templates = json.spec?.volumeClaimTemplates;
    if (!json.spec || !templates) return json;
    json.spec.volumeClaimTemplates = templates.map((t) => ({
      ...STORED_CLAIM_FIELDS,
      ...t,
      metadata: { creationTimestamp: null, ...t.metadata },
      spec: { ...t.spec, volumeMode: t.spec?.volumeMode ?? 'Filesystem' },
      status: { phase: 'Pending', ...t.status },
    }));
    return json;
  }
}
