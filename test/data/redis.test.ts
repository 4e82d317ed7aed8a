/** The Redis cache: configuration, password handling, persistence per environment, probes, security, client env. */
import { editReference, findObject, objectsOf } from '../helpers';
import { envNames, envOf, mainContainer, podOwner, reference, servicePods } from './support';

const configOf = (env: string) => findObject<{ data: Record<string, string> }>(reference(env), 'ConfigMap', 'redis-config').data['redis.conf'];
const redisOf = (env: string) => podOwner(reference(env), 'StatefulSet', 'redis');

describe('one Redis per environment', () => {
  test('runs one pod of the pinned image with the configuration from its ConfigMap', () => {
    // GIVEN a service declares cache WHEN prod is synthesized THEN one redis pod runs with the ConfigMap's redis.conf
    const redis = redisOf('prod');
    const container = mainContainer(redis);
    expect(redis.spec.replicas).toBe(1);
    expect(container.image).toBe('redis:7.4.1-bookworm');
    expect(container.command).toEqual(['redis-server']);
    expect(container.args?.[0]).toBe('/etc/redis/redis.conf');
    expect(container.volumeMounts).toContainEqual({ name: 'config', mountPath: '/etc/redis', readOnly: true });
  });

  test('the client Service sends port 6379 to the Redis pod', () => {
    // GIVEN the client Service WHEN it is read THEN it selects the Redis pod on 6379
    const service = findObject<{ spec: { selector: Record<string, string>; ports: Array<{ port: number; name: string }> } }>(reference('prod'), 'Service', 'redis');
    expect(service.spec.selector).toEqual(redisOf('prod').spec.selector.matchLabels);
    expect(service.spec.ports.map((p) => [p.name, p.port])).toEqual([['tcp-redis', 6379]]);
  });

  test('no Redis when no service declares a cache', () => {
    // GIVEN a spec whose services declare no cache
    // (the reference without user- and inventory-service's cache blocks)
    const text = editReference(['    cache: { ttlSeconds: 300 }\n    routes:\n      - { prefix: /api/auth', '    routes:\n      - { prefix: /api/auth'],
      ['    cache: { ttlSeconds: 300 }\n    consumes', '    consumes']);
    // WHEN dev is synthesized
    const objects = objectsOf('dev', text);
    // THEN there is no Redis object
    expect(objects.filter((o) => o.metadata.name.startsWith('redis'))).toEqual([]);
  });
});

describe('the password', () => {
  test('is passed as --requirepass from a Secret-backed variable, never written into the configuration', () => {
    // GIVEN the password Secret WHEN the container is read THEN the password reaches Redis only as an expanded argument
    const container = mainContainer(redisOf('prod'));
    expect(container.args).toEqual(['/etc/redis/redis.conf', '--dir', '/data', '--requirepass', '$(REDIS_PASSWORD)']);
    expect(envOf(container).REDIS_PASSWORD).toBe('secret:redis-credentials/password');
    expect(configOf('prod')).not.toMatch(/^requirepass/m);
  });

  test.each(['startupProbe', 'readinessProbe', 'livenessProbe'] as const)('the %s pings with the password from the environment', (probe) => {
    // GIVEN the probe WHEN its command is read THEN redis-cli pings with REDISCLI_AUTH from the env
    const script = mainContainer(redisOf('prod'))[probe]?.exec.command ?? [];
    expect(script).toEqual(['sh', '-c', 'REDISCLI_AUTH="$REDIS_PASSWORD" redis-cli -h 127.0.0.1 -p 6379 ping | grep -q PONG']);
  });
});

describe('memory and persistence', () => {
  test('a bounded cache: maxmemory 256mb with allkeys-lru eviction', () => {
    // GIVEN platform.redis defaults WHEN redis.conf is read THEN memory is capped and least-recently-used keys go first
    expect(configOf('dev')).toMatch(/^maxmemory 256mb$/m);
    expect(configOf('dev')).toMatch(/^maxmemory-policy allkeys-lru$/m);
  });

  test('dev keeps nothing: no append-only file, no snapshots, an emptyDir working directory', () => {
    // GIVEN dev (persistence off) WHEN its Redis is read THEN nothing is persisted and the working directory is an emptyDir
    const redis = redisOf('dev');
    expect(configOf('dev')).toMatch(/^appendonly no$/m);
    expect(configOf('dev')).toMatch(/^save ""$/m);
    expect(redis.spec.volumeClaimTemplates).toBeUndefined();
    expect(redis.spec.template.spec.volumes).toContainEqual({ name: 'data', emptyDir: { sizeLimit: '64Mi' } });
  });

  test('prod persists: append-only file on a 1Gi volume claim', () => {
    // GIVEN prod (persistence on) WHEN its Redis is read THEN the append-only file is on and the data directory is a 1Gi claim
    const redis = redisOf('prod');
    expect(configOf('prod')).toMatch(/^appendonly yes$/m);
    expect(redis.spec.volumeClaimTemplates?.map((c) => [c.metadata.name, c.spec.resources.requests.storage])).toEqual([['data', '1Gi']]);
    expect(redis.spec.template.spec.volumes?.some((v) => v.name === 'data')).toBe(false);
  });

  test('a changed configuration rolls the pod (checksum annotation)', () => {
    // GIVEN dev and prod configurations differ WHEN their pod annotations are read THEN their checksums differ
    const dev = redisOf('dev').spec.template.metadata.annotations?.['checksum/config'];
    const prod = redisOf('prod').spec.template.metadata.annotations?.['checksum/config'];
    expect(dev).toMatch(/^[0-9a-f]{16}$/);
    expect(dev).not.toBe(prod);
  });

  test('no disruption budget: a single cache pod is not replicated, a budget would only block drains', () => {
    // GIVEN a single Redis pod WHEN prod is synthesized THEN it has no PodDisruptionBudget
    expect(reference('prod').filter((o) => o.kind === 'PodDisruptionBudget' && o.metadata.name === 'redis')).toEqual([]);
  });
});

describe('security', () => {
  test('PSS restricted as the image\'s redis user (999) with a read-only root', () => {
    // GIVEN the Redis pod WHEN its security contexts are read THEN they meet PSS restricted as UID 999
    const redis = redisOf('prod');
    expect(redis.spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 999, fsGroup: 999, seccompProfile: { type: 'RuntimeDefault' } });
    expect(mainContainer(redis).securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(redis.spec.template.spec.automountServiceAccountToken).toBe(false);
  });
});

describe('clients', () => {
  test.each(['user-service', 'inventory-service'])('%s, which declares cache, gets REDIS_URL, TTL and a key prefix', (name) => {
    // GIVEN the service declares cache WHEN its env is read THEN it gets the URL from Secret-backed variables, the TTL and its key prefix
    const container = mainContainer(servicePods(reference('prod'), name));
    const env = envOf(container);
    expect(env).toMatchObject({
      REDIS_PASSWORD: 'secret:redis-credentials/password',
      REDIS_URL: 'redis://default:$(REDIS_PASSWORD)@redis.shop-prod.svc.cluster.local:6379/0',
      CACHE_TTL_SECONDS: '300',
      CACHE_KEY_PREFIX: `${name}:`,
    });
    expect(envNames(container).indexOf('REDIS_PASSWORD')).toBeLessThan(envNames(container).indexOf('REDIS_URL'));
  });

  test.each(['order-service', 'notification-service'])('%s, which declares no cache, gets no Redis settings', (name) => {
    // GIVEN the service declares no cache WHEN its env is read THEN it has no Redis variables
    const env = envOf(mainContainer(servicePods(reference('prod'), name)));
    expect(Object.keys(env).filter((k) => k.startsWith('REDIS') || k.startsWith('CACHE'))).toEqual([]);
  });
});
