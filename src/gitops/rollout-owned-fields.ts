/**
 * The fields Argo Rollouts changes on objects it did not create, found in an environment's
 * Rollouts: the route weights of the VirtualServices a canary reweights, and the selectors of the
 * Services it points at one ReplicaSet (canary and stable; blue-green active and preview). Argo CD
 * must not count them as drift nor undo them (Argo Rollouts, "Integrating with GitOps").
 */
import { compareText } from '../compare-text';
import type { Manifest } from '../manifest';

/** One Argo CD `ignoreDifferences` entry (the fields of ResourceIgnoreDifferences used here). */
export interface IgnoreRule {
  /** API group of the object ("" for the core group). */
  readonly group: string;
  /** Kind of the object. */
  readonly kind: string;
  /** Name of the object. */
  readonly name: string;
  /** Namespace of the object. */
  readonly namespace: string;
  /** JSON pointers of the ignored fields. @default none */
  readonly jsonPointers?: readonly string[];
  /** jq paths of the ignored fields (list entries picked by value). @default none */
  readonly jqPathExpressions?: readonly string[];
}

/** The label Argo Rollouts adds to a Service's selector to pin it to one ReplicaSet. */
export const POD_TEMPLATE_HASH = 'rollouts-pod-template-hash';

interface RolloutStrategy {
  readonly canary?: {
    readonly canaryService?: string;
    readonly stableService?: string;
    readonly trafficRouting?: { readonly istio?: { readonly virtualService?: IstioVirtualService; readonly virtualServices?: readonly IstioVirtualService[] } };
  };
  readonly blueGreen?: { readonly activeService?: string; readonly previewService?: string };
}
interface IstioVirtualService {
  readonly name: string;
  readonly routes?: readonly string[];
}

/** Ignore rules for every field the environment's Rollouts own, in a stable order without duplicates. */
export function rolloutOwnedFields(objects: readonly Manifest[]): IgnoreRule[] {
  const rules = new Map<string, IgnoreRule>();
  const add = (rule: IgnoreRule) => {
    const key = `${rule.kind}/${rule.namespace}/${rule.name}`;
    const before = rules.get(key);
    rules.set(key, before ? merge(before, rule) : rule);
  };
  for (const o of objects) {
    if (o.kind !== 'Rollout' || !o.apiVersion.startsWith('argoproj.io/')) continue;
    const namespace = o.metadata.namespace ?? '';
    const strategy = ((o.spec as { strategy?: RolloutStrategy } | undefined)?.strategy) ?? {};
    const services = [strategy.canary?.canaryService, strategy.canary?.stableService, strategy.blueGreen?.activeService, strategy.blueGreen?.previewService];
    for (const name of services) {
      if (name) add({ group: '', kind: 'Service', name, namespace, jsonPointers: [`/spec/selector/${POD_TEMPLATE_HASH}`] });
    }
    const istio = strategy.canary?.trafficRouting?.istio;
    for (const vs of [...(istio?.virtualService ? [istio.virtualService] : []), ...(istio?.virtualServices ?? [])]) {
      // "name.namespace" names a VirtualService in another namespace (Argo Rollouts' convention).
      const [name, otherNamespace] = vs.name.split(/\.(.*)/s, 2);
      add({
        group: 'networking.istio.io',
        kind: 'VirtualService',
        name,
        namespace: otherNamespace || namespace,
        // Only the named routes are reweighted; routes of other services keep being compared.
        jqPathExpressions: (vs.routes ?? []).map((route) => `.spec.http[] | select(.name == ${JSON.stringify(route)}) | .route[].weight`),
      });
    }
  }
  return [...rules.values()].sort((a, b) => compareText(order(a), order(b)));
}

function merge(a: IgnoreRule, b: IgnoreRule): IgnoreRule {
  const union = (x?: readonly string[], y?: readonly string[]) => {
    const all = [...new Set([...(x ?? []), ...(y ?? [])])];
    return all.length ? all : undefined;
  };
  return { ...a, jsonPointers: union(a.jsonPointers, b.jsonPointers), jqPathExpressions: union(a.jqPathExpressions, b.jqPathExpressions) };
}

function order(r: IgnoreRule): string {
  return `${r.group}\u0000${r.kind}\u0000${r.namespace}\u0000${r.name}`;
}
