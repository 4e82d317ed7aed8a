/**
 * The data tier of one environment, mapped from the spec: a PostgreSQL per service that declares
 * `database`, one Redis when any service declares `cache`, RabbitMQ when any service publishes or
 * consumes, each isolated by a NetworkPolicy, and each client's connection settings as env.
 */
import type { EnvironmentCharts } from './manifest-chart';
import { SpecFiles } from '../spec/files';
import { EventClient } from '../data/events';
import { PostgresDatabase } from '../data/postgres';
import { RabbitMqCluster } from '../data/rabbitmq';
import { RedisCache } from '../data/redis';
import { StoreContext } from '../data/store-parts';

/** The data stores of one environment. */
export interface DataTier {
  /** Databases by owning service. */
  readonly databases: ReadonlyMap<string, PostgresDatabase>;
  /** The cache, when any service declares `cache`. */
  readonly cache?: RedisCache;
  /** The broker, when any service publishes or consumes. */
  readonly broker?: RabbitMqCluster;
}

/** Adds the data stores to the data chart and connects the services to them. */
export function addDataTier(platform: EnvironmentCharts): DataTier {
  const spec = platform.spec;
  const scope = platform.dataChart;
  const ctx: StoreContext = { environment: spec.name, partOf: spec.platform.name, namespace: spec.namespace };
  const workload = (name: string) => {
    const stack = platform.services.get(name);
    if (!stack) throw new Error(`the data tier needs service ${name}, which the platform did not compose`);
    return stack.workload;
  };

  const databases = new Map<string, PostgresDatabase>();
  // Read once per spec, confined to the spec's directory tree (see src/spec/files.ts).
  const files = spec.files ?? new SpecFiles(spec.baseDir);
  for (const [name, svc] of Object.entries(spec.services)) {
    if (!svc.database) continue;
    const { postgres } = spec.platform;
    const db = new PostgresDatabase(scope, `postgres-${name}`, {
      ...ctx,
      owner: name,
      databaseName: svc.database.name,
      initSql: files.text(svc.database.schema),
      initSqlSource: svc.database.schema,
      credentialsSecret: svc.database.credentialsSecret,
      pool: svc.database.pool,
      image: postgres.image,
      storage: postgres.storage,
      resources: postgres.resources,
    });
    db.connect(workload(name));
    databases.set(name, db);
  }

  const cached = Object.entries(spec.services).flatMap(([name, svc]) => (svc.cache ? [{ name, ttlSeconds: svc.cache.ttlSeconds }] : []));
  let cache: RedisCache | undefined;
  if (cached.length > 0) {
    const { redis } = spec.platform;
    cache = new RedisCache(scope, 'redis', {
      ...ctx,
      image: redis.image,
      maxmemory: redis.maxmemory,
      maxmemoryPolicy: redis.maxmemoryPolicy,
      persistence: redis.persistence,
      // The spec always has a storage block (defaulted); the construct takes one only with persistence.
      storage: redis.persistence ? redis.storage : undefined,
      passwordSecret: redis.passwordSecret,
      resources: redis.resources,
    });
    for (const { name, ttlSeconds } of cached) cache.connect(workload(name), ttlSeconds);
  }

  const clients: Record<string, EventClient> = {};
  for (const [name, svc] of Object.entries(spec.services)) {
    if (svc.publishes.length > 0 || svc.consumes.length > 0) clients[name] = { publishes: svc.publishes, consumes: svc.consumes };
  }
  let broker: RabbitMqCluster | undefined;
  if (Object.keys(clients).length > 0) {
    const { rabbitmq } = spec.platform;
    broker = new RabbitMqCluster(scope, 'rabbitmq', {
      ...ctx,
      clients,
      exchange: rabbitmq.exchange,
      replicas: rabbitmq.replicas,
      image: rabbitmq.image,
      credentialsSecret: rabbitmq.credentialsSecret,
      storage: rabbitmq.storage,
      resources: rabbitmq.resources,
      kubernetesApi: spec.platform.kubernetesApi,
    });
    for (const name of broker.topology.clients) broker.connect(workload(name));
  }
  return { databases, cache, broker };
}
