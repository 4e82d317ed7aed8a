/** JWT validation and enforcement at the ingress gateway. */
import { editReference, findObject, objectsOf } from '../helpers';

interface JwtRule { issuer: string; jwks_uri: string; audiences?: string[]; forwardOriginalToken: boolean }
interface DenyRule { from: Array<{ source: { notRequestPrincipals: string[] } }>; to: Array<{ operation: { hosts: string[]; paths: string[] } }> }

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

  test('requests without a valid token are denied on jwt routes only', () => {
    // GIVEN /api/auth is open and the other routes demand a JWT / WHEN synthesized
    const deny = findObject<{ spec: { action: string; rules: DenyRule[] } }>(objects, 'AuthorizationPolicy', 'shop-prod-require-jwt');
    // THEN a DENY rule refuses requests without a request principal on the protected paths of this host
    expect(deny.metadata.namespace).toBe('istio-system');
    expect(deny.spec.action).toBe('DENY');
    expect(deny.spec.rules[0].from).toEqual([{ source: { notRequestPrincipals: ['*'] } }]);
    expect(deny.spec.rules[0].to[0].operation.hosts).toEqual(['api.shop.example.com', 'api.shop.example.com:*']);
    expect(deny.spec.rules[0].to[0].operation.paths).toEqual(['/api/users', '/api/users/*', '/api/orders', '/api/orders/*', '/api/inventory', '/api/inventory/*']);
    expect(deny.spec.rules[0].to[0].operation.paths).not.toContain('/api/auth');
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
