/**
 * JWT authentication at the ingress gateway: a RequestAuthentication that validates tokens
 * (issuer and JWKS from the spec) and an AuthorizationPolicy that denies requests without a
 * valid token on the routes that demand one.
 *
 * Both select the ingress gateway pods, so they live in the gateway's namespace: Istio applies
 * a workload selector only to pods of the policy's own namespace. A RequestAuthentication alone
 * rejects invalid tokens but lets requests without a token through; the DENY policy closes that.
 *
 * The DENY rule names no port. AuthorizationPolicy ports are the pods' own ports, and those depend
 * on how the gateway was installed (istioctl's ingressgateway listens on 8080/8443, the Helm
 * `gateway` chart on 80/443, a custom install anywhere): a port list that misses the real one lets
 * every protected route through without a token. It matches what the gateway routes on instead:
 * the host (case-insensitive in Istio since 1.11.1, with and without a `:port` suffix) and the path
 * after the same normalization routing sees (the query is not part of it).
 */
import { Construct } from 'constructs';
import { AuthorizationPolicy, AuthorizationPolicySpecAction, RequestAuthentication } from '../../imports/istio-security.istio.io';
import { compareText } from '../compare-text';
import { ingressGateway } from './ingress-gateway';
import { namespaceOf, prefixPaths, trimSlash } from './names';

/** Props of a GatewayAuth: the token issuer and JWKS, and which route prefixes stay open. */
export interface GatewayAuthProps {
  /**
   * Namespace of the ingress gateway pods; both objects go there.
   * @default "istio-system"
   */
  readonly gatewayNamespace?: string;
  /**
   * Labels of the ingress gateway pods.
   * @default { istio: "ingressgateway" }
   */
  readonly gatewaySelector?: Readonly<Record<string, string>>;
  /**
   * Environment namespace; prefixes the object names so environments never overwrite each other.
   * @default - the namespace of the chart
   */
  readonly environmentNamespace?: string;
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
   * Route prefixes open without a token. Where one lies below a protected prefix (/api/auth
   * below /api), its requests are routed to the open route, so the DENY rule leaves them out.
   * @default []
   */
  readonly openPrefixes?: readonly string[];
}

/** JWT authentication at the ingress gateway: a RequestAuthentication and the AuthorizationPolicy that requires a valid token. */
export class GatewayAuth extends Construct {
  /** The RequestAuthentication that validates tokens of the issuer. */
  public readonly requestAuthentication: RequestAuthentication;
  /** The DENY policy. @default none: absent when no route demands a token */
  public readonly requireToken?: AuthorizationPolicy;

  constructor(scope: Construct, id: string, props: GatewayAuthProps) {
    super(scope, id);
    const audiences = props.audiences ?? [];
    const environmentNamespace = namespaceOf(this, props.environmentNamespace, 'GatewayAuth');
    const gateway = ingressGateway({ namespace: props.gatewayNamespace, selector: props.gatewaySelector }, 'GatewayAuth');
    const both = (props.openPrefixes ?? []).filter((p) => props.protectedPrefixes.includes(p));
    if (both.length) throw new Error(`GatewayAuth: route prefix ${both.join(', ')} is both protected and open; a prefix either demands a token or does not`);
    const metadata = (suffix: string) => ({ name: `${environmentNamespace}-${suffix}`, namespace: gateway.namespace });

    this.requestAuthentication = new RequestAuthentication(this, 'RequestAuthentication', {
      metadata: metadata('jwt'),
      spec: {
        selector: { matchLabels: { ...gateway.selector } },
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
      // DENY is evaluated before ALLOW and cannot be overridden by another ALLOW policy: a request
      // to a protected path without a principal of this issuer is refused (403). Naming the issuer
      // keeps a token of another issuer (a RequestAuthentication elsewhere in the mesh) from counting.
      const open = props.openPrefixes ?? [];
      this.requireToken = new AuthorizationPolicy(this, 'RequireToken', {
        metadata: metadata('require-jwt'),
        spec: {
          selector: { matchLabels: { ...gateway.selector } },
          action: AuthorizationPolicySpecAction.DENY,
          rules: [...props.protectedPrefixes].sort(compareText).map((prefix) => {
            const below = open.filter((o) => isBelow(o, prefix)).sort(compareText);
            return {
              from: [{ source: { notRequestPrincipals: [`${props.issuer}/*`] } }],
              to: [{ operation: {
                hosts: [props.host, `${props.host}:*`],
                paths: prefixPaths(prefix),
                notPaths: below.length ? below.flatMap(prefixPaths) : undefined,
              } }],
            };
          }),
        },
      });
    }
  }
}

/** Whether prefix `inner` lies strictly below `outer` as whole path segments (/api/auth below /api). */
function isBelow(inner: string, outer: string): boolean {
  const i = trimSlash(inner);
  const o = trimSlash(outer);
  return i !== o && (o === '' || i.startsWith(`${o}/`));
}
