/**
 * PostgresDatabase with plain props, in any cdk8s chart: its defaults, the owner's connection,
 * and props it rejects. No platform spec here; the spec -> props mapping is tested in
 * postgres.test.ts through the fixture spec.
 */
import { Chart, Testing } from 'cdk8s';
import { PostgresDatabase, PostgresDatabaseProps } from '../../src/data/postgres';
import { MicroService } from '../../src/workload/microservice';
import { testApp, testChart } from '../support/test-chart';
import { ContainerJson, envOf, PodOwner } from './support';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Obj = { kind: string; metadata: { name: string; labels?: Record<string, string> }; spec?: any; data?: Record<string, string> };
const find = (objs: Obj[], kind: string, name: string) => {
  const found = objs.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind}/${name} in ${objs.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return found;
};
const postgresOf = (objs: Obj[], name = 'orders-db'): ContainerJson => (find(objs, 'StatefulSet', name) as unknown as PodOwner).spec.template.spec.containers[0];

/** A database and its owner in one chart, connected, synthesized. */
function synthDatabase(props: Partial<PostgresDatabaseProps> = {}, chart: Chart = testChart()): { objs: Obj[]; db: PostgresDatabase } {
  const db = new PostgresDatabase(chart, 'db', { owner: 'orders', ...props });
  db.connect(new MicroService(chart, 'orders', { image: 'ghcr.io/acme/orders:1.0.0', port: 8080, replicas: 1 }));
  return { objs: Testing.synth(chart) as Obj[], db };
}

describe('defaults', () => {
  const { objs, db } = synthDatabase({ initSql: 'create table orders (id bigint primary key);' });

  test('owner and initSql give a StatefulSet, two Services, the init ConfigMap, a budget and a NetworkPolicy named <owner>-db', () => {
    // GIVEN only the owner and its init SQL WHEN synthesized
    const own = objs.filter((o) => o.metadata.name.startsWith('orders-db')).map((o) => `${o.kind}/${o.metadata.name}`).sort();
    // THEN the database's objects are all there, named after the owner
    expect(own).toEqual([
      'ConfigMap/orders-db-init', 'NetworkPolicy/orders-db', 'PodDisruptionBudget/orders-db', 'Service/orders-db', 'Service/orders-db-headless', 'StatefulSet/orders-db',
    ]);
  });

  test('one pod of the pinned default image, 10Gi of the default StorageClass, bounded resources', () => {
    // GIVEN no image, storage or resources WHEN synthesized THEN the documented defaults apply
    const sts = find(objs, 'StatefulSet', 'orders-db');
    expect(sts.spec.replicas).toBe(1);
    expect(postgresOf(objs).image).toBe('postgres:16.4-bookworm');
    expect(sts.spec.volumeClaimTemplates).toHaveLength(1);
    expect(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('10Gi');
    expect(sts.spec.volumeClaimTemplates[0].spec.storageClassName).toBeUndefined();
    expect(postgresOf(objs).resources).toEqual({
      requests: { 'cpu': '250m', 'memory': '256Mi', 'ephemeral-storage': '128Mi' },
      limits: { 'cpu': '1', 'memory': '1Gi', 'ephemeral-storage': '256Mi' },
    });
  });

  test('the database is named after the owner, and the init SQL runs in it', () => {
    // GIVEN no databaseName WHEN synthesized THEN POSTGRES_DB is the owner with "_" and the ConfigMap file carries the SQL
    expect(db.databaseName).toBe('orders');
    expect(envOf(postgresOf(objs)).POSTGRES_DB).toBe('orders');
    expect(find(objs, 'ConfigMap', 'orders-db-init').data).toEqual({
      'orders.sql': '-- The postgres entrypoint runs this once, in database orders.\ncreate table orders (id bigint primary key);',
    });
  });

  test('without an environment or part-of, labels and selector name only the store', () => {
    // GIVEN no environment and no partOf WHEN synthesized
    const sts = find(objs, 'StatefulSet', 'orders-db');
    // THEN the instance is the name, and there is no part-of label
    expect(sts.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'orders-db', 'app.kubernetes.io/instance': 'orders-db' });
    expect(sts.metadata.labels).toEqual({
      'app.kubernetes.io/name': 'orders-db', 'app.kubernetes.io/instance': 'orders-db', 'app.kubernetes.io/component': 'database',
      'app.kubernetes.io/managed-by': 'cdk8s', 'app.kubernetes.io/version': '16.4-bookworm',
    });
  });

  test('the owner gets its connection settings, the credentials by Secret reference, and the default pool', () => {
    // GIVEN the owner connected WHEN its Deployment is read
    const env = envOf((find(objs, 'Deployment', 'orders') as unknown as PodOwner).spec.template.spec.containers[0]);
    // THEN it has host, database, Secret-backed credentials and the pool defaults; the namespace is "default" (no chart namespace)
    expect(env).toMatchObject({
      DB_HOST: 'orders-db.default.svc.cluster.local', DB_PORT: '5432', DB_NAME: 'orders',
      DB_USER: 'secret:orders-db-credentials/username', DB_PASSWORD: 'secret:orders-db-credentials/password',
      DATABASE_URL: 'postgresql://$(DB_USER):$(DB_PASSWORD)@orders-db.default.svc.cluster.local:5432/orders',
      DB_POOL_MAX: '20', DB_POOL_IDLE_TIMEOUT_MS: '30000', DB_POOL_CONNECT_TIMEOUT_MS: '2000',
    });
    // AND the NetworkPolicy admits exactly the owner's pods
    const ingress = find(objs, 'NetworkPolicy', 'orders-db').spec.ingress;
    expect(ingress).toEqual([{ from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'orders', 'app.kubernetes.io/instance': 'orders' } } }], ports: [{ protocol: 'TCP', port: 5432 }] }]);
  });
});

test('the host names the chart\'s namespace unless the props name one', () => {
  // GIVEN a chart in namespace "shop" WHEN a database is added without a namespace prop, and one with namespace "other"
  const inShop = synthDatabase({}, new Chart(testApp(), 'c1', { namespace: 'shop' })).db;
  const inOther = synthDatabase({ namespace: 'other' }, new Chart(testApp(), 'c2', { namespace: 'shop' })).db;
  // THEN the first host is in the chart's namespace, the second in the named one
  expect(inShop.host).toBe('orders-db.shop.svc.cluster.local');
  expect(inOther.host).toBe('orders-db.other.svc.cluster.local');
});

test('without initSql there is no init ConfigMap and nothing mounted at /docker-entrypoint-initdb.d', () => {
  // GIVEN no initSql WHEN synthesized
  const { objs, db } = synthDatabase();
  // THEN no ConfigMap, no init volume or mount
  expect(db.initConfigMap).toBeUndefined();
  expect(objs.filter((o) => o.kind === 'ConfigMap')).toEqual([]);
  expect(postgresOf(objs).volumeMounts.map((m) => m.name)).toEqual(['data', 'run', 'tmp', 'shm']);
});

test('explicit props replace the defaults', () => {
  // GIVEN every setting given WHEN synthesized
  const { objs } = synthDatabase({
    databaseName: 'order_store', initSql: 'select 1;', initSqlSource: 'sql/orders.sql', credentialsSecret: 'orders-pg', pool: { max: 5 },
    image: 'postgres:16.6-bookworm', storage: { size: '50Gi', storageClass: 'fast-ssd' }, environment: 'prod', partOf: 'shop',
  });
  const sts = find(objs, 'StatefulSet', 'orders-db');
  // THEN each one is used, the other pool settings keep their defaults
  expect(postgresOf(objs).image).toBe('postgres:16.6-bookworm');
  expect(sts.spec.volumeClaimTemplates[0].spec).toMatchObject({ storageClassName: 'fast-ssd', resources: { requests: { storage: '50Gi' } } });
  expect(sts.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'orders-db', 'app.kubernetes.io/instance': 'orders-db-prod' });
  expect(sts.metadata.labels?.['app.kubernetes.io/part-of']).toBe('shop');
  expect(find(objs, 'ConfigMap', 'orders-db-init').data).toEqual({
    'order_store.sql': '-- Generated from sql/orders.sql; the postgres entrypoint runs it once, in database order_store.\nselect 1;',
  });
  const env = envOf((find(objs, 'Deployment', 'orders') as unknown as PodOwner).spec.template.spec.containers[0]);
  expect(env).toMatchObject({ DB_NAME: 'order_store', DB_USER: 'secret:orders-pg/username', DB_POOL_MAX: '5', DB_POOL_IDLE_TIMEOUT_MS: '30000' });
});

describe('rejected props', () => {
  const attempt = (props: Partial<PostgresDatabaseProps>) => () => new PostgresDatabase(testChart(), 'db', { owner: 'orders', ...props });

  test('every problem is named at once, with the construct path', () => {
    // GIVEN an unpinned image, a request above its limit, a source without SQL and a pool of 0
    // WHEN the database is constructed THEN one error lists all four
    let message = '';
    try {
      attempt({
        image: 'postgres:latest', initSqlSource: 'a.sql', pool: { max: 0 },
        resources: { requests: { cpu: '2', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } },
      })();
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message.split('\n')).toEqual([
      'PostgresDatabase test/db: invalid props:',
      '  - initSqlSource names where initSql came from, but initSql is not set; set both or neither',
      '  - pool.max 0 must be a whole number from 1 to 2147483647',
      '  - image "postgres:latest" uses the "latest" tag; pin it by a version tag (name:1.2.3) or digest (name@sha256:...)',
      '  - resources.requests.cpu 2 exceeds resources.limits.cpu 1',
    ]);
  });

  test.each([
    ['an owner that is no service name', { owner: 'Orders' }, 'owner "Orders" (a service name)'],
    ['a database name that is no identifier', { databaseName: 'Order-Store' }, 'databaseName "Order-Store" must be a PostgreSQL identifier'],
    ['a template database', { databaseName: 'template1' }, 'databaseName "template1" is a PostgreSQL template database'],
    ['a storage size that is no quantity', { storage: { size: 'ten gigs' } }, 'storage.size "ten gigs"'],
    ['an owner too long for its headless Service', { owner: `a${'b'.repeat(51)}` }, `Service name "a${'b'.repeat(51)}-db-headless"`],
  ])('%s is rejected', (_what, props, expected) => {
    // GIVEN the prop WHEN the database is constructed THEN the error names it
    expect(attempt(props)).toThrow(expected);
  });

  test('only the owner may connect, and only once', () => {
    // GIVEN a database of orders and two services
    const chart = testChart();
    const db = new PostgresDatabase(chart, 'db', { owner: 'orders' });
    const other = new MicroService(chart, 'billing', { image: 'ghcr.io/acme/billing:1.0.0', port: 8080 });
    const owner = new MicroService(chart, 'orders', { image: 'ghcr.io/acme/orders:1.0.0', port: 8080 });
    // WHEN billing connects, then orders twice THEN billing and the second connection are refused
    expect(() => db.connect(other)).toThrow('database orders belongs to orders; billing may not connect to it');
    db.connect(owner);
    expect(() => db.connect(owner)).toThrow('orders is already connected to database orders');
  });
});
