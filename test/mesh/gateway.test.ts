/** The environment's Gateway and its prefix-routing VirtualService. */
import { editReference, findObject, objectsOf } from '../helpers';

interface HttpRoute { name: string; match: Array<{ uri: { exact?: string; prefix?: string } }>; route: Array<{ destination: { host: string; subset?: string; port: { number: number } }; weight?: number }>; timeout: string }
interface GatewayServer { port: { number: number; protocol: string }; hosts: string[]; tls: { mode?: string; credentialName?: string; httpsRedirect?: boolean } }

describe('API gateway', () => {
  const objects = objectsOf('prod');
  const gateway = findObject<{ spec: { selector: Record<string, string>; servers: GatewayServer[] } }>(objects, 'Gateway', 'api-gateway');
  const vs = findObject<{ spec: { hosts: string[]; gateways: string[]; http: HttpRoute[] } }>(objects, 'VirtualService', 'api-gateway');

  test('the Gateway lives in the environment namespace and selects the ingress gateway pods', () => {
    // GIVEN the prod environment / WHEN synthesized / THEN
    expect(gateway.metadata.namespace).toBe('shop-prod');
    expect(gateway.spec.selector).toEqual({ istio: 'ingressgateway' });
  });

  test('HTTPS on 443 uses the spec credential for the spec host', () => {
    // GIVEN platform.host and platform.tlsCredential / WHEN synthesized
    const https = gateway.spec.servers.find((s) => s.port.number === 443);
    // THEN the HTTPS server serves that host with that Secret
    expect(https).toEqual({ port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: ['./api.shop.example.com'], tls: { mode: 'SIMPLE', credentialName: 'shop-api-tls', minProtocolVersion: 'TLSV1_2' } });
  });

  test('HTTP on 80 only redirects to HTTPS', () => {
    // GIVEN / WHEN synthesized / THEN
    expect(gateway.spec.servers.find((s) => s.port.number === 80)?.tls).toEqual({ httpsRedirect: true });
  });

  test('each environment uses its own host', () => {
    // GIVEN dev overrides the host / WHEN synthesized / THEN the dev VirtualService uses it
    expect(findObject<{ spec: { hosts: string[] } }>(objectsOf('dev'), 'VirtualService', 'api-gateway').spec.hosts).toEqual(['api.dev.shop.example.com']);
  });

  test('each prefix takes its owning service primary route, by FQDN and port', () => {
    // GIVEN user-service (blueGreen), order-service (canary), inventory-service (rolling) / WHEN synthesized
    const byName = Object.fromEntries(vs.spec.http.map((h) => [h.name, h.route]));
    // THEN the active Service, the stable/canary split Argo can reweight, and subset v1
    const host = (s: string) => `${s}.shop-prod.svc.cluster.local`;
    expect(byName).toEqual({
      'api-auth': [{ destination: { host: host('user-service'), port: { number: 3001 } } }],
      'api-users': [{ destination: { host: host('user-service'), port: { number: 3001 } } }],
      'api-orders': [
        { destination: { host: host('order-service-stable'), port: { number: 3002 } }, weight: 100 },
        { destination: { host: host('order-service-canary'), port: { number: 3002 } }, weight: 0 },
      ],
      'api-inventory': [{ destination: { host: host('inventory-service'), subset: 'v1', port: { number: 3003 } } }],
    });
    expect(vs.spec.gateways).toEqual(['api-gateway']);
  });

  test('the version header does not pin through the gateway: gateway routes match the path only', () => {
    // GIVEN services whose mesh VirtualServices pin on header version: v2 / WHEN synthesized
    // THEN no gateway route matches a header, so a request from outside always takes the primary route
    for (const h of vs.spec.http) expect(h.match.every((m) => Object.keys(m).join() === 'uri')).toBe(true);
  });

  test('a prefix matches whole path segments only', () => {
    // GIVEN /api/users / WHEN synthesized / THEN /api/users and /api/users/... match, /api/usersX does not
    expect(vs.spec.http.find((h) => h.name === 'api-users')?.match).toEqual([{ uri: { exact: '/api/users' } }, { uri: { prefix: '/api/users/' } }]);
  });

  test('the route timeout is the owning service timeout', () => {
    // GIVEN order-service times out at 15s / WHEN synthesized / THEN
    expect(vs.spec.http.find((h) => h.name === 'api-orders')?.timeout).toBe('15s');
  });

  test('longer prefixes come first so a shorter one never shadows them', () => {
    // GIVEN notification-service also owns the shorter prefix /api
    const text = editReference(['      SMTP_PASSWORD: { secret: notification-service-secrets, key: smtp-password }', '      SMTP_PASSWORD: { secret: notification-service-secrets, key: smtp-password }\n    routes:\n      - { prefix: /api, auth: jwt }']);
    // WHEN synthesized
    const http = findObject<{ spec: { http: HttpRoute[] } }>(objectsOf('prod', text), 'VirtualService', 'api-gateway').spec.http;
    // THEN /api is matched last
    expect(http.map((h) => h.name)).toEqual(['api-inventory', 'api-orders', 'api-users', 'api-auth', 'api']);
  });
});
