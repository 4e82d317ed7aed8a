/** Bad gateway route input is reported as file:line: path: message, all problems together. */
import { editReference, problemsOf } from '../helpers';

const AUTH_LIMIT = 'rateLimit: { requests: 5, window: 15m }';

describe('route checks', () => {
  test('a prefix claimed by two services is rejected', () => {
    // GIVEN inventory-service claims /api/users, which user-service owns
    const text = editReference(['- { prefix: /api/inventory, auth: jwt }', '- { prefix: /api/users, auth: jwt }']);
    // WHEN the spec is checked / THEN the second claim is reported at its prefix
    expect(problemsOf(text)).toEqual([
      'platform.yaml:81: services.inventory-service.routes.0.prefix: prefix /api/users is already routed to user-service; each prefix belongs to exactly one service',
    ]);
  });

  test('a rate limit of zero requests is rejected by the schema', () => {
    // GIVEN /api/auth allows 0 requests per window
    const text = editReference([AUTH_LIMIT, 'rateLimit: { requests: 0, window: 15m }']);
    // WHEN checked / THEN the request count is reported
    expect(problemsOf(text)).toEqual(['platform.yaml:36: services.user-service.routes.0.rateLimit.requests: must be a positive number of requests']);
  });

  test('a rate limit of negative requests is rejected by the schema', () => {
    // GIVEN a negative request count
    const text = editReference([AUTH_LIMIT, 'rateLimit: { requests: -3, window: 15m }']);
    // WHEN checked / THEN the same message
    expect(problemsOf(text)).toEqual(['platform.yaml:36: services.user-service.routes.0.rateLimit.requests: must be a positive number of requests']);
  });

  test('a window that cannot be parsed is rejected with the accepted forms', () => {
    // GIVEN a window written in words
    const text = editReference([AUTH_LIMIT, 'rateLimit: { requests: 5, window: 15 minutes }']);
    // WHEN checked / THEN the message names the accepted forms
    expect(problemsOf(text)).toEqual([
      'platform.yaml:36: services.user-service.routes.0.rateLimit.window: window "15 minutes" cannot be parsed; use a positive whole number and a unit s, m, h or d, such as 30s, 15m or 1h',
    ]);
  });

  test('a window longer than a day is rejected', () => {
    // GIVEN a two-day window, beyond the rate limit service's largest unit
    const text = editReference([AUTH_LIMIT, 'rateLimit: { requests: 5, window: 2d }']);
    // WHEN checked / THEN it is reported
    expect(problemsOf(text)).toEqual([
      'platform.yaml:36: services.user-service.routes.0.rateLimit.window: window "2d" is longer than a day; the rate limit service counts per second, minute, hour or day at most',
    ]);
  });

  test('a jwt route without platform.jwt is rejected, every such route reported', () => {
    // GIVEN the platform has no JWT issuer
    const text = editReference([`  jwt:
    issuer: https://auth.shop.example.com
    jwksUri: https://auth.shop.example.com/.well-known/jwks.json
    audiences: [shop-api]
`, '']);
    // WHEN checked / THEN each jwt route is reported; the open /api/auth is not
    expect(problemsOf(text)).toEqual([
      'platform.yaml:33: services.user-service.routes.1.auth: route /api/users demands a JWT but platform.jwt is not set; set platform.jwt (issuer and jwksUri) or use auth: none',
      'platform.yaml:50: services.order-service.routes.0.auth: route /api/orders demands a JWT but platform.jwt is not set; set platform.jwt (issuer and jwksUri) or use auth: none',
      'platform.yaml:77: services.inventory-service.routes.0.auth: route /api/inventory demands a JWT but platform.jwt is not set; set platform.jwt (issuer and jwksUri) or use auth: none',
    ]);
  });

  test('two prefixes that give the same route name are rejected', () => {
    // GIVEN /api/a-b and /api/a/b, both named api-a-b at the gateway
    const text = editReference(['- { prefix: /api/inventory, auth: jwt }', '- { prefix: /api/a-b, auth: jwt }\n      - { prefix: /api/a/b, auth: jwt }']);
    // WHEN checked / THEN the second is reported
    expect(problemsOf(text)).toEqual([
      'platform.yaml:82: services.inventory-service.routes.1.prefix: prefix /api/a/b gets the same route name "api-a-b" as /api/a-b of inventory-service; route names (the prefix with "/" and other symbols as "-") must differ',
    ]);
  });

  test('a version header that is not a lowercase header name is rejected', () => {
    // GIVEN order-service pins versions by the header "X Version"
    const text = editReference(['      timeout: 15s\n', '      timeout: 15s\n      versionHeader: X Version\n']);
    // WHEN checked / THEN
    expect(problemsOf(text)).toEqual([
      'platform.yaml:57: services.order-service.traffic.versionHeader: versionHeader "X Version" is not a lowercase HTTP header name; use lowercase letters, digits and "-", such as version or x-version',
    ]);
  });
});
