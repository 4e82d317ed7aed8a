/**
 * The environment's Redis cache: one pod, its configuration in a ConfigMap, the password
 * from a Secret on the command line, append-only persistence on a volume where the spec
 * turns it on, and a NetworkPolicy that admits only services that declare `cache`.
 */
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { PlatformSettings } from '../spec/schema';
import { MicroService } from '../workload/microservice';
import { DataStoreNetworkPolicy } from './network-policy';
import {
  checksum, containerPorts, containerResources, dataVolumeClaim, execProbe, scratchVolume, serviceHost, shell, StoreContext, storeLabels, storeSecurity, storeServices,
  storeStatefulSet,
} from './store-parts';

/** The Redis port. */
export const REDIS_PORT = 6379;
/** Where the ConfigMap's redis.conf is mounted. */
export const REDIS_CONFIG_PATH = '/etc/redis/redis.conf';
/** Object names. */
export const REDIS_NAME = 'redis';
/** Working directory: the append-only file lives here. */
export const REDIS_DATA_DIR = '/data';

/** Props of a RedisCache: the cache settings and where it runs. */
export interface RedisCacheProps extends StoreContext {
  /** Image, memory, persistence, password Secret and resources. */
  readonly settings: PlatformSettings['redis'];
}

/** The shared cache. */
export class RedisCache extends Construct {
  /** Fully qualified host of the client Service. */
  public readonly host: string;
  /** The configuration text (redis.conf) the pod runs with. */
  public readonly configText: string;
  /** The StatefulSet. */
  public readonly statefulSet: k8s.KubeStatefulSet;
  /** Ingress isolation. */
  public readonly networkPolicy: DataStoreNetworkPolicy;
  private readonly settings: PlatformSettings['redis'];

  constructor(scope: Construct, id: string, props: RedisCacheProps) {
    super(scope, id);
    const { settings } = props;
    this.settings = settings;
    this.host = serviceHost(REDIS_NAME, props.namespace);
    const { labels, selector, claimLabels } = storeLabels(REDIS_NAME, 'cache', settings.image, props);
    const port = { name: 'redis', port: REDIS_PORT };
    const { headless } = storeServices(this, { name: REDIS_NAME, labels, selector, clientPorts: [port] });

    this.configText = redisConfig(settings);
    const config = new k8s.KubeConfigMap(this, 'Config', {
      metadata: { name: `${REDIS_NAME}-config`, labels: { ...labels } },
      data: { 'redis.conf': this.configText },
    });

    const security = storeSecurity();
    // Without persistence the working directory only needs to be writable, not durable.
    const scratchData = scratchVolume('data', REDIS_DATA_DIR, '64Mi');
    // redis-cli reads the password from REDISCLI_AUTH, so it never shows in the probe's command line.
    const ping = 'REDISCLI_AUTH="$REDIS_PASSWORD" redis-cli -h 127.0.0.1 -p 6379 ping | grep -q PONG';
    const passwordRef: k8s.EnvVarSource = { secretKeyRef: { name: settings.passwordSecret.secret, key: settings.passwordSecret.key } };

    this.statefulSet = storeStatefulSet(this, {
      name: REDIS_NAME, labels, selector, serviceName: headless.name, replicas: 1,
      // A changed configuration rolls the pod, since Redis reads it only at start.
      annotations: { 'checksum/config': checksum(this.configText) },
      volumeClaimTemplates: settings.persistence ? [dataVolumeClaim(settings.storage, claimLabels)] : undefined,
      pod: {
        automountServiceAccountToken: false,
        securityContext: security.pod,
        terminationGracePeriodSeconds: 30,
        containers: [{
          name: 'redis',
          image: settings.image,
          imagePullPolicy: 'Always',
          command: ['redis-server'],
          // The kubelet expands $(REDIS_PASSWORD) when it starts the container; the manifest holds only the reference.
          // The working directory is set here, not in redis.conf, so a local test can point it elsewhere.
          args: [REDIS_CONFIG_PATH, '--dir', REDIS_DATA_DIR, '--requirepass', '$(REDIS_PASSWORD)'],
          ports: containerPorts([port]),
          env: [{ name: 'REDIS_PASSWORD', valueFrom: passwordRef }],
          resources: containerResources(settings.resources),
          securityContext: security.container,
          startupProbe: execProbe(shell(ping), { period: 2, timeout: 2, failures: 30 }),
          readinessProbe: execProbe(shell(ping), { period: 5, timeout: 2, failures: 2 }),
          livenessProbe: execProbe(shell(ping), { period: 10, timeout: 2, failures: 3 }),
          volumeMounts: [
            { name: 'data', mountPath: REDIS_DATA_DIR },
            { name: 'config', mountPath: '/etc/redis', readOnly: true },
          ],
        }],
        volumes: [
          { name: 'config', configMap: { name: config.name } },
          ...(settings.persistence ? [] : [scratchData.volume]),
        ],
      },
    });

    // One pod and nothing to replicate: a disruption budget would only block node drains for a cache.
    this.networkPolicy = new DataStoreNetworkPolicy(this, 'NetworkPolicy', {
      name: REDIS_NAME, labels, storeSelector: selector, clientPorts: [REDIS_PORT],
    });
  }

  /**
   * Gives a service REDIS_URL (password through $(VAR) expansion of a Secret-backed
   * variable), its TTL and key prefix, and admits its pods.
   */
  public connect(client: MicroService, ttlSeconds: number): void {
    const { passwordSecret } = this.settings;
    client.addSecretEnv('REDIS_PASSWORD', passwordSecret);
    // "default" is the ACL user requirepass sets; some clients send an empty user name otherwise.
    client.addEnv('REDIS_URL', `redis://default:$(REDIS_PASSWORD)@${this.host}:${REDIS_PORT}/0`);
    client.addEnv('CACHE_TTL_SECONDS', String(ttlSeconds));
    // Services share one Redis: a prefix per service keeps their keys apart.
    client.addEnv('CACHE_KEY_PREFIX', `${client.serviceName}:`);
    this.networkPolicy.admit(client.selector);
  }
}

/** redis.conf for the spec: a bounded cache, persistence only where asked. */
export function redisConfig(settings: PlatformSettings['redis']): string {
  return [
    '# Generated from platform.redis. The password is not here: the pod passes --requirepass from a Secret.',
    'bind * -::*',
    `port ${REDIS_PORT}`,
    'protected-mode yes',
    `maxmemory ${settings.maxmemory}`,
    `maxmemory-policy ${settings.maxmemoryPolicy}`,
    // RDB snapshots off in every environment; append-only file where persistence is on.
    'save ""',
    `appendonly ${settings.persistence ? 'yes' : 'no'}`,
    'appendfsync everysec',
    '',
  ].join('\n');
}
