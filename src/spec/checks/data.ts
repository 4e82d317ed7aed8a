/** Checks of the data tier: database ownership and schema files, events, data store settings. */
import type { CheckContext, Report } from './types';
import { quote } from '../escape';
import { SpecFiles } from '../files';
import { repeats } from '../lists';
import { parseQuantity, parseRedisSize } from '../quantity';
import { EnvironmentSpec, ResourcesSpec } from '../schema';

/** RabbitMQ's limit on queue names, in bytes. */
const MAX_QUEUE_NAME = 255;
/** Kubernetes' limit on a label value. */
const MAX_LABEL_VALUE = 63;
/** Databases PostgreSQL creates itself; POSTGRES_DB cannot be one of the templates. */
const RESERVED_DATABASES = ['template0', 'template1'];

export function checkData(env: EnvironmentSpec, report: Report, context: CheckContext): void {
  checkDatabases(env, report);
  checkEvents(env, report, context);
  checkStores(env, report);
  checkClientEnv(env, report);
}

/** The variables the data tier gives a client, by what the service declares. */
const CLIENT_ENV = {
  database: ['DB_HOST', 'DB_PORT', 'DB_NAME', 'DB_USER', 'DB_PASSWORD', 'DATABASE_URL', 'DB_POOL_MAX', 'DB_POOL_IDLE_TIMEOUT_MS', 'DB_POOL_CONNECT_TIMEOUT_MS'],
  cache: ['REDIS_PASSWORD', 'REDIS_URL', 'CACHE_TTL_SECONDS', 'CACHE_KEY_PREFIX'],
  events: ['RABBITMQ_USER', 'RABBITMQ_PASSWORD', 'AMQP_URL', 'EVENTS_EXCHANGE', 'EVENTS_PUBLISHES', 'EVENTS_QUEUES'],
} as const;

function checkClientEnv(env: EnvironmentSpec, report: Report): void {
  for (const [name, svc] of Object.entries(env.services)) {
    const generated = new Map<string, string>();
    const add = (what: string, names: readonly string[]) => names.forEach((n) => generated.set(n, what));
    if (svc.database) add('database', CLIENT_ENV.database);
    if (svc.cache) add('cache', CLIENT_ENV.cache);
    if (svc.publishes.length > 0 || svc.consumes.length > 0) add('publishes/consumes', CLIENT_ENV.events);
    for (const list of ['env', 'secretEnv'] as const) {
      for (const key of Object.keys(svc[list])) {
        const from = generated.get(key);
        if (from) report(['services', name, list, key], `${key} is set by the data tier from this service's ${from}; remove it or rename it`);
      }
    }
  }
}

function checkDatabases(env: EnvironmentSpec, report: Report): void {
  const owners = new Map<string, string>();
  for (const [name, svc] of Object.entries(env.services)) {
    if (!svc.database) continue;
    const at = (...p: PropertyKey[]) => ['services', name, 'database', ...p];
    const db = svc.database.name;
    const owner = owners.get(db);
    if (owner) report(at('name'), `database "${db}" is already owned by ${owner}; every service needs its own database (database per service)`);
    else owners.set(db, name);
    if (RESERVED_DATABASES.includes(db)) report(at('name'), `"${db}" is a PostgreSQL template database; choose another name, e.g. ${name.replace(/-/g, '_')}`);
    // The database's objects are labelled app.kubernetes.io/instance <service>-db-<env>; a label value has at most 63 characters.
    const instance = `${name}-db-${env.name}`;
    if (instance.length > MAX_LABEL_VALUE) {
      report(at(), `the database's label app.kubernetes.io/instance "${instance}" would be ${instance.length} characters, over Kubernetes' ${MAX_LABEL_VALUE}; shorten the service name or the environment name`);
    }

    const schema = svc.database.schema;
    const read = (env.files ?? new SpecFiles(env.baseDir)).read(schema);
    if ('problem' in read) {
      const hint = /^does not exist/.test(read.problem) ? "; the path is relative to the spec file's directory"
        : /^is not a regular file/.test(read.problem) ? "; name an SQL file relative to the spec file's directory" : '';
      report(at('schema'), `schema file ${quote(schema)} ${read.problem}${hint}`);
    } else if (read.text.trim() === '') {
      report(at('schema'), `schema file ${quote(schema)} is empty; it must create the service's tables`);
    }
  }
}

function checkEvents(env: EnvironmentSpec, report: Report, context: CheckContext): void {
  // Events of a service that failed the schema count too: its own problem is reported already.
  const published = new Set(context.declaredEvents);
  const publishedList = [...published].sort().join(', ') || 'none';
  for (const [name, svc] of Object.entries(env.services)) {
    for (const list of ['publishes', 'consumes'] as const) {
      const events = svc[list];
      for (const i of repeats(events)) report(['services', name, list, i], `${quote(events[i])} is listed more than once`);
    }
    svc.consumes.forEach((event, i) => {
      const at = ['services', name, 'consumes', i];
      if (!published.has(event)) {
        report(at, `consumes "${event}", which no service publishes; published events: ${publishedList}`);
      } else if (Buffer.byteLength(`${name}.${event}`) > MAX_QUEUE_NAME) {
        report(at, `queue name "${name}.${event}" would be longer than RabbitMQ's ${MAX_QUEUE_NAME} bytes; shorten the event name`);
      }
    });
  }
}

function checkStores(env: EnvironmentSpec, report: Report): void {
  const { postgres, redis, rabbitmq } = env.platform;
  const stores = { postgres, redis, rabbitmq } as const;
  for (const [store, settings] of Object.entries(stores)) {
    checkResources(['platform', store, 'resources'], settings.resources, report);
  }

  if (rabbitmq.replicas !== 1 && (rabbitmq.replicas < 3 || rabbitmq.replicas % 2 === 0)) {
    report(['platform', 'rabbitmq', 'replicas'],
      `${rabbitmq.replicas} nodes cannot keep a quorum through the loss of one; use 1 (no cluster) or an odd number of at least 3`);
  }

  // Redis needs room beyond maxmemory for buffers, fragmentation and the append-only rewrite.
  const maxmemory = parseRedisSize(redis.maxmemory);
  const limit = parseQuantity(redis.resources.limits.memory);
  if (maxmemory >= limit) {
    report(['platform', 'redis', 'maxmemory'],
      `maxmemory ${redis.maxmemory} must be below the container memory limit ${redis.resources.limits.memory}, or Redis is killed before it evicts`);
  }
}

function checkResources(at: PropertyKey[], resources: ResourcesSpec, report: Report): void {
  for (const r of ['cpu', 'memory'] as const) {
    if (parseQuantity(resources.requests[r]) > parseQuantity(resources.limits[r])) {
      report([...at, 'requests', r], `request ${resources.requests[r]} exceeds limit ${resources.limits[r]}`);
    }
  }
}
