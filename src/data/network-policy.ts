/**
 * The NetworkPolicy of one data store: its pods accept connections only from the pods it
 * admits, on the ports it names. With no admitted pods it accepts nothing.
 */
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { nonEmpty } from '../render/server-form';

/** Props of a DataStoreNetworkPolicy: the store's pods, its client ports and its peer ports. */
export interface DataStoreNetworkPolicyProps {
  /** Policy name, the store's name. */
  readonly name: string;
  /** Labels of the policy object. */
  readonly labels: Record<string, string>;
  /** Labels that select the store's pods. */
  readonly storeSelector: Record<string, string>;
  /** Ports clients may connect to. */
  readonly clientPorts: readonly number[];
  /**
   * Ports the store's own pods use among themselves (clustering), admitted from the store's pods only.
   * @default [] (no peer traffic)
   */
  readonly peerPorts?: readonly number[];
}

/** Ingress isolation of a data store. */
export class DataStoreNetworkPolicy extends Construct {
  /** The NetworkPolicy object. */
  public readonly policy: k8s.KubeNetworkPolicy;
  private readonly ingress: k8s.NetworkPolicyIngressRule[];
  private readonly clientPorts: k8s.NetworkPolicyPort[];
  private readonly clients: k8s.NetworkPolicyPeer[] = [];
  private readonly spec: { -readonly [K in keyof k8s.NetworkPolicySpec]: k8s.NetworkPolicySpec[K] };

  constructor(scope: Construct, id: string, props: DataStoreNetworkPolicyProps) {
    super(scope, id);
    if (props.clientPorts.length === 0) throw new Error(`DataStoreNetworkPolicy ${props.name}: clientPorts must name at least one port`);
    const peers = props.peerPorts ?? [];
    this.clientPorts = tcp(props.clientPorts);
    this.ingress = peers.length > 0 ? [{ from: [{ podSelector: { matchLabels: { ...props.storeSelector } } }], ports: tcp(peers) }] : [];
    // Rendered at synth time, after admit() has added the clients. Without any rule the list is
    // left out (the server drops an empty one); policyTypes Ingress then admits nothing.
    this.spec = { podSelector: { matchLabels: { ...props.storeSelector } }, policyTypes: ['Ingress'], ingress: nonEmpty(this.ingress) };
    this.policy = new k8s.KubeNetworkPolicy(this, 'Policy', {
      metadata: { name: props.name, labels: { ...props.labels } },
      // No rule for a port means no connection to it: the policy only ever allows.
      spec: this.spec,
    });
  }

  /** Admits the pods with these labels (a service's selector) to the client ports. */
  public admit(podSelector: Readonly<Record<string, string>>): void {
    // The objects are rendered at synth time, so the one client rule can grow until then.
    if (this.clients.length === 0) {
      this.ingress.unshift({ from: this.clients, ports: this.clientPorts });
      this.spec.ingress = this.ingress;
    }
    this.clients.push({ podSelector: { matchLabels: { ...podSelector } } });
  }
}

function tcp(ports: readonly number[]): k8s.NetworkPolicyPort[] {
  return ports.map((port) => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) }));
}
