/** PostgreSQL per service: the StatefulSet, its Services, volume, init SQL, probes, security, budget and client env. */
import * as fs from 'fs';
import * as path from 'path';
import { CONFIG_DIR, editReference, findObject, objectsOf } from '../helpers';
import { envNames, envOf, mainContainer, podOwner, reference, servicePods } from './support';

const prod = reference('prod');
const db = podOwner(prod, 'StatefulSet', 'user-service-db');
const postgres = mainContainer(db);

describe('a database per service', () => {
  test('each service that declares a database gets its own StatefulSet, and only those', () => {
    // GIVEN user-, order- and inventory-service declare a database, notification-service does not
    // WHEN prod is synthesized
    const names = prod.filter((o) => o.kind === 'StatefulSet' && o.metadata.name.endsWith('-db')).map((o) => o.metadata.name).sort();
    // THEN there is one StatefulSet per owner
    expect(names).toEqual(['inventory-service-db', 'order-service-db', 'user-service-db']);
  });

  test('runs one pod of the pinned official image behind its headless Service', () => {
    // GIVEN user-service's database WHEN prod is synthesized THEN one pod of postgres:16.4-bookworm runs under the headless Service
    expect(db.spec.replicas).toBe(1);
    expect(db.spec.serviceName).toBe('user-service-db-headless');
    expect(postgres.image).toBe('postgres:16.4-bookworm');
  });

  test('the client Service sends port 5432 to the database pods only', () => {
    // GIVEN the client Service of user-service's database
    const service = findObject<{ spec: { selector: Record<string, string>; ports: Array<{ name: string; port: number; targetPort: string }> } }>(prod, 'Service', 'user-service-db');
    // THEN it selects exactly the StatefulSet's pods, on the postgres port
    expect(service.spec.selector).toEqual(db.spec.selector.matchLabels);
    expect(service.spec.selector).toEqual({ 'app.kubernetes.io/name': 'user-service-db', 'app.kubernetes.io/instance': 'user-service-db-prod' });
    expect(service.spec.ports).toEqual([{ name: 'tcp-postgres', port: 5432, targetPort: 'postgres', protocol: 'TCP', appProtocol: 'tcp' }]);
  });

  test('the headless Service gives the pod a stable DNS name', () => {
    // GIVEN the headless Service WHEN it is read THEN it has no cluster IP and serves 5432
    const headless = findObject<{ spec: { clusterIP: string; ports: Array<{ port: number }> } }>(prod, 'Service', 'user-service-db-headless');
    expect(headless.spec.clusterIP).toBe('None');
    expect(headless.spec.ports.map((p) => p.port)).toEqual([5432]);
  });
});

describe('storage', () => {
  test.each([
    ['dev', '1Gi', undefined],
    ['staging', '5Gi', undefined],
    ['prod', '50Gi', 'fast-ssd'],
  ])('in %s the volume claim asks for %s', (env, size, storageClass) => {
    // GIVEN the environment's platform.postgres.storage override
    // WHEN the environment is synthesized
    const [claim] = podOwner(reference(env), 'StatefulSet', 'order-service-db').spec.volumeClaimTemplates ?? [];
    // THEN the claim template has that size and class
    expect(claim.metadata.name).toBe('data');
    expect(claim.spec.resources.requests.storage).toBe(size);
    expect(claim.spec.storageClassName).toBe(storageClass);
  });

  test('PGDATA is a subdirectory of the volume mount (initdb refuses a volume root with lost+found)', () => {
    // GIVEN the data volume WHEN the container is read THEN PGDATA is a directory inside the mount
    const mount = postgres.volumeMounts.find((m) => m.name === 'data');
    expect(mount?.mountPath).toBe('/var/lib/postgresql/data');
    expect(envOf(postgres).PGDATA).toBe('/var/lib/postgresql/data/pgdata');
  });
});

describe('initialization', () => {
  test('the init ConfigMap carries the schema file named in the spec, read relative to the spec file', () => {
    // GIVEN sql/user_service.sql next to the spec
    const source = fs.readFileSync(path.join(CONFIG_DIR, 'sql', 'user_service.sql'), 'utf8');
    // WHEN the ConfigMap is read
    const configMap = findObject<{ data: Record<string, string> }>(prod, 'ConfigMap', 'user-service-db-init');
    // THEN it holds that SQL under <database>.sql
    expect(Object.keys(configMap.data)).toEqual(['user_service.sql']);
    expect(configMap.data['user_service.sql']).toContain(source);
  });

  test('the entrypoint creates the database (POSTGRES_DB) and runs the mounted init SQL', () => {
    // GIVEN the database block WHEN the container is read THEN POSTGRES_DB names the database and the init ConfigMap is mounted where the entrypoint looks
    expect(envOf(postgres).POSTGRES_DB).toBe('user_service');
    expect(postgres.volumeMounts).toContainEqual({ name: 'init', mountPath: '/docker-entrypoint-initdb.d', readOnly: true });
    expect(db.spec.template.spec.volumes).toContainEqual({ name: 'init', configMap: { name: 'user-service-db-init' } });
  });

  test('credentials come from the Secret <service>-db-credentials, keys username and password', () => {
    // GIVEN no credentialsSecret in the spec WHEN the container is read THEN user and password come from the default Secret
    expect(envOf(postgres)).toMatchObject({
      POSTGRES_USER: 'secret:user-service-db-credentials/username',
      POSTGRES_PASSWORD: 'secret:user-service-db-credentials/password',
    });
  });

  test('database.credentialsSecret names another Secret', () => {
    // GIVEN user-service names its own credentials Secret
    const text = editReference(['database: { name: user_service, schema: sql/user_service.sql }',
      'database: { name: user_service, schema: sql/user_service.sql, credentialsSecret: users-pg }']);
    // WHEN dev is synthesized
    const objects = objectsOf('dev', text);
    // THEN both the database and its owner read that Secret
    expect(envOf(mainContainer(podOwner(objects, 'StatefulSet', 'user-service-db'))).POSTGRES_PASSWORD).toBe('secret:users-pg/password');
    expect(envOf(mainContainer(servicePods(objects, 'user-service'))).DB_PASSWORD).toBe('secret:users-pg/password');
  });
});

describe('health and lifecycle', () => {
  test.each(['startupProbe', 'readinessProbe', 'livenessProbe'] as const)('the %s runs pg_isready against the TCP listener', (probe) => {
    // GIVEN the probe WHEN its command is read THEN it runs pg_isready on 127.0.0.1:5432
    const script = postgres[probe]?.exec.command.join(' ') ?? '';
    expect(script).toMatch(/^sh -c exec pg_isready --host=127\.0\.0\.1 --port=5432 /);
  });

  test('a fast shutdown before SIGTERM, so pooled clients cannot hold the stop until the kill', () => {
    // GIVEN SIGTERM would be a smart shutdown WHEN the pod stops THEN preStop runs a fast shutdown first
    const container = postgres as unknown as { lifecycle: { preStop: { exec: { command: string[] } } } };
    expect(container.lifecycle.preStop.exec.command.join(' ')).toContain('pg_ctl stop --pgdata="$PGDATA" --mode=fast');
  });

  test('the disruption budget keeps the single pod from voluntary eviction', () => {
    // GIVEN one database pod WHEN its budget is read THEN no voluntary eviction is allowed
    const budget = findObject<{ spec: { maxUnavailable: number; selector: { matchLabels: Record<string, string> } } }>(prod, 'PodDisruptionBudget', 'user-service-db');
    expect(budget.spec.maxUnavailable).toBe(0);
    expect(budget.spec.selector.matchLabels).toEqual(db.spec.selector.matchLabels);
  });
});

describe('security', () => {
  test('the pod runs as the image\'s postgres user (999) with a matching fsGroup and no service account token', () => {
    // GIVEN the database pod WHEN its security context is read THEN it runs as UID/GID 999 with fsGroup 999 and no token
    expect(db.spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 999, runAsGroup: 999, fsGroup: 999, seccompProfile: { type: 'RuntimeDefault' } });
    expect(db.spec.template.spec.automountServiceAccountToken).toBe(false);
  });

  test('the container meets PSS restricted with a read-only root and emptyDirs where PostgreSQL writes', () => {
    // GIVEN a read-only root WHEN the volumes are read THEN /var/run/postgresql, /tmp and /dev/shm are emptyDirs
    expect(postgres.securityContext).toMatchObject({
      allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] },
    });
    const scratch = (db.spec.template.spec.volumes ?? []).filter((v) => v.emptyDir).map((v) => v.name);
    const mounts = postgres.volumeMounts.filter((m) => scratch.includes(m.name)).map((m) => m.mountPath).sort();
    expect(mounts).toEqual(['/dev/shm', '/tmp', '/var/run/postgresql']);
  });

  test('requests and limits come from platform.postgres.resources', () => {
    // GIVEN platform.postgres.resources defaults WHEN the container is read THEN they are its requests and limits
    expect(postgres.resources).toEqual({
      requests: { cpu: '250m', memory: '256Mi', 'ephemeral-storage': '128Mi' },
      limits: { cpu: '1', memory: '1Gi', 'ephemeral-storage': '256Mi' },
    });
  });
});

describe('the owning service', () => {
  const userService = mainContainer(servicePods(prod, 'user-service'));

  test('gets DATABASE_URL built from Secret-backed variables defined before it', () => {
    // GIVEN user-service owns user_service
    const env = envOf(userService);
    const names = envNames(userService);
    // THEN the URL holds only $(VAR) references, and both variables precede it (the kubelet expands only earlier ones)
    expect(env.DATABASE_URL).toBe('postgresql://$(DB_USER):$(DB_PASSWORD)@user-service-db.shop-prod.svc.cluster.local:5432/user_service');
    expect(env.DB_USER).toBe('secret:user-service-db-credentials/username');
    expect(env.DB_PASSWORD).toBe('secret:user-service-db-credentials/password');
    expect(names.indexOf('DB_USER')).toBeLessThan(names.indexOf('DATABASE_URL'));
    expect(names.indexOf('DB_PASSWORD')).toBeLessThan(names.indexOf('DATABASE_URL'));
  });

  test('gets the pool settings (max 20, idle 30 s, connect 2 s)', () => {
    // GIVEN pool defaults (max 20, idle 30000 ms, connect 2000 ms) WHEN the owner's env is read THEN they are there
    expect(envOf(userService)).toMatchObject({ DB_POOL_MAX: '20', DB_POOL_IDLE_TIMEOUT_MS: '30000', DB_POOL_CONNECT_TIMEOUT_MS: '2000' });
  });

  test('a service without a database gets no database settings', () => {
    // GIVEN notification-service declares no database WHEN its env is read THEN it has no DB_ variables
    const env = envOf(mainContainer(servicePods(prod, 'notification-service')));
    expect(Object.keys(env).filter((k) => k.startsWith('DB_') || k === 'DATABASE_URL')).toEqual([]);
  });
});
