/**
 * The namespace's network baseline: deny every ingress and egress by default, then allow what
 * every pod needs to be part of the mesh: DNS, the Istio control plane and the Prometheus scrape
 * of the sidecars. Per-workload allowances come from WorkloadAccess; the trace collector adds
 * its own (observability/collector.ts).
 *
 * Kubelet health probes are not blocked: kubelet connects from the node, and node-to-local-pod
 * traffic is not subject to NetworkPolicy on the common CNIs (Calico, Cilium, the cloud CNIs).
 * Istio rewrites HTTP probes to the sidecar agent (port 15020), which then calls the app locally.
 */
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { ISTIOD_NAMESPACE } from './names';
import { networkPeer, networkPort } from './workload-access';

/** Port istiod serves xDS configuration and certificates on (all a sidecar needs from it). */
export const ISTIOD_XDS_PORT = 15012;
/** Ports Prometheus scrapes on every sidecar: merged app and agent metrics, and Envoy stats. */
export const SIDECAR_METRICS_PORTS = [15020, 15090] as const;

/** Props of a NamespaceNetworkPolicy: where istiod and Prometheus run. */
export interface NamespaceNetworkPolicyProps {
  /**
   * Namespace where istiod runs.
   * @default "istio-system"
   */
  readonly istiodNamespace?: string;
  /** Labels of the istiod pods. @default { app: "istiod" } */
  readonly istiodLabels?: Readonly<Record<string, string>>;
  /** Namespace of Prometheus, admitted to the sidecar metrics ports. @default none: nobody scrapes the sidecars */
  readonly prometheusNamespace?: string;
  /** Labels on the objects. @default {} */
  readonly labels?: Readonly<Record<string, string>>;
}

/** The namespace network baseline: default deny, plus DNS, the Istio control plane and sidecar scraping. */
export class NamespaceNetworkPolicy extends Construct {
  /** Denies all ingress and egress of every pod not allowed otherwise. */
  public readonly defaultDeny: k8s.KubeNetworkPolicy;
  /** Allows DNS and istiod to every pod. */
  public readonly meshEgress: k8s.KubeNetworkPolicy;
  /** Admits Prometheus to the sidecar metrics ports; absent without prometheusNamespace. */
  public readonly metricsScrape?: k8s.KubeNetworkPolicy;

  constructor(scope: Construct, id: string, props: NamespaceNetworkPolicyProps = {}) {
    super(scope, id);
    const labels = { ...(props.labels ?? {}) };
    // `{}` selects every pod; an empty matchLabels map would be dropped by the server.
    const allPods = {};

    this.defaultDeny = new k8s.KubeNetworkPolicy(this, 'DefaultDeny', {
      metadata: { name: 'default-deny', labels },
      // Both policy types and no rules: nothing in, nothing out (an empty rule list would be dropped by the server).
      spec: { podSelector: allPods, policyTypes: ['Ingress', 'Egress'] },
    });

    const dns = [53].flatMap((port) => [{ port, protocol: 'UDP' as const }, { port, protocol: 'TCP' as const }]);
    const egress: k8s.NetworkPolicyEgressRule[] = [
      { to: [networkPeer({ namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' } })], ports: dns.map(networkPort) },
      // 15017 (webhooks) and 15014 (monitoring) are called by the API server and Prometheus, never by sidecars.
      { to: [networkPeer({ namespace: props.istiodNamespace ?? ISTIOD_NAMESPACE, podLabels: props.istiodLabels ?? { app: 'istiod' } })], ports: [networkPort({ port: ISTIOD_XDS_PORT })] },
    ];
    this.meshEgress = new k8s.KubeNetworkPolicy(this, 'MeshEgress', {
      metadata: { name: 'allow-mesh-egress', labels },
      spec: { podSelector: allPods, policyTypes: ['Egress'], egress },
    });

    if (props.prometheusNamespace) {
      this.metricsScrape = new k8s.KubeNetworkPolicy(this, 'MetricsScrape', {
        metadata: { name: 'allow-metrics-scrape', labels },
        spec: {
          podSelector: allPods,
          policyTypes: ['Ingress'],
          ingress: [{ from: [networkPeer({ namespace: props.prometheusNamespace })], ports: SIDECAR_METRICS_PORTS.map((port) => networkPort({ port })) }],
        },
      });
    }
  }
}
