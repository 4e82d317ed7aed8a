/**
 * One service's own PostgreSQL: a single-pod StatefulSet on its own volume, its Services,
 * the init SQL, a disruption budget and a NetworkPolicy that admits only the owning service.
 */
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { PlatformSettings, ServiceSpec } from '../spec/schema';
import { MicroService } from '../workload/microservice';
import { DataStoreNetworkPolicy } from './network-policy';
import {
  containerPorts, containerResources, dataVolumeClaim, execProbe, scratchVolume, serviceHost, shell, StoreContext, storeDisruptionBudget,
  storeLabels, storeSecurity, storeServices, storeStatefulSet,
} from './store-parts';

/** The PostgreSQL port. */
export const POSTGRES_PORT = 5432;
/** Where the volume is mounted; PGDATA is a subdirectory of it. */
export const POSTGRES_MOUNT = '/var/lib/postgresql/data';
/** Keys of the credentials Secret. */
export const POSTGRES_SECRET_KEYS = { username: 'username', password: 'password' } as const;

/** A service's `database` block, after defaults. */
export type DatabaseSpec = NonNullable<ServiceSpec['database']>;

/** Props of a PostgresDatabase: the owning service, its database block and the initial SQL. */
export interface PostgresDatabaseProps extends StoreContext {
  /** The service that owns the database: the only one that may connect. */
  readonly owner: string;
  /** The owner's database block. */
  readonly database: DatabaseSpec;
  /** SQL run once, when the database is first created (the schema file's text). */
  readonly initSql: string;
  /** Where the init SQL came from, named in the ConfigMap. */
  readonly initSqlSource: string;
  /** Image, storage and resources of every PostgreSQL. */
  readonly settings: PlatformSettings['postgres'];
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
  /** The ConfigMap with the init SQL. */
  public readonly initConfigMap: k8s.KubeConfigMap;
  /** Ingress isolation. */
  public readonly networkPolicy: DataStoreNetworkPolicy;
  private readonly props: PostgresDatabaseProps;
  private connected = false;

  constructor(scope: Construct, id: string, props: PostgresDatabaseProps) {
    super(scope, id);
    this.props = props;
    const { database, settings } = props;
    this.name = `${props.owner}-db`;
    this.host = serviceHost(this.name, props.namespace);
    this.credentialsSecret = database.credentialsSecret ?? `${props.owner}-db-credentials`;
    const { labels, selector, claimLabels } = storeLabels(this.name, 'database', settings.image, props);
    const port = { name: 'postgres', port: POSTGRES_PORT };

    const { headless } = storeServices(this, { name: this.name, labels, selector, clientPorts: [port] });

    const initFile = `${database.name}.sql`;
    this.initConfigMap = new k8s.KubeConfigMap(this, 'Init', {
      metadata: { name: `${this.name}-init`, labels: { ...labels } },
      data: { [initFile]: `-- Generated from ${props.initSqlSource}; the postgres entrypoint runs it once, in database ${database.name}.\n${props.initSql}` },
    });

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
      volumeClaimTemplates: [dataVolumeClaim(settings.storage, claimLabels)],
      pod: {
        automountServiceAccountToken: false,
        securityContext: security.pod,
        // Time for the fast shutdown below before the kubelet kills the server.
        terminationGracePeriodSeconds: 60,
        containers: [{
          name: 'postgres',
          image: settings.image,
          imagePullPolicy: 'Always',
          ports: containerPorts([port]),
          env: [
            { name: 'POSTGRES_USER', valueFrom: secretRef(POSTGRES_SECRET_KEYS.username) },
            { name: 'POSTGRES_PASSWORD', valueFrom: secretRef(POSTGRES_SECRET_KEYS.password) },
            // The entrypoint creates this database on first start and runs the init SQL in it.
            { name: 'POSTGRES_DB', value: database.name },
            // A subdirectory: initdb refuses a volume root that holds lost+found.
            { name: 'PGDATA', value: `${POSTGRES_MOUNT}/pgdata` },
          ],
          resources: containerResources(settings.resources),
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
            { name: 'init', mountPath: '/docker-entrypoint-initdb.d', readOnly: true },
            run.mount, tmp.mount, shm.mount,
          ],
        }],
        volumes: [
          { name: 'init', configMap: { name: this.initConfigMap.name } },
          run.volume, tmp.volume, shm.volume,
        ],
      },
    });

    storeDisruptionBudget(this, { name: this.name, labels, selector, replicas: 1 });
    this.networkPolicy = new DataStoreNetworkPolicy(this, 'NetworkPolicy', {
      name: this.name, labels, storeSelector: selector, clientPorts: [POSTGRES_PORT],
    });
    this.node.addValidation({
      validate: () => (this.connected ? [] : [`database ${database.name} of ${props.owner} is never connected to its owner`]),
    });
  }

  /**
   * Gives the owning service its connection settings and admits its pods. The password
   * reaches DATABASE_URL only through Kubernetes' $(VAR) expansion of the Secret-backed
   * variables defined before it, never as a literal.
   */
  public connect(client: MicroService): void {
    if (client.serviceName !== this.props.owner) {
      throw new Error(`database ${this.props.database.name} belongs to ${this.props.owner}; ${client.serviceName} may not connect to it`);
    }
    if (this.connected) throw new Error(`${client.serviceName} is already connected to database ${this.props.database.name}`);
    this.connected = true;
    const { database } = this.props;
    client.addEnv('DB_HOST', this.host);
    client.addEnv('DB_PORT', String(POSTGRES_PORT));
    client.addEnv('DB_NAME', database.name);
    client.addSecretEnv('DB_USER', { secret: this.credentialsSecret, key: POSTGRES_SECRET_KEYS.username });
    client.addSecretEnv('DB_PASSWORD', { secret: this.credentialsSecret, key: POSTGRES_SECRET_KEYS.password });
    client.addEnv('DATABASE_URL', `postgresql://$(DB_USER):$(DB_PASSWORD)@${this.host}:${POSTGRES_PORT}/${database.name}`);
    client.addEnv('DB_POOL_MAX', String(database.pool.max));
    client.addEnv('DB_POOL_IDLE_TIMEOUT_MS', String(database.pool.idleTimeoutMs));
    client.addEnv('DB_POOL_CONNECT_TIMEOUT_MS', String(database.pool.connectTimeoutMs));
    this.networkPolicy.admit(client.selector);
  }
}
