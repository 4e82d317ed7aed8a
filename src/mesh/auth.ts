/**
 * JWT authentication at the ingress gateway: a RequestAuthentication that validates tokens
 * (issuer and JWKS from the spec) and an AuthorizationPolicy that denies requests without a
 * valid token on the routes that demand one.
 *
 * Both select the ingress gateway pods, so they live in the gateway's namespace: Istio applies
 * a workload selector only to pods of the policy's own namespace. A RequestAuthentication alone
 * rejects invalid tokens but lets requests without a token through; the DENY policy closes that.
 */
import { Construct } from 'constructs';
import { AuthorizationPolicy, AuthorizationPolicySpecAction, RequestAuthentication } from '../../imports/istio-security.istio.io';
import { prefixPaths } from './names';

export interface GatewayAuthProps {
  /** Namespace of the ingress gateway pods; both objects go there. */
  readonly gatewayNamespace: string;
  /** Labels of the ingress gateway pods. */
  readonly gatewaySelector: Readonly<Record<string, string>>;
  /** Environment namespace; prefixes the object names so environments never overwrite each other. */
  readonly environmentNamespace: string;
  /** Public host name; the DENY rule only applies to requests for it. */
  readonly host: string;
  /** Token issuer (iss). */
  readonly issuer: string;
  /** URL of the issuer's JSON Web Key Set. */
  readonly jwksUri: string;
  /** Accepted audiences; empty accepts any. @default [] */
  readonly audiences?: readonly string[];
  /** Route prefixes that demand a valid token. */
  readonly protectedPrefixes: readonly string[];
  /**
   * Ports of the ingress gateway pods the DENY rule covers (HTTP attributes only exist there;
   * naming them keeps the rule off any TCP port).
   * @default ["8080", "8443"], the container ports of Istio's ingress gateway chart
   */
  readonly gatewayPorts?: readonly string[];
}

/** Container ports of Istio's ingress gateway (HTTP 80 and HTTPS 443 map to these). */
export const GATEWAY_POD_PORTS = ['8080', '8443'] as const;

export class GatewayAuth extends Construct {
  public readonly requestAuthentication: RequestAuthentication;
  /** The DENY policy; absent when no route demands a token. */
  public readonly requireToken?: AuthorizationPolicy;

  constructor(scope: Construct, id: string, props: GatewayAuthProps) {
    super(scope, id);
    const audiences = props.audiences ?? [];
    const metadata = (suffix: string) => ({ name: `${props.environmentNamespace}-${suffix}`, namespace: props.gatewayNamespace });

    this.requestAuthentication = new RequestAuthentication(this, 'RequestAuthentication', {
      metadata: metadata('jwt'),
      spec: {
        selector: { matchLabels: { ...props.gatewaySelector } },
        jwtRules: [{
          issuer: props.issuer,
          jwksUri: props.jwksUri,
          audiences: audiences.length ? [...audiences] : undefined,
          // The services read the caller's identity from the same Authorization header.
          forwardOriginalToken: true,
        }],
      },
    });

    if (props.protectedPrefixes.length) {
      // DENY is evaluated before ALLOW and cannot be overridden by another ALLOW policy:
      // a request to a protected path without a validated token principal is refused (403).
      this.requireToken = new AuthorizationPolicy(this, 'RequireToken', {
        metadata: metadata('require-jwt'),
        spec: {
          selector: { matchLabels: { ...props.gatewaySelector } },
          action: AuthorizationPolicySpecAction.DENY,
          rules: [{
            from: [{ source: { notRequestPrincipals: ['*'] } }],
            to: [{ operation: {
              hosts: [props.host, `${props.host}:*`],
              ports: [...(props.gatewayPorts ?? GATEWAY_POD_PORTS)],
              paths: props.protectedPrefixes.flatMap(prefixPaths),
            } }],
          }],
        },
      });
    }
  }
}
