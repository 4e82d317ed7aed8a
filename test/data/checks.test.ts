/** Bad data-tier input: each class of mistake is reported as `file:line: spec.path: message`. */
import { editReference, lineIn, problemsOf, referenceText } from '../helpers';

test('a database name that is not a PostgreSQL identifier', () => {
  // GIVEN user-service names its database with capitals and a dash
  const text = editReference(['database: { name: user_service,', 'database: { name: User-Service,']);
  // WHEN the spec is loaded
  // THEN the schema rejects it and says what is allowed
  expect(problemsOf(text)).toEqual([
    'platform.yaml:33: services.user-service.database.name: must be a PostgreSQL identifier: lowercase letters, digits and "_", starting with a letter or "_", at most 63 characters',
  ]);
});

test('two services claiming the same database', () => {
  // GIVEN order-service names user-service's database
  const text = editReference(['database: { name: order_service,', 'database: { name: user_service,']);
  // WHEN the spec is loaded
  // THEN the second claim is reported with the owner
  expect(problemsOf(text)).toEqual([
    'platform.yaml:51: services.order-service.database.name: database "user_service" is already owned by user-service; every service needs its own database (database per service)',
  ]);
});

test('a PostgreSQL template database as a database name', () => {
  // GIVEN order-service names its database template1 WHEN the spec is loaded THEN it is refused with a suggested name
  const text = editReference(['database: { name: order_service,', 'database: { name: template1,']);
  expect(problemsOf(text)).toEqual([
    'platform.yaml:51: services.order-service.database.name: "template1" is a PostgreSQL template database; choose another name, e.g. order_service',
  ]);
});

test('a service and environment name too long together for the database\'s instance label', () => {
  // GIVEN inventory-service renamed to 40 characters (the most a service name may have) and prod to 20
  const service = `i${'x'.repeat(39)}`;
  const env = `p${'r'.repeat(19)}`;
  const text = referenceText().split('inventory-service').join(service).replace('\n  prod:\n', `\n  ${env}:\n`);
  // WHEN the spec is loaded
  // THEN that environment's database is reported where it is declared, before any construct sees the name
  expect(problemsOf(text, [env])).toEqual([
    `platform.yaml:${lineIn(text, 'database: { name: inventory_service')}: services.${service}.database: the database's label app.kubernetes.io/instance "${service}-db-${env}" would be 64 characters, over Kubernetes' 63; shorten the service name or the environment name`,
  ]);
});

test('a schema file that does not exist, relative to the spec file', () => {
  // GIVEN a schema path with no file beside the spec
  const text = editReference(['schema: sql/order_service.sql', 'schema: sql/missing.sql']);
  // WHEN the spec is loaded
  // THEN the path is reported, and how it is resolved
  expect(problemsOf(text)).toEqual([
    'platform.yaml:51: services.order-service.database.schema: schema file "sql/missing.sql" does not exist; the path is relative to the spec file\'s directory',
  ]);
});

test('a schema path that names a directory', () => {
  // GIVEN a schema path naming the sql directory WHEN the spec is loaded THEN it asks for a file
  const text = editReference(['schema: sql/order_service.sql', 'schema: sql']);
  expect(problemsOf(text)).toEqual([
    'platform.yaml:51: services.order-service.database.schema: schema file "sql" is not a regular file (a directory); name an SQL file relative to the spec file\'s directory',
  ]);
});

test('consuming an event that no service publishes', () => {
  // GIVEN notification-service consumes order.shipped, which nobody publishes
  const text = editReference(['    consumes: [order.created]\n    secretEnv', '    consumes: [order.shipped]\n    secretEnv']);
  // WHEN the spec is loaded
  // THEN the consumer is told what is published
  expect(problemsOf(text)).toEqual([
    'platform.yaml:91: services.notification-service.consumes.0: consumes "order.shipped", which no service publishes; published events: order.created',
  ]);
});

test('consuming when nothing is published at all', () => {
  // GIVEN order-service no longer publishes order.created
  const text = editReference(['    publishes: [order.created]\n', '']);
  // WHEN the spec is loaded
  // THEN both consumers are reported
  expect(problemsOf(text)).toEqual([
    'platform.yaml:78: services.inventory-service.consumes.0: consumes "order.created", which no service publishes; published events: none',
    'platform.yaml:90: services.notification-service.consumes.0: consumes "order.created", which no service publishes; published events: none',
  ]);
});

test('an event listed twice', () => {
  // GIVEN order.created published twice WHEN the spec is loaded THEN the repeat is reported
  const text = editReference(['publishes: [order.created]', 'publishes: [order.created, order.created]']);
  expect(problemsOf(text)).toEqual(['platform.yaml:52: services.order-service.publishes.1: "order.created" is listed more than once']);
});

test('an even number of RabbitMQ nodes, blamed on the environment that sets it', () => {
  // GIVEN prod asks for 2 nodes
  const text = editReference(['rabbitmq: { replicas: 3 }', 'rabbitmq: { replicas: 2 }']);
  // WHEN the spec is loaded
  // THEN the prod override is reported, with what is allowed
  expect(problemsOf(text)).toEqual([
    'platform.yaml:120: environments.prod.platform.rabbitmq.replicas: 2 nodes cannot keep a quorum through the loss of one; use 1 (no cluster) or an odd number of at least 3',
  ]);
});

test('a Redis maxmemory that does not fit the container memory limit', () => {
  // GIVEN dev raises maxmemory to 1gb under a 384Mi limit WHEN the spec is loaded THEN the dev override is reported
  const text = editReference(['tracing: { samplingPercent: 100 }', 'tracing: { samplingPercent: 100 }\n      redis: { maxmemory: 1gb }']);
  expect(problemsOf(text)).toEqual([
    'platform.yaml:102: environments.dev.platform.redis.maxmemory: maxmemory 1gb must be below the container memory limit 384Mi, or Redis is killed before it evicts',
  ]);
});

test('a data store image that is not pinned', () => {
  // GIVEN staging runs postgres:latest WHEN the spec is loaded THEN the staging override is reported
  const text = editReference(['      postgres: { storage: { size: 5Gi } }', '      postgres: { storage: { size: 5Gi }, image: "postgres:latest" }']);
  expect(problemsOf(text)).toEqual([
    'platform.yaml:114: environments.staging.platform.postgres.image: image "postgres:latest" uses the "latest" tag; pin it by a version tag (name:1.2.3) or digest (name@sha256:...)',
  ]);
});

test('a data store request above its limit', () => {
  // GIVEN staging requests 2 CPUs under a limit of 1 WHEN the spec is loaded THEN the request is reported
  const text = editReference(['      postgres: { storage: { size: 5Gi } }',
    '      postgres: { storage: { size: 5Gi }, resources: { requests: { cpu: "2", memory: 256Mi }, limits: { cpu: "1", memory: 1Gi } } }']);
  expect(problemsOf(text)).toEqual([
    'platform.yaml:114: environments.staging.platform.postgres.resources.requests.cpu: request 2 exceeds limit 1',
  ]);
});

test('an env variable that the data tier sets', () => {
  // GIVEN user-service sets DATABASE_URL itself while it declares a database
  const text = editReference(['      LOG_LEVEL: info', '      LOG_LEVEL: info\n      DATABASE_URL: postgresql://localhost/users']);
  // WHEN the spec is loaded
  // THEN the clash is reported where it is set
  expect(problemsOf(text)).toEqual([
    'platform.yaml:31: services.user-service.env.DATABASE_URL: DATABASE_URL is set by the data tier from this service\'s database; remove it or rename it',
  ]);
});

test('every problem is reported at once', () => {
  // GIVEN a duplicate database and a missing schema file in one spec
  const text = editReference(
    ['database: { name: order_service, schema: sql/order_service.sql }', 'database: { name: user_service, schema: sql/nope.sql }'],
  );
  // WHEN the spec is loaded
  // THEN both are reported together
  expect(problemsOf(text)).toHaveLength(2);
});
