/** Strict mutual TLS for every workload of a namespace: plain-text connections are refused. */
import { Construct } from 'constructs';
import { PeerAuthentication, PeerAuthenticationSpecMtlsMode } from '../../imports/istio-security.istio.io';

/** Props of a NamespaceMtls. */
export interface NamespaceMtlsProps {
  /** Labels on the object. @default {} */
  readonly labels?: Readonly<Record<string, string>>;
}

/** Strict mutual TLS for every workload of a namespace (a PeerAuthentication in STRICT mode). */
export class NamespaceMtls extends Construct {
  /** The namespace-wide PeerAuthentication ("default", STRICT). */
  public readonly peerAuthentication: PeerAuthentication;

  constructor(scope: Construct, id: string, props: NamespaceMtlsProps = {}) {
    super(scope, id);
    // "default" without a selector is the namespace-wide policy. Kubelet probes keep working:
    // Istio rewrites them to the sidecar agent, which is outside mTLS.
    this.peerAuthentication = new PeerAuthentication(this, 'PeerAuthentication', {
      metadata: { name: 'default', labels: { ...(props.labels ?? {}) } },
      spec: { mtls: { mode: PeerAuthenticationSpecMtlsMode.STRICT } },
    });
  }
}
