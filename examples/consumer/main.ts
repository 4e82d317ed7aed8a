/**
 * A plain cdk8s app that is not a platform: it installs platform-constructs from its packed
 * tarball and adds hardened services and a database. scripts/ci/consumer.sh type-checks and synthesizes it.
 */
import { App, Chart } from 'cdk8s';
import { MicroService, MicroServiceProps, PostgresDatabase } from 'platform-constructs';

const app = new App({ outdir: 'dist' });
const chart = new Chart(app, 'shop', { namespace: 'shop', disableResourceNameHashes: true });

// The one-liner: Deployment, Service, ServiceAccount, HPA and PDB with the hardened defaults.
new MicroService(chart, 'web', { image: 'ghcr.io/acme/web:1.4.2', port: 8080 });

// Any default can be set; the props are typed and documented.
const worker: MicroServiceProps = {
  image: 'ghcr.io/acme/worker:2.0.1',
  port: 9090,
  replicas: 1,
  env: { QUEUE: 'orders' },
  secretEnv: { DB_PASSWORD: { secret: 'worker-db', key: 'password' } },
};
const service = new MicroService(chart, 'worker', worker);
service.addEnv('LOG_LEVEL', 'info');

// A database only the worker may reach: StatefulSet, Services, init SQL, network policy, PDB;
// connect() gives the worker its connection settings (the password from the Secret, never in YAML).
const db = new PostgresDatabase(chart, 'worker-db', { owner: 'worker', initSql: 'CREATE TABLE jobs (id bigserial PRIMARY KEY);' });
db.connect(service);

app.synth();
