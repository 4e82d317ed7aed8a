/**
 * RedisCache with plain props, in any cdk8s chart: its defaults, persistence, a client's
 * connection, and props it rejects. No platform spec here; the mapping is tested in redis.test.ts.
 */
import { Testing } from 'cdk8s';
import { RedisCache, RedisCacheProps } from '../../src/data/redis';
import { MicroService } from '../../src/workload/microservice';
import { testChart } from '../support/test-chart';
import { envOf } from './support';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = { kind: string; metadata: { name: string; labels?: Record<string, string> }; spec?: any; data?: Record<string, string> };
type Claim = { spec: { resources: { requests: { storage: string } } } };
const find = (objs: Obj[], kind: string, name: string) => {
  const found = objs.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind}/${name}`);
  return found;
};

function synthCache(props?: RedisCacheProps): { objs: Obj[]; cache: RedisCache } {
  const chart = testChart();
  const cache = new RedisCache(chart, 'cache', props);
  return { objs: Testing.synth(chart) as Obj[], cache };
}

describe('new RedisCache(chart, \'cache\')', () => {
  const { objs } = synthCache();
  const sts = find(objs, 'StatefulSet', 'redis');
  const redis = sts.spec.template.spec.containers[0];

  test('is one pod of the pinned default image with bounded resources', () => {
    // GIVEN no props WHEN synthesized THEN the documented defaults apply
    expect(sts.spec.replicas).toBe(1);
    expect(redis.image).toBe('redis:7.4.1-bookworm');
    expect(redis.resources).toEqual({
      requests: { 'cpu': '100m', 'memory': '320Mi', 'ephemeral-storage': '128Mi' },
      limits: { 'cpu': '500m', 'memory': '384Mi', 'ephemeral-storage': '256Mi' },
    });
  });

  test('is a bounded cache without persistence: no volume claim, the data directory on an emptyDir', () => {
    // GIVEN no persistence WHEN synthesized
    // THEN redis.conf caps memory at 256mb with LRU eviction and no append-only file, and nothing is claimed
    const conf = find(objs, 'ConfigMap', 'redis-config').data!['redis.conf'];
    expect(conf).toContain('maxmemory 256mb\nmaxmemory-policy allkeys-lru\n');
    expect(conf).toContain('appendonly no\n');
    expect(sts.spec.volumeClaimTemplates).toBeUndefined();
    expect(sts.spec.template.spec.volumes).toContainEqual({ name: 'data', emptyDir: { sizeLimit: '64Mi' } });
  });

  test('reads the password from key "password" of Secret "redis-credentials"', () => {
    // GIVEN no passwordSecret WHEN synthesized THEN the server's password comes from the default Secret by reference
    expect(envOf(redis)).toEqual({ REDIS_PASSWORD: 'secret:redis-credentials/password' });
  });
});

test('persistence puts the data directory on a 1Gi volume and turns the append-only file on', () => {
  // GIVEN persistence: true and no storage WHEN synthesized
  const { objs } = synthCache({ persistence: true });
  const sts = find(objs, 'StatefulSet', 'redis');
  // THEN one claim of the default size, no emptyDir for the data, appendonly yes
  expect(sts.spec.volumeClaimTemplates.map((c: Claim) => c.spec.resources.requests.storage)).toEqual(['1Gi']);
  expect(sts.spec.template.spec.volumes.map((v: { name: string }) => v.name)).toEqual(['config']);
  expect(find(objs, 'ConfigMap', 'redis-config').data!['redis.conf']).toContain('appendonly yes\n');
});

test('a client gets REDIS_URL, the default TTL and its own key prefix, and is admitted', () => {
  // GIVEN a cache in a chart and a service connected without a TTL
  const chart = testChart();
  const cache = new RedisCache(chart, 'cache', { namespace: 'shop', passwordSecret: { secret: 'cache-auth', key: 'token' } });
  cache.connect(new MicroService(chart, 'web', { image: 'ghcr.io/acme/web:1.0.0', port: 8080 }));
  const objs = Testing.synth(chart) as Obj[];
  // WHEN its Deployment is read THEN it has the cache's settings, the password by Secret reference
  expect(envOf(find(objs, 'Deployment', 'web').spec.template.spec.containers[0])).toMatchObject({
    REDIS_PASSWORD: 'secret:cache-auth/token',
    REDIS_URL: 'redis://default:$(REDIS_PASSWORD)@redis.shop.svc.cluster.local:6379/0',
    CACHE_TTL_SECONDS: '300',
    CACHE_KEY_PREFIX: 'web:',
  });
  expect(find(objs, 'NetworkPolicy', 'redis').spec.ingress[0].from).toEqual([{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'web', 'app.kubernetes.io/instance': 'web' } } }]);
});

describe('rejected props', () => {
  test('storage without persistence, and maxmemory at the memory limit, are named together', () => {
    // GIVEN a volume for a cache without persistence, and maxmemory equal to the container limit
    // WHEN the cache is constructed THEN one error names both conflicts
    expect(() => new RedisCache(testChart(), 'cache', {
      storage: { size: '5Gi' }, maxmemory: '384mb',
    })).toThrow([
      'RedisCache test/cache: invalid props:',
      '  - storage is set but persistence is not: the volume would be unused; set persistence: true or drop storage',
      '  - maxmemory 384mb must be below the container memory limit 384Mi (resources.limits.memory), or Redis is killed before it evicts',
    ].join('\n'));
  });

  test.each([
    ['a maxmemory in other units', { maxmemory: '256MB' }, 'maxmemory "256MB" must be a size such as 256mb or 1gb'],
    ['a memory limit that is no quantity, named once', { resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: 'lots' } } }, /invalid props:\n {2}- resources\.limits\.memory "lots": [^\n]*$/],
    ['an unpinned image', { image: 'redis' }, 'image "redis" has no tag'],
    ['a password Secret that is no Secret name', { passwordSecret: { secret: 'Redis_Secret', key: 'password' } }, 'passwordSecret.secret "Redis_Secret"'],
  ])('%s is rejected', (_what, props, expected) => {
    expect(() => new RedisCache(testChart(), 'cache', props as RedisCacheProps)).toThrow(expected);
  });

  test('a TTL below one second is refused at connect', () => {
    // GIVEN a cache WHEN a client connects with TTL 0 THEN it is refused
    const chart = testChart();
    const cache = new RedisCache(chart, 'cache');
    expect(() => cache.connect(new MicroService(chart, 'web', { image: 'ghcr.io/acme/web:1.0.0', port: 8080 }), 0)).toThrow('cache TTL of web: 0 must be a whole number of seconds, at least 1');
  });
});
