/**
 * The generated PostgreSQL init SQL and client settings against a real PostgreSQL server at the
 * deployed version (the npm registry's build pinned in scripts/integration/versions.env, installed by
 * scripts/integration/install-servers.sh; psql and pg_isready are Debian's client).
 */
import { ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { servicePods } from '../data/support';
import { findObject, objectsOf } from '../helpers';
import { asUser, expandContainerEnv, freePort, reachableBy, run, serversCache, startServer, stopServer, tempDirFor, waitFor, writeFileFor } from './servers';
import { checkTestedVersion, integrationVersions, statefulSetImages } from './versions';

const objects = objectsOf('dev');
const pinned = integrationVersions();
/** The installed server (bin/, lib/, share/), as install-servers.sh leaves it. */
const serverHome = path.join(serversCache(), `postgresql-${pinned.POSTGRES_PACKAGE_VERSION}`);
/** Debian's client programs (psql, pg_isready): the newest installed. */
const client = (name: string) => {
  const versions = fs.readdirSync('/usr/lib/postgresql').sort((a, b) => Number(a) - Number(b));
  return path.join('/usr/lib/postgresql', versions[versions.length - 1], 'bin', name);
};

let dir: string;
let port: number;
let server: ChildProcess | undefined;
/** The server's programs, from a directory its user can reach. */
let bin: (name: string) => string;

/** psql as the superuser over the server's socket directory. */
const psql = (db: string, ...args: string[]) =>
  run([client('psql'), '--no-psqlrc', '-v', 'ON_ERROR_STOP=1', '-h', dir, '-p', String(port), '-U', 'postgres', '-d', db, '-At', ...args]);

beforeAll(async () => {
  if (!fs.existsSync(path.join(serverHome, 'bin', 'postgres'))) {
    throw new Error(`no PostgreSQL ${pinned.POSTGRES_VERSION} in ${serverHome}: run bash scripts/integration/install-servers.sh`);
  }
  dir = tempDirFor('postgres', 'pg-it');
  const home = reachableBy('postgres', serverHome, dir);
  bin = (name) => path.join(home, 'bin', name);
  port = await freePort();
  const data = path.join(dir, 'data');
  // Local socket connections trusted (the test's superuser); TCP only with a password, like a cluster client.
  run([...asUser('postgres'), bin('initdb'), '-D', data, '-U', 'postgres', '--auth-local=trust', '--auth-host=scram-sha-256'], { timeoutMs: 60_000 });
  const started = startServer([...asUser('postgres'), bin('postgres'), '-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1']);
  server = started.child;
  await waitFor('PostgreSQL to accept connections',
    () => { try { run([client('pg_isready'), '-h', '127.0.0.1', '-p', String(port), '-q']); return true; } catch { return false; } },
    30_000, started);
}, 90_000);

afterAll(async () => {
  await stopServer(server);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('the server is the PostgreSQL version every database StatefulSet deploys', () => {
  // GIVEN the image of every PostgreSQL StatefulSet (one per service database)
  const images = statefulSetImages(objects, /-db$/);
  // WHEN the running server reports its version
  const version = psql('postgres', '-c', 'SHOW server_version').trim();
  const full = psql('postgres', '-c', 'SELECT version()').trim();
  // THEN it is the deployed version, exactly
  const results = images.map((image) => checkTestedVersion('postgres', image, version));
  console.log(`${results.map((r) => r.line).join('\n')}\n${full}`);
  expect(images.length).toBeGreaterThan(0);
  expect(results.filter((r) => !r.ok).map((r) => r.line)).toEqual([]);
});

const expectedColumns: Record<string, Record<string, Record<string, string>>> = {
  user_service: { users: { id: 'uuid', email: 'character varying', password_hash: 'character varying', created_at: 'timestamp without time zone' } },
  order_service: {
    orders: { id: 'uuid', user_id: 'uuid', total_amount: 'numeric', status: 'character varying', created_at: 'timestamp without time zone' },
  },
  inventory_service: {
    products: { id: 'uuid', sku: 'character varying', name: 'character varying', price: 'numeric', created_at: 'timestamp without time zone' },
    stock: { product_id: 'uuid', quantity: 'integer', reserved: 'integer', updated_at: 'timestamp without time zone' },
  },
};

describe.each([
  ['user-service', 'user_service'],
  ['order-service', 'order_service'],
  ['inventory-service', 'inventory_service'],
])('the database of %s', (service, database) => {
  test(`the init SQL from the ConfigMap creates the tables of ${database} with their columns`, () => {
    // GIVEN the SQL exactly as the ConfigMap carries it, and the database POSTGRES_DB would create
    const configMap = findObject<{ data: Record<string, string> }>(objects, 'ConfigMap', `${service}-db-init`);
    const sqlFile = path.join(dir, `${database}.sql`);
    writeFileFor('postgres', sqlFile, configMap.data[`${database}.sql`]);
    psql('postgres', '-c', `CREATE DATABASE ${database}`);
    // WHEN it runs the way the postgres entrypoint runs init scripts (stop at the first error)
    psql(database, '-f', sqlFile);
    // THEN every table exists with the columns and types of the schema file
    const rows = psql(database, '-c',
      "SELECT table_name || ' ' || column_name || ' ' || data_type FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1");
    const actual: Record<string, Record<string, string>> = {};
    for (const line of rows.trim().split('\n')) {
      const [table, column, ...type] = line.split(' ');
      (actual[table] ??= {})[column] = type.join(' ');
    }
    expect(actual).toEqual(expectedColumns[database]);
  });

  test(`${service} reaches ${database} with the DATABASE_URL its pods get`, () => {
    // GIVEN a login role from the credentials Secret, and the service's env expanded as the kubelet does
    const password = `pw-${database}-Zq7`;
    psql('postgres', '-c', `CREATE ROLE ${database}_app LOGIN PASSWORD '${password}'`);
    psql(database, '-c', `GRANT ALL ON ALL TABLES IN SCHEMA public TO ${database}_app`);
    const deployment = servicePods(objects, service);
    const env = expandContainerEnv(deployment.spec.template.spec.containers[0].env, {
      [`${service}-db-credentials`]: { username: `${database}_app`, password },
    });
    // WHEN the URL, pointed at the local server instead of the cluster Service, is used to connect over TCP
    const url = env.DATABASE_URL.replace(`${env.DB_HOST}:${env.DB_PORT}`, `127.0.0.1:${port}`);
    const tables = run([client('psql'), '--no-psqlrc', '-At', url, '-c', 'SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()']);
    // THEN the password authenticates and the owner's tables are there
    expect(env.DATABASE_URL).toBe(`postgresql://${database}_app:${password}@${env.DB_HOST}:5432/${database}`);
    expect(Number(tables.trim())).toBe(Object.keys(expectedColumns[database]).length);
  });
});
