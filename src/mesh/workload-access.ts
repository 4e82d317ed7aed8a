/**
 * Least-privilege access to one workload, from one declaration of who may call it: an Istio
 * AuthorizationPolicy (ALLOW) admitting only the callers' mTLS principals, and a NetworkPolicy
 * admitting only the callers' pods on the workload's ports and letting the workload reach
 * only what it declares.
 */
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { AuthorizationPolicy, AuthorizationPolicySpecAction, AuthorizationPolicySpecRules } from '../../imports/istio-security.istio.io';
import { nonEmpty } from '../render/server-form';

/** Pods on the network: some pods of a namespace, or addresses outside the cluster. */
export interface NetworkPeer {
  /** Addresses in CIDR notation; when set, namespace and podLabels are ignored. @default none */
  readonly cidr?: string;
  /** Ranges inside `cidr` that are excluded (the cluster's own addresses). @default none */
  readonly except?: readonly string[];
  /** Their namespace. @default the workload's own namespace */
  readonly namespace?: string;
  /** Their labels. @default every pod of the namespace */
  readonly podLabels?: Readonly<Record<string, string>>;
}

/** A port and protocol on the network. */
export interface NetworkPort {
  /** Port number. */
  readonly port: number;
  /** Protocol. @default "TCP" */
  readonly protocol?: 'TCP' | 'UDP';
}

/** A caller admitted to the workload. */
export interface WorkloadCaller {
  /** mTLS principals of the caller (cluster.local/ns/<ns>/sa/<sa>; "*" wildcards as Istio allows). */
  readonly principals: readonly string[];
  /** Where the caller's pods are. */
  readonly peer: NetworkPeer;
  /** Request paths the caller may use. @default every path */
  readonly paths?: readonly string[];
}

/** Traffic the workload may send. */
export interface WorkloadEgress {
  /** Destinations. */
  readonly to: readonly NetworkPeer[];
  /** Destination ports. */
  readonly ports: readonly NetworkPort[];
}

/** Props of a WorkloadAccess: the workload, its ports, who may call it and what it may reach. */
export interface WorkloadAccessProps {
  /** Name of both policies (usually the workload's name). */
  readonly name: string;
  /** Labels that select the workload's pods. */
  readonly selector: Readonly<Record<string, string>>;
  /** Ports the workload serves. */
  readonly ports: readonly NetworkPort[];
  /** Who may call it; nobody when empty (the ALLOW policy then has no rules and admits nothing). */
  readonly callers: readonly WorkloadCaller[];
  /** What it may reach besides the namespace-wide allowances (DNS, istiod, telemetry). @default [] */
  readonly egress?: readonly WorkloadEgress[];
  /** Labels on both objects. @default {} */
  readonly labels?: Readonly<Record<string, string>>;
}

/** Least-privilege access to one workload: an AuthorizationPolicy and a NetworkPolicy admitting only its callers. */
export class WorkloadAccess extends Construct {
  /** The ALLOW policy admitting the callers' mTLS principals. */
  public readonly authorizationPolicy: AuthorizationPolicy;
  /** The NetworkPolicy admitting the callers' pods and the declared egress. */
  public readonly networkPolicy: k8s.KubeNetworkPolicy;

  constructor(scope: Construct, id: string, props: WorkloadAccessProps) {
    super(scope, id);
    const metadata = { name: props.name, labels: { ...(props.labels ?? {}) } };
    const egress = props.egress ?? [];
    if (props.ports.length === 0 && props.callers.length > 0) {
      throw new Error(`${props.name}: callers given but no ports to admit them on`);
    }

    this.authorizationPolicy = new AuthorizationPolicy(this, 'AuthorizationPolicy', {
      metadata,
      spec: {
        selector: { matchLabels: { ...props.selector } },
        action: AuthorizationPolicySpecAction.ALLOW,
        // No rules (nobody admitted) is written by leaving the field out: an ALLOW policy without rules admits nothing.
        rules: nonEmpty(authorizationRules(props.callers)),
      },
    });

    this.networkPolicy = new k8s.KubeNetworkPolicy(this, 'NetworkPolicy', {
      metadata,
      spec: {
        podSelector: { matchLabels: { ...props.selector } },
        policyTypes: ['Ingress', 'Egress'],
        // policyTypes names both directions, so an absent rule list denies that direction.
        ingress: props.callers.length ? [{ from: props.callers.map((c) => networkPeer(c.peer)), ports: props.ports.map(networkPort) }] : undefined,
        egress: nonEmpty(egress.map((e) => ({ to: e.to.map(networkPeer), ports: e.ports.map(networkPort) }))),
      },
    });
  }
}

/** Callers without path limits share one rule; each path-limited caller gets its own. */
function authorizationRules(callers: readonly WorkloadCaller[]): AuthorizationPolicySpecRules[] {
  const open = [...new Set(callers.filter((c) => !c.paths).flatMap((c) => c.principals))].sort();
  const rules: AuthorizationPolicySpecRules[] = open.length ? [{ from: [{ source: { principals: open } }] }] : [];
  for (const c of callers.filter((x) => x.paths)) {
    rules.push({ from: [{ source: { principals: [...c.principals] } }], to: [{ operation: { paths: [...(c.paths ?? [])] } }] });
  }
  return rules;
}

/** A NetworkPolicy peer; a namespace is matched by its immutable kubernetes.io/metadata.name label. */
export function networkPeer(peer: NetworkPeer): k8s.NetworkPolicyPeer {
  if (peer.cidr) return { ipBlock: { cidr: peer.cidr, except: peer.except?.length ? [...peer.except] : undefined } };
  return {
    namespaceSelector: peer.namespace ? { matchLabels: { 'kubernetes.io/metadata.name': peer.namespace } } : undefined,
    podSelector: podSelector(peer.podLabels ?? {}),
  };
}

/**
 * A label selector for pods; `{}` (every pod) when there are no labels. The API server drops an
 * empty matchLabels map, so writing one would make every apply look like a change.
 */
export function podSelector(labels: Readonly<Record<string, string>>): k8s.LabelSelector {
  return Object.keys(labels).length ? { matchLabels: { ...labels } } : {};
}

/** A NetworkPolicy port. */
export function networkPort(p: NetworkPort): k8s.NetworkPolicyPort {
  return { port: k8s.IntOrString.fromNumber(p.port), protocol: p.protocol ?? 'TCP' };
}
