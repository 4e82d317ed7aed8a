/**
 * One service's own PostgreSQL: a single-pod StatefulSet on its own volume, its Services,
 * the init SQL, a disruption budget and a NetworkPolicy that admits only the owning service.
 */
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { SQL_IDENTIFIER } from '../spec/formats';
import { dns1035Label, dns1123Subdomain, INT32_MAX } from '../spec/k8s-rules';
import { MicroService } from '../workload/microservice';
import { ContainerResourceAmounts } from '../workload/resources';
import { DataStoreNetworkPolicy } from './network-policy';
import {
  containerPorts, containerResources, dataVolumeClaim, execProbe, rejectProblems, scratchVolume, serviceHost, shell, StoreContext, storeDisruptionBudget,
  storeLabels, storeNamespace, storeProblems, storeSecurity, storeServices, storeStatefulSet, StoreStorage,
} from './store-parts';

/** The PostgreSQL port. */
export const POSTGRES_PORT = 5432;
/** Where the volume is mounted; PGDATA is a subdirectory of it. */
export const POSTGRES_MOUNT = '/var/lib/postgresql/data';
/** Keys of the credentials Secret. */
export const POSTGRES_SECRET_KEYS = { username: 'username', password: 'password' } as const;

/** The default PostgreSQL image, pinned. */
export const DEFAULT_POSTGRES_IMAGE = 'postgres:16.4-bookworm';
/** The default volume of each database. */
export const DEFAULT_POSTGRES_STORAGE: StoreStorage = { size: '10Gi' };
/** The default requests and limits of the PostgreSQL container. */
export const DEFAULT_POSTGRES_RESOURCES: ContainerResourceAmounts = {
  requests: { cpu: '250m', memory: '256Mi' },
  limits: { cpu: '1', memory: '1Gi' },
};
/** The default client pool settings the owner gets as env. */
export const DEFAULT_POSTGRES_POOL: Required<PostgresPoolSettings> = { max: 20, idleTimeoutMs: 30000, connectTimeoutMs: 2000 };

/** Databases PostgreSQL creates itself; POSTGRES_DB cannot be one of them. */
const RESERVED_DATABASES = ['template0', 'template1'];

/** The owner's client pool, passed to it as DB_POOL_MAX, DB_POOL_IDLE_TIMEOUT_MS and DB_POOL_CONNECT_TIMEOUT_MS. */
export interface PostgresPoolSettings {
  /**
   * Most pooled connections.
   * @default 20
   */
  readonly max?: number;
  /**
   * How long an idle connection stays open, in milliseconds.
   * @default 30000
   */
  readonly idleTimeoutMs?: number;
  /**
   * How long a connection attempt may take, in milliseconds.
   * @default 2000
   */
  readonly connectTimeoutMs?: number;
}

/**
 * Props of a PostgresDatabase: only the owning service is required, so
 * `new PostgresDatabase(chart, 'db', { owner: 'orders', initSql: 'create table ...' })` is a
 * complete database.
 */
export interface PostgresDatabaseProps extends StoreContext {
  /** The service that owns the database, the only one that may connect; objects are named `<owner>-db`. */
  readonly owner: string;
  /**
   * Database name (POSTGRES_DB): a lowercase PostgreSQL identifier.
   * @default - the owner with "-" replaced by "_" (orders-api -> orders_api)
   */
  readonly databaseName?: string;
  /**
   * SQL run once, in the database, when it is first created (for example the schema).
   * @default - none: the database starts empty and no init ConfigMap is created
   */
  readonly initSql?: string;
  /**
   * Where the init SQL came from (a file name), named in the ConfigMap's first line. Requires `initSql`.
   * @default - the first line names no source
   */
  readonly initSqlSource?: string;
  /**
   * Secret with keys "username" and "password" (created outside the platform, never generated).
   * @default "<owner>-db-credentials"
   */
  readonly credentialsSecret?: string;
  /**
   * The owner's client pool settings.
   * @default - { max: 20, idleTimeoutMs: 30000, connectTimeoutMs: 2000 }
   */
  readonly pool?: PostgresPoolSettings;
  /**
   * PostgreSQL image, pinned by tag or digest.
   * @default "postgres:16.4-bookworm"
   */
  readonly image?: string;
  /**
   * The data volume.
   * @default - 10Gi of the cluster's default StorageClass
   */
  readonly storage?: StoreStorage;
  /**
   * Requests and limits of the PostgreSQL container.
   * @default - requests 250m CPU / 256Mi memory, limits 1 CPU / 1Gi memory
   */
  readonly resources?: ContainerResourceAmounts;
}

/** A database owned by one service. */
export class PostgresDatabase extends Construct {
  /** Object name: `<owner>-db`. */
  public readonly name: string;
  /** Fully qualified host of the client Service. */
  public readonly host: string;
  /** The Secret with keys "username" and "password" (created outside the platform). */
  public readonly credentialsSecret: string;
  /** The StatefulSet. */
  public readonly statefulSet: k8s.KubeStatefulSet;
  /** The service that owns the database. */
  public readonly owner: string;
  /** The database name (POSTGRES_DB). */
  public readonly databaseName: string;
  /** The owner's client pool settings, defaults applied. */
  public readonly pool: Required<PostgresPoolSettings>;
  /** The ConfigMap with the init SQL; undefined without `initSql`. */
  public readonly initConfigMap?: k8s.KubeConfigMap;
  /** Ingress isolation. */
  public readonly networkPolicy: DataStoreNetworkPolicy;
  private connected = false;

  constructor(scope: Construct, id: string, props: PostgresDatabaseProps) {
    super(scope, id);
    this.name = `${props.owner}-db`;
    this.databaseName = props.databaseName ?? props.owner.replace(/-/g, '_');
    this.pool = {
      max: props.pool?.max ?? DEFAULT_POSTGRES_POOL.max,
      idleTimeoutMs: props.pool?.idleTimeoutMs ?? DEFAULT_POSTGRES_POOL.idleTimeoutMs,
      connectTimeoutMs: props.pool?.connectTimeoutMs ?? DEFAULT_POSTGRES_POOL.connectTimeoutMs,
    };
    const image = props.image ?? DEFAULT_POSTGRES_IMAGE;
    const storage = props.storage ?? DEFAULT_POSTGRES_STORAGE;
    const resources = props.resources ?? DEFAULT_POSTGRES_RESOURCES;
    rejectProblems('PostgresDatabase', scope, id, [
      ...postgresProblems(props, this.databaseName, this.pool),
      ...storeProblems(this.name, { ctx: props, image, storage, resources }),
    ]);
    this.owner = props.owner;
    this.host = serviceHost(this.name, storeNamespace(this, props));
    this.credentialsSecret = props.credentialsSecret ?? `${props.owner}-db-credentials`;
    const { labels, selector, claimLabels } = storeLabels(this.name, 'database', image, props);
    const port = { name: 'postgres', port: POSTGRES_PORT };

    const { headless } = storeServices(this, { name: this.name, labels, selector, clientPorts: [port] });

    if (props.initSql !== undefined) {
      const header = props.initSqlSource === undefined
        ? `-- The postgres entrypoint runs this once, in database ${this.databaseName}.`
        : `-- Generated from ${props.initSqlSource}; the postgres entrypoint runs it once, in database ${this.databaseName}.`;
      this.initConfigMap = new k8s.KubeConfigMap(this, 'Init', {
        metadata: { name: `${this.name}-init`, labels: { ...labels } },
        data: { [`${this.databaseName}.sql`]: `${header}\n${props.initSql}` },
      });
    }

    const secretRef = (key: string): k8s.EnvVarSource => ({ secretKeyRef: { name: this.credentialsSecret, key } });
    const security = storeSecurity();
    const run = scratchVolume('run', '/var/run/postgresql', '16Mi');
    const tmp = scratchVolume('tmp', '/tmp', '64Mi');
    // Parallel queries use POSIX shared memory; the runtime's default /dev/shm is 64 MB.
    const shm = scratchVolume('shm', '/dev/shm', '256Mi', 'Memory');
    // Checks the real TCP listener: during first-time init the entrypoint's temporary server listens on the socket only.
    const ready = 'exec pg_isready --host=127.0.0.1 --port=5432 --username="$POSTGRES_USER" --dbname="$POSTGRES_DB" --quiet';

    this.statefulSet = storeStatefulSet(this, {
      name: this.name, labels, selector, serviceName: headless.name, replicas: 1,
      volumeClaimTemplates: [dataVolumeClaim(storage, claimLabels)],
      pod: {
        automountServiceAccountToken: false,
        securityContext: security.pod,
        // Time for the fast shutdown below before the kubelet kills the server.
        terminationGracePeriodSeconds: 60,
        containers: [{
          name: 'postgres',
          image,
          imagePullPolicy: 'Always',
          ports: containerPorts([port]),
          env: [
            { name: 'POSTGRES_USER', valueFrom: secretRef(POSTGRES_SECRET_KEYS.username) },
            { name: 'POSTGRES_PASSWORD', valueFrom: secretRef(POSTGRES_SECRET_KEYS.password) },
            // The entrypoint creates this database on first start and runs the init SQL in it.
            { name: 'POSTGRES_DB', value: this.databaseName },
            // A subdirectory: initdb refuses a volume root that holds lost+found.
            { name: 'PGDATA', value: `${POSTGRES_MOUNT}/pgdata` },
          ],
          resources: containerResources(resources),
          securityContext: security.container,
          startupProbe: execProbe(shell(ready), { period: 5, timeout: 5, failures: 60 }),
          readinessProbe: execProbe(shell(ready), { period: 10, timeout: 5, failures: 3 }),
          livenessProbe: execProbe(shell(ready), { period: 20, timeout: 5, failures: 6 }),
          lifecycle: {
            // SIGTERM is a "smart" shutdown that waits for pooled clients to leave; end them now instead.
            preStop: { exec: { command: ['sh', '-c', 'exec pg_ctl stop --pgdata="$PGDATA" --mode=fast --wait --timeout=50'] } },
          },
          volumeMounts: [
            { name: 'data', mountPath: POSTGRES_MOUNT },
            ...(this.initConfigMap ? [{ name: 'init', mountPath: '/docker-entrypoint-initdb.d', readOnly: true }] : []),
            run.mount, tmp.mount, shm.mount,
          ],
        }],
        volumes: [
          ...(this.initConfigMap ? [{ name: 'init', configMap: { name: this.initConfigMap.name } }] : []),
          run.volume, tmp.volume, shm.volume,
        ],
      },
    });

    storeDisruptionBudget(this, { name: this.name, labels, selector, replicas: 1 });
    this.networkPolicy = new DataStoreNetworkPolicy(this, 'NetworkPolicy', {
      name: this.name, labels, storeSelector: selector, clientPorts: [POSTGRES_PORT],
    });
    this.node.addValidation({
      validate: () => (this.connected ? [] : [`database ${this.databaseName} of ${this.owner} is never connected to its owner`]),
    });
  }

  /**
   * Gives the owning service its connection settings and admits its pods. The password
   * reaches DATABASE_URL only through Kubernetes' $(VAR) expansion of the Secret-backed
   * variables defined before it, never as a literal.
   */
  public connect(client: MicroService): void {
    if (client.serviceName !== this.owner) {
      throw new Error(`database ${this.databaseName} belongs to ${this.owner}; ${client.serviceName} may not connect to it`);
    }
    if (this.connected) throw new Error(`${client.serviceName} is already connected to database ${this.databaseName}`);
    this.connected = true;
    const database = this.databaseName;
    client.addEnv('DB_HOST', this.host);
    client.addEnv('DB_PORT', String(POSTGRES_PORT));
    client.addEnv('DB_NAME', database);
    client.addSecretEnv('DB_USER', { secret: this.credentialsSecret, key: POSTGRES_SECRET_KEYS.username });
    client.addSecretEnv('DB_PASSWORD', { secret: this.credentialsSecret, key: POSTGRES_SECRET_KEYS.password });
    client.addEnv('DATABASE_URL', `postgresql://$(DB_USER):$(DB_PASSWORD)@${this.host}:${POSTGRES_PORT}/${database}`);
    client.addEnv('DB_POOL_MAX', String(this.pool.max));
    client.addEnv('DB_POOL_IDLE_TIMEOUT_MS', String(this.pool.idleTimeoutMs));
    client.addEnv('DB_POOL_CONNECT_TIMEOUT_MS', String(this.pool.connectTimeoutMs));
    this.networkPolicy.admit(client.selector);
  }
}

/** What is wrong with the props only a database has. */
function postgresProblems(props: PostgresDatabaseProps, databaseName: string, pool: Required<PostgresPoolSettings>): string[] {
  const problems: string[] = [];
  for (const m of dns1035Label(props.owner)) problems.push(`owner "${props.owner}" (a service name): ${m}`);
  if (!SQL_IDENTIFIER.test(databaseName)) {
    const from = props.databaseName === undefined ? ` (from owner "${props.owner}"; set databaseName)` : '';
    problems.push(`databaseName "${databaseName}"${from} must be a PostgreSQL identifier: lowercase letters, digits and "_", starting with a letter or "_", at most 63 characters`);
  }
  if (RESERVED_DATABASES.includes(databaseName)) problems.push(`databaseName "${databaseName}" is a PostgreSQL template database; choose another name`);
  if (props.initSqlSource !== undefined && props.initSql === undefined) problems.push('initSqlSource names where initSql came from, but initSql is not set; set both or neither');
  if (props.credentialsSecret !== undefined) {
    for (const m of dns1123Subdomain(props.credentialsSecret)) problems.push(`credentialsSecret "${props.credentialsSecret}": ${m}`);
  }
  const whole = (key: keyof PostgresPoolSettings, min: number) => {
    const v = pool[key];
    if (!Number.isInteger(v) || v < min || v > INT32_MAX) problems.push(`pool.${key} ${v} must be a whole number from ${min} to ${INT32_MAX}`);
  };
  whole('max', 1);
  whole('idleTimeoutMs', 0);
  whole('connectTimeoutMs', 0);
  return problems;
}
