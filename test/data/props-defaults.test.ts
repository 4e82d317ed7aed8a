/**
 * The data-tier constructs' own defaults are the spec's: a store built from props only is the
 * store a spec that leaves platform.postgres, .redis and .rabbitmq out would give.
 */
import { DEFAULT_POSTGRES_IMAGE, DEFAULT_POSTGRES_POOL, DEFAULT_POSTGRES_RESOURCES, DEFAULT_POSTGRES_STORAGE } from '../../src/data/postgres';
import {
  DEFAULT_KUBERNETES_API, DEFAULT_RABBITMQ_CREDENTIALS_SECRET, DEFAULT_RABBITMQ_IMAGE, DEFAULT_RABBITMQ_RESOURCES, DEFAULT_RABBITMQ_STORAGE,
} from '../../src/data/rabbitmq';
import {
  DEFAULT_CACHE_TTL_SECONDS, DEFAULT_REDIS_EVICTION_POLICY, DEFAULT_REDIS_IMAGE, DEFAULT_REDIS_MAXMEMORY, DEFAULT_REDIS_PASSWORD_SECRET,
  DEFAULT_REDIS_RESOURCES, DEFAULT_REDIS_STORAGE,
} from '../../src/data/redis';
import { DEFAULT_EVENTS_EXCHANGE } from '../../src/data/events';
import { CacheSchema, DatabaseSchema, PlatformSettingsSchema } from '../../src/spec/schema';

const settings = PlatformSettingsSchema.shape;

test('PostgreSQL: image, storage, resources and the client pool', () => {
  // GIVEN a spec without platform.postgres and a database block without pool WHEN parsed THEN its values are the construct defaults
  expect(settings.postgres.parse(undefined)).toEqual({ image: DEFAULT_POSTGRES_IMAGE, storage: DEFAULT_POSTGRES_STORAGE, resources: DEFAULT_POSTGRES_RESOURCES });
  expect(DatabaseSchema.parse({ name: 'orders', schema: 'orders.sql' }).pool).toEqual(DEFAULT_POSTGRES_POOL);
});

test('Redis: image, memory, eviction, persistence, storage, password Secret, resources and the TTL', () => {
  // GIVEN a spec without platform.redis and a cache block without ttlSeconds WHEN parsed THEN its values are the construct defaults
  expect(settings.redis.parse(undefined)).toEqual({
    image: DEFAULT_REDIS_IMAGE, maxmemory: DEFAULT_REDIS_MAXMEMORY, maxmemoryPolicy: DEFAULT_REDIS_EVICTION_POLICY, persistence: false,
    storage: DEFAULT_REDIS_STORAGE, passwordSecret: DEFAULT_REDIS_PASSWORD_SECRET, resources: DEFAULT_REDIS_RESOURCES,
  });
  expect(CacheSchema.parse({}).ttlSeconds).toBe(DEFAULT_CACHE_TTL_SECONDS);
});

test('RabbitMQ: image, one node, exchange, credentials Secret, storage, resources and the API server', () => {
  // GIVEN a spec without platform.rabbitmq and platform.kubernetesApi WHEN parsed THEN its values are the construct defaults
  expect(settings.rabbitmq.parse(undefined)).toEqual({
    image: DEFAULT_RABBITMQ_IMAGE, replicas: 1, exchange: DEFAULT_EVENTS_EXCHANGE, credentialsSecret: DEFAULT_RABBITMQ_CREDENTIALS_SECRET,
    storage: DEFAULT_RABBITMQ_STORAGE, resources: DEFAULT_RABBITMQ_RESOURCES,
  });
  expect(settings.kubernetesApi.parse(undefined)).toEqual(DEFAULT_KUBERNETES_API);
});
