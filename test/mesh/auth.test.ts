/** JWT validation and enforcement at the ingress gateway. */
import { Manifest } from '../../src/synth';
import { editReference, findObject, objectsOf } from '../helpers';
import { authorizationDecision, normalizePath, Pod } from './policy-eval';

interface JwtRule { issuer: string; jwks_uri: string; audiences?: string[]; forwardOriginalToken: boolean }
interface DenyRule { from: Array<{ source: { notRequestPrincipals: string[] } }>; to: Array<{ operation: { hosts: string[]; paths: string[]; notPaths?: string[]; ports?: string[] } }> }

const ISSUER = 'https://auth.shop.example.com';
const HOST = 'api.shop.example.com';
const gatewayPod = (labels: Record<string, string>): Pod => ({
  namespace: 'istio-system', labels, principal: 'cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account',
});
/** The ways the ingress gateway gets installed, with the pod ports HTTPS arrives on (AuthorizationPolicy ports are these). */
const INSTALLS: Array<[string, Pod, number]> = [
  ['istioctl default profile (istio-ingressgateway, 8443)', gatewayPod({ app: 'istio-ingressgateway', istio: 'ingressgateway' }), 8443],
  ['Helm gateway chart, release istio-ingressgateway (443)', gatewayPod({ app: 'istio-ingressgateway', istio: 'ingressgateway', 'istio.io/gateway-name': 'istio-ingressgateway' }), 443],
  ['any other port (9443)', gatewayPod({ istio: 'ingressgateway' }), 9443],
];

/** Whether the gateway admits a request without a token (or with `principal`). */
function admitted(objects: readonly Manifest[], gateway: Pod, port: number, path: string, host = HOST, principal?: string): boolean {
  return authorizationDecision(objects, gateway, { host, path, port, method: 'GET', requestPrincipal: principal });
}

interface GatewayHttp { name: string; match: Array<{ uri: { exact?: string; prefix?: string } }> }
/** The gateway route a path takes: the first route (longest prefix first) whose match takes the normalized path. */
function routeOf(objects: readonly Manifest[], rawPath: string): string | undefined {
  const vs = findObject<{ spec: { http: GatewayHttp[] } }>(objects, 'VirtualService', 'api-gateway');
  const path = normalizePath(rawPath);
  return vs.spec.http.find((h) => h.match.some((m) => (m.uri.exact !== undefined ? path === m.uri.exact : path.startsWith(m.uri.prefix as string))))?.name;
}


describe('gateway authentication', () => {
  const objects = objectsOf('prod');

  test('tokens are validated with the issuer, keys and audiences of the spec, at the gateway pods', () => {
    // GIVEN platform.jwt / WHEN synthesized
    const ra = findObject<{ spec: { selector: { matchLabels: Record<string, string> }; jwtRules: JwtRule[] } }>(objects, 'RequestAuthentication', 'shop-prod-jwt');
    // THEN it lives beside the gateway pods and selects them
    expect(ra.metadata.namespace).toBe('istio-system');
    expect(ra.spec.selector.matchLabels).toEqual({ istio: 'ingressgateway' });
    expect(ra.spec.jwtRules).toEqual([{
      issuer: 'https://auth.shop.example.com',
      jwks_uri: 'https://auth.shop.example.com/.well-known/jwks.json',
      audiences: ['shop-api'],
      forwardOriginalToken: true,
    }]);
  });

  test('requests without a valid token are denied on jwt routes only, by host and path, on any port', () => {
    // GIVEN /api/auth is open and the other routes demand a JWT / WHEN synthesized
    const deny = findObject<{ spec: { action: string; selector: unknown; rules: DenyRule[] } }>(objects, 'AuthorizationPolicy', 'shop-prod-require-jwt');
    // THEN a DENY rule per protected prefix refuses requests without a principal of the issuer, for this host, at no particular port
    expect(deny.metadata.namespace).toBe('istio-system');
    expect(deny.spec.action).toBe('DENY');
    expect(deny.spec.selector).toEqual({ matchLabels: { istio: 'ingressgateway' } });
    expect(deny.spec.rules.map((r) => r.from)).toEqual(deny.spec.rules.map(() => [{ source: { notRequestPrincipals: [`${ISSUER}/*`] } }]));
    expect(deny.spec.rules.map((r) => r.to[0].operation)).toEqual([
      { hosts: [HOST, `${HOST}:*`], paths: ['/api/inventory', '/api/inventory/*'] },
      { hosts: [HOST, `${HOST}:*`], paths: ['/api/orders', '/api/orders/*'] },
      { hosts: [HOST, `${HOST}:*`], paths: ['/api/users', '/api/users/*'] },
    ]);
  });

  describe.each(INSTALLS)('gateway installed by %s', (_install, gateway, port) => {
    test('a request without a token to a jwt route is denied, whatever the host spelling', () => {
      // GIVEN the gateway pods of this install / WHEN a tokenless request reaches /api/users
      // THEN 403, for the host with or without a port and in any case
      for (const host of [HOST, `${HOST}:443`, `${HOST}:${port}`, 'API.Shop.Example.COM', 'Api.shop.example.com:443']) {
        expect([host, admitted(objects, gateway, port, '/api/users/42', host)]).toEqual([host, false]);
      }
    });

    test('every path the gateway routes to a jwt service is denied without a token; open routes stay open', () => {
      // GIVEN paths in the spellings Envoy normalizes (BASE: dot segments, %-encoded unreserved characters; the query dropped)
      const paths = [
        '/api/users', '/api/users/', '/api/users/42', '/api/users?x=1', '/api/users/42?token=', '/api/./users', '/api/auth/../users/1',
        '/api/%75sers', '/api/users//x', '/api/orders', '/api/inventory/a/b', '/api/auth', '/api/auth/login', '/api/auth/../auth/x',
        '/api/usersX', '/api//users', '/api/users%2Fx', '/API/users', '/',
      ];
      for (const path of paths) {
        // WHEN routed and authorized
        const route = routeOf(objects, path);
        const ok = admitted(objects, gateway, port, path);
        // THEN denied exactly when it is routed to a jwt route (unrouted paths answer 404 either way)
        if (route === undefined) continue;
        expect([path, route, ok]).toEqual([path, route, route === 'api-auth']);
      }
      expect(routeOf(objects, '/api/users//x')).toBe('api-users');
      expect(admitted(objects, gateway, port, '/api/auth/login')).toBe(true);
    });

    test('a token of the issuer is admitted, a principal of another issuer is not', () => {
      // GIVEN / WHEN a request carries a validated principal / THEN
      expect(admitted(objects, gateway, port, '/api/orders', HOST, `${ISSUER}/user-1`)).toBe(true);
      expect(admitted(objects, gateway, port, '/api/orders', HOST, 'https://other-issuer.example.com/user-1')).toBe(false);
    });
  });

  test('the evaluator notices a DENY rule limited to some ports or selecting other pods', () => {
    // GIVEN the DENY rule limited to the istioctl pod ports, or selecting pods the gateway does not carry
    const withDeny = (change: (spec: { selector: { matchLabels: Record<string, string> }; rules: DenyRule[] }) => void) => objects.map((o) => {
      if (o.kind !== 'AuthorizationPolicy' || o.metadata.name !== 'shop-prod-require-jwt') return o;
      const copy = JSON.parse(JSON.stringify(o)) as Manifest & { spec: { selector: { matchLabels: Record<string, string> }; rules: DenyRule[] } };
      change(copy.spec);
      return copy;
    });
    const portLimited = withDeny((spec) => spec.rules.forEach((r) => { r.to[0].operation.ports = ['8080', '8443']; }));
    const otherPods = withDeny((spec) => { spec.selector.matchLabels = { istio: 'ingress' }; });
    // WHEN a tokenless request reaches a jwt route
    const [, istioctl, istioctlPort] = INSTALLS[0];
    const [, helm, helmPort] = INSTALLS[1];
    // THEN the port-limited rule lets it through on the Helm chart's 443 (the fail-open of issue 13), the misdirected one everywhere
    expect(admitted(portLimited, istioctl, istioctlPort, '/api/users')).toBe(false);
    expect(admitted(portLimited, helm, helmPort, '/api/users')).toBe(true);
    expect(admitted(otherPods, istioctl, istioctlPort, '/api/users')).toBe(true);
    // AND a policy in another namespace than the pods (and not the root namespace) does not apply either
    const elsewhere = objects.map((o) => (o.kind === 'AuthorizationPolicy' && o.metadata.name === 'shop-prod-require-jwt' ? { ...o, metadata: { ...o.metadata, namespace: 'shop-prod' } } : o));
    expect(admitted(elsewhere, helm, helmPort, '/api/users')).toBe(true);
  });

  test('an open prefix below a protected one stays open; the rest of the protected prefix does not', () => {
    // GIVEN notification-service owns /api (jwt) above user-service's open /api/auth
    const text = editReference(['      SMTP_PASSWORD: { secret: notification-service-secrets, key: smtp-password }', '      SMTP_PASSWORD: { secret: notification-service-secrets, key: smtp-password }\n    routes:\n      - { prefix: /api, auth: jwt }']);
    // WHEN synthesized
    const out = objectsOf('prod', text);
    const [, gateway, port] = INSTALLS[1];
    // THEN requests routed to /api/auth need no token, those routed to /api do
    expect(routeOf(out, '/api/auth/login')).toBe('api-auth');
    expect(admitted(out, gateway, port, '/api/auth/login')).toBe(true);
    expect(routeOf(out, '/api/other')).toBe('api');
    expect(admitted(out, gateway, port, '/api/other')).toBe(false);
    expect(admitted(out, gateway, port, '/api')).toBe(false);
    expect(admitted(out, gateway, port, '/api/users/1')).toBe(false);
  });

  test('no DENY policy when no route demands a token', () => {
    // GIVEN every route is open
    const text = editReference(
      ['- { prefix: /api/users, auth: jwt', '- { prefix: /api/users, auth: none'],
      ['- { prefix: /api/orders, auth: jwt }', '- { prefix: /api/orders, auth: none }'],
      ['- { prefix: /api/inventory, auth: jwt }', '- { prefix: /api/inventory, auth: none }'],
    );
    // WHEN synthesized / THEN tokens are still validated but never demanded
    const out = objectsOf('prod', text);
    expect(out.filter((o) => o.metadata.name === 'shop-prod-require-jwt')).toEqual([]);
    expect(findObject(out, 'RequestAuthentication', 'shop-prod-jwt')).toBeDefined();
  });

  test('no JWT objects when platform.jwt is absent and every route is open', () => {
    // GIVEN no issuer and only open routes
    const text = editReference(
      [`  jwt:
    issuer: https://auth.shop.example.com
    jwksUri: https://auth.shop.example.com/.well-known/jwks.json
    audiences: [shop-api]
`, ''],
      ['- { prefix: /api/users, auth: jwt', '- { prefix: /api/users, auth: none'],
      ['- { prefix: /api/orders, auth: jwt }', '- { prefix: /api/orders, auth: none }'],
      ['- { prefix: /api/inventory, auth: jwt }', '- { prefix: /api/inventory, auth: none }'],
    );
    // WHEN synthesized / THEN neither RequestAuthentication nor the DENY policy exists
    const out = objectsOf('prod', text);
    expect(out.filter((o) => o.kind === 'RequestAuthentication' || o.metadata.name.endsWith('require-jwt'))).toEqual([]);
  });

  test('gateway access is logged through the envoy provider', () => {
    // GIVEN / WHEN synthesized
    const t = findObject<{ spec: unknown }>(objects, 'Telemetry', 'shop-prod-gateway-access-log');
    // THEN the Telemetry selects the gateway pods in their namespace
    expect(t.metadata.namespace).toBe('istio-system');
    expect(t.spec).toEqual({ selector: { matchLabels: { istio: 'ingressgateway' } }, accessLogging: [{ providers: [{ name: 'envoy' }] }] });
  });
});
