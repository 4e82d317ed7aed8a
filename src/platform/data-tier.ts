/**
 * The data tier of one environment, mapped from the spec: a PostgreSQL per service that declares
 * `database`, one Redis when any service declares `cache`, RabbitMQ when any service publishes or
 * consumes, each isolated by a NetworkPolicy, and each client's connection settings as env.
 */
import type { EnvironmentCharts } from './manifest-chart';
import { SpecFiles } from '../spec/files';
import { EventTopology } from '../data/events';
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
    const db = new PostgresDatabase(scope, `postgres-${name}`, {
      ...ctx,
      owner: name,
      database: svc.database,
      initSql: files.text(svc.database.schema),
      initSqlSource: svc.database.schema,
      settings: spec.platform.postgres,
    });
    db.connect(workload(name));
    databases.set(name, db);
  }

  const cached = Object.entries(spec.services).flatMap(([name, svc]) => (svc.cache ? [{ name, ttlSeconds: svc.cache.ttlSeconds }] : []));
  let cache: RedisCache | undefined;
  if (cached.length > 0) {
    cache = new RedisCache(scope, 'redis', { ...ctx, settings: spec.platform.redis });
    for (const { name, ttlSeconds } of cached) cache.connect(workload(name), ttlSeconds);
  }

  const topology = new EventTopology(spec.platform.rabbitmq.exchange, spec.services);
  let broker: RabbitMqCluster | undefined;
  if (!topology.isEmpty) {
    broker = new RabbitMqCluster(scope, 'rabbitmq', { ...ctx, settings: spec.platform.rabbitmq, kubernetesApi: spec.platform.kubernetesApi, topology });
    for (const name of topology.clients) broker.connect(workload(name));
  }
  return { databases, cache, broker };
}
