/** Gateway route names, and which prefixes would be one route (shared by the spec checks and the gateway constructs). */
import { routeClashes, routeName } from '../../src/spec/route-name';

test('a route name is the prefix with "/" and other symbols as "-", lowercase; the root is "root"', () => {
  expect(['/api/auth', '/api/auth/', '/API_v2.x', '/'].map(routeName)).toEqual(['api-auth', 'api-auth', 'api-v2-x', 'root']);
});

test('prefixes that would be one route: each against the first earlier one it clashes with, by the same requests before the same name', () => {
  // GIVEN prefixes given twice, equal but for a trailing "/", of the same route name, and distinct
  const prefixes = ['/api/auth', '/api/users', '/api/auth', '/api/users/', '/api-auth', '/api/orders', '/api-auth/'];
  // WHEN compared THEN each clash names the earlier prefix, the kind and the name
  expect(routeClashes(prefixes)).toEqual([
    { kind: 'same-prefix', first: 0, second: 2, name: 'api-auth' },
    { kind: 'same-match', first: 1, second: 3, name: 'api-users' },
    { kind: 'same-name', first: 0, second: 4, name: 'api-auth' },
    { kind: 'same-match', first: 4, second: 6, name: 'api-auth' },
  ]);
  expect(routeClashes(['/a', '/b', '/'])).toEqual([]);
});
