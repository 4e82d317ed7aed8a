/** The Redis cache: configuration, password handling, persistence per environment, probes, security, client env. */
import { editReference, findObject, objectsOf } from '../helpers';
import { envNames, envOf, mainContainer, podOwner, reference, servicePods } from './support';

const configOf = (env: string) => findObject<{ data: Record<string, string> }>(reference(env), 'ConfigMap', 'redis-config').data['redis.conf'];
const redisOf = (env: string) => podOwner(reference(env), 'StatefulSet', 'redis');

describe('one Redis per environment', () => {
  test('runs one pod of the pinned image with the configuration from its ConfigMap', () => {
    const redis = redisOf('prod');
    const container = mainContainer(redis);
    expect(redis.spec.replicas).toBe(1);
    expect(container.image).toBe('redis:7.4.1-bookworm');
    expect(container.command).toEqual(['redis-server']);
    expect(container.args?.[0]).toBe('/etc/redis/redis.conf');
    expect(container.volumeMounts).toContainEqual({ name: 'config', mountPath: '/etc/redis', readOnly: true });
  });

  test('the client Service sends port 6379 to the Redis pod', () => {
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
    const container = mainContainer(redisOf('prod'));
    expect(container.args).toEqual(['/etc/redis/redis.conf', '--dir', '/data', '--requirepass', '$(REDIS_PASSWORD)']);
    expect(envOf(container).REDIS_PASSWORD).toBe('secret:redis-credentials/password');
    expect(configOf('prod')).not.toMatch(/^requirepass/m);
  });

  test.each(['startupProbe', 'readinessProbe', 'livenessProbe'] as const)('the %s pings with the password from the environment', (probe) => {
    const script = mainContainer(redisOf('prod'))[probe]?.exec.command ?? [];
    expect(script).toEqual(['sh', '-c', 'REDISCLI_AUTH="$REDIS_PASSWORD" redis-cli -h 127.0.0.1 -p 6379 ping | grep -q PONG']);
  });
});

describe('memory and persistence', () => {
  test('a bounded cache: maxmemory 256mb with allkeys-lru eviction', () => {
    expect(configOf('dev')).toMatch(/^maxmemory 256mb$/m);
    expect(configOf('dev')).toMatch(/^maxmemory-policy allkeys-lru$/m);
  });

  test('dev keeps nothing: no append-only file, no snapshots, an emptyDir working directory', () => {
    const redis = redisOf('dev');
    expect(configOf('dev')).toMatch(/^appendonly no$/m);
    expect(configOf('dev')).toMatch(/^save ""$/m);
    expect(redis.spec.volumeClaimTemplates).toBeUndefined();
    expect(redis.spec.template.spec.volumes).toContainEqual({ name: 'data', emptyDir: { sizeLimit: '64Mi' } });
  });

  test('prod persists: append-only file on a 1Gi volume claim', () => {
    const redis = redisOf('prod');
    expect(configOf('prod')).toMatch(/^appendonly yes$/m);
    expect(redis.spec.volumeClaimTemplates?.map((c) => [c.metadata.name, c.spec.resources.requests.storage])).toEqual([['data', '1Gi']]);
    expect(redis.spec.template.spec.volumes?.some((v) => v.name === 'data')).toBe(false);
  });

  test('a changed configuration rolls the pod (checksum annotation)', () => {
    const dev = redisOf('dev').spec.template.metadata.annotations?.['checksum/config'];
    const prod = redisOf('prod').spec.template.metadata.annotations?.['checksum/config'];
    expect(dev).toMatch(/^[0-9a-f]{16}$/);
    expect(dev).not.toBe(prod);
  });

  test('no disruption budget: a single cache pod is not replicated, a budget would only block drains', () => {
    expect(reference('prod').filter((o) => o.kind === 'PodDisruptionBudget' && o.metadata.name === 'redis')).toEqual([]);
  });
});

describe('security', () => {
  test('PSS restricted as the image\'s redis user (999) with a read-only root', () => {
    const redis = redisOf('prod');
    expect(redis.spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 999, fsGroup: 999, seccompProfile: { type: 'RuntimeDefault' } });
    expect(mainContainer(redis).securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(redis.spec.template.spec.automountServiceAccountToken).toBe(false);
  });
});

describe('clients', () => {
  test.each(['user-service', 'inventory-service'])('%s, which declares cache, gets REDIS_URL, TTL and a key prefix', (name) => {
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
    const env = envOf(mainContainer(servicePods(reference('prod'), name)));
    expect(Object.keys(env).filter((k) => k.startsWith('REDIS') || k.startsWith('CACHE'))).toEqual([]);
  });
});
