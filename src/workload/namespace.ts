/** The environment's namespace: Istio sidecar injection on, Pod Security "restricted" enforced. */
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';

/** Props of a PlatformNamespace. */
export interface PlatformNamespaceProps {
  /** Namespace name. */
  readonly name: string;
  /** Extra labels. @default {} */
  readonly labels?: Record<string, string>;
}

/** The environment's namespace, labelled for Pod Security "restricted" (enforce, audit, warn) and Istio sidecar injection. */
export class PlatformNamespace extends Construct {
  public readonly namespace: k8s.KubeNamespace;

  constructor(scope: Construct, id: string, props: PlatformNamespaceProps) {
    super(scope, id);
    this.namespace = new k8s.KubeNamespace(this, 'Namespace', {
      metadata: {
        name: props.name,
        labels: {
          ...(props.labels ?? {}),
          'istio-injection': 'enabled',
          // Restricted pods with sidecars need the Istio CNI plugin (no NET_ADMIN init container).
          'pod-security.kubernetes.io/enforce': 'restricted',
          'pod-security.kubernetes.io/enforce-version': 'v1.27',
          'pod-security.kubernetes.io/audit': 'restricted',
          'pod-security.kubernetes.io/warn': 'restricted',
        },
      },
    });
  }
}
