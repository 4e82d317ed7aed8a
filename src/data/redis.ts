/**
 * The environment's Redis cache: one pod, its configuration in a ConfigMap, the password
 * from a Secret on the command line, append-only persistence on a volume where the spec
 * turns it on, and a NetworkPolicy that admits only services that declare `cache`.
 */
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { REDIS_EVICTION_POLICIES, RedisEvictionPolicy } from '../spec/formats';
import { configMapKey, dns1123Subdomain } from '../spec/k8s-rules';
import { parseQuantity, parseRedisSize } from '../spec/quantity';
import { MicroService, SecretKeyReference } from '../workload/microservice';
import { ContainerResourceAmounts } from '../workload/resources';
import { DataStoreNetworkPolicy } from './network-policy';
import {
  checksum, containerPorts, containerResources, dataVolumeClaim, execProbe, rejectProblems, scratchVolume, serviceHost, shell, StoreContext, storeLabels,
  storeNamespace, storeProblems, storeSecurity, storeServices, storeStatefulSet, StoreStorage,
} from './store-parts';

/** The Redis port. */
export const REDIS_PORT = 6379;
/** Where the ConfigMap's redis.conf is mounted. */
export const REDIS_CONFIG_PATH = '/etc/redis/redis.conf';
/** Object names. */
export const REDIS_NAME = 'redis';
/** Working directory: the append-only file lives here. */
export const REDIS_DATA_DIR = '/data';

/** The default Redis image, pinned. */
export const DEFAULT_REDIS_IMAGE = 'redis:7.4.1-bookworm';
/** The default volume when persistence is on. */
export const DEFAULT_REDIS_STORAGE: StoreStorage = { size: '1Gi' };
/** The default password Secret and key. */
export const DEFAULT_REDIS_PASSWORD_SECRET: SecretKeyReference = { secret: 'redis-credentials', key: 'password' };
/** The default requests and limits of the Redis container: room above maxmemory for buffers and fragmentation. */
export const DEFAULT_REDIS_RESOURCES: ContainerResourceAmounts = {
  requests: { cpu: '100m', memory: '320Mi' },
  limits: { cpu: '500m', memory: '384Mi' },
};
/** The default maxmemory, in Redis' binary units. */
export const DEFAULT_REDIS_MAXMEMORY = '256mb';
/** The default eviction policy. */
export const DEFAULT_REDIS_EVICTION_POLICY: RedisEvictionPolicy = 'allkeys-lru';
/** The default cache entry TTL a client gets (CACHE_TTL_SECONDS). */
export const DEFAULT_CACHE_TTL_SECONDS = 300;

export { REDIS_EVICTION_POLICIES, type RedisEvictionPolicy } from '../spec/formats';

/** The redis.conf settings the cache is generated from. */
export interface RedisConfigSettings {
  /** maxmemory, in Redis' binary units such as 256mb or 1gb. */
  readonly maxmemory: string;
  /** What Redis evicts at maxmemory. */
  readonly maxmemoryPolicy: RedisEvictionPolicy;
  /** Append-only persistence. */
  readonly persistence: boolean;
}

/**
 * Props of a RedisCache: all optional, so `new RedisCache(chart, 'cache')` is a bounded,
 * password-protected cache without persistence.
 */
export interface RedisCacheProps extends StoreContext {
  /**
   * Redis image, pinned by tag or digest.
   * @default "redis:7.4.1-bookworm"
   */
  readonly image?: string;
  /**
   * maxmemory, in Redis' binary units (256mb, 1gb); must be below the container memory limit.
   * @default "256mb"
   */
  readonly maxmemory?: string;
  /**
   * What Redis evicts when it reaches maxmemory.
   * @default "allkeys-lru"
   */
  readonly maxmemoryPolicy?: RedisEvictionPolicy;
  /**
   * Append-only persistence on a volume; without it the data lives in an emptyDir.
   * @default false
   */
  readonly persistence?: boolean;
  /**
   * The volume when `persistence` is on; setting it without `persistence` is rejected.
   * @default - 1Gi of the cluster's default StorageClass (with persistence)
   */
  readonly storage?: StoreStorage;
  /**
   * Where the password is: an existing Secret and key (never generated).
   * @default - key "password" of Secret "redis-credentials"
   */
  readonly passwordSecret?: SecretKeyReference;
  /**
   * Requests and limits of the Redis container.
   * @default - requests 100m CPU / 320Mi memory, limits 500m CPU / 384Mi memory
   */
  readonly resources?: ContainerResourceAmounts;
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
  /** Where the password is. */
  public readonly passwordSecret: SecretKeyReference;

  constructor(scope: Construct, id: string, props: RedisCacheProps = {}) {
    super(scope, id);
    const image = props.image ?? DEFAULT_REDIS_IMAGE;
    const persistence = props.persistence ?? false;
    const storage = persistence ? props.storage ?? DEFAULT_REDIS_STORAGE : undefined;
    const resources = props.resources ?? DEFAULT_REDIS_RESOURCES;
    const settings: RedisConfigSettings = {
      maxmemory: props.maxmemory ?? DEFAULT_REDIS_MAXMEMORY, maxmemoryPolicy: props.maxmemoryPolicy ?? DEFAULT_REDIS_EVICTION_POLICY, persistence,
    };
    this.passwordSecret = props.passwordSecret ?? DEFAULT_REDIS_PASSWORD_SECRET;
    rejectProblems('RedisCache', scope, id, [
      ...redisProblems(props, settings, resources, this.passwordSecret),
      ...storeProblems(REDIS_NAME, { ctx: props, image, storage, resources }),
    ]);
    this.host = serviceHost(REDIS_NAME, storeNamespace(this, props));
    const { labels, selector, claimLabels } = storeLabels(REDIS_NAME, 'cache', image, props);
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
    const passwordRef: k8s.EnvVarSource = { secretKeyRef: { name: this.passwordSecret.secret, key: this.passwordSecret.key } };

    this.statefulSet = storeStatefulSet(this, {
      name: REDIS_NAME, labels, selector, serviceName: headless.name, replicas: 1,
      // A changed configuration rolls the pod, since Redis reads it only at start.
      annotations: { 'checksum/config': checksum(this.configText) },
      volumeClaimTemplates: storage ? [dataVolumeClaim(storage, claimLabels)] : undefined,
      pod: {
        automountServiceAccountToken: false,
        securityContext: security.pod,
        terminationGracePeriodSeconds: 30,
        containers: [{
          name: 'redis',
          image,
          imagePullPolicy: 'Always',
          command: ['redis-server'],
          // The kubelet expands $(REDIS_PASSWORD) when it starts the container; the manifest holds only the reference.
          // The working directory is set here, not in redis.conf, so a local test can point it elsewhere.
          args: [REDIS_CONFIG_PATH, '--dir', REDIS_DATA_DIR, '--requirepass', '$(REDIS_PASSWORD)'],
          ports: containerPorts([port]),
          env: [{ name: 'REDIS_PASSWORD', valueFrom: passwordRef }],
          resources: containerResources(resources),
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
          ...(storage ? [] : [scratchData.volume]),
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
  public connect(client: MicroService, ttlSeconds: number = DEFAULT_CACHE_TTL_SECONDS): void {
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1) throw new Error(`cache TTL of ${client.serviceName}: ${ttlSeconds} must be a whole number of seconds, at least 1`);
    client.addSecretEnv('REDIS_PASSWORD', this.passwordSecret);
    // "default" is the ACL user requirepass sets; some clients send an empty user name otherwise.
    client.addEnv('REDIS_URL', `redis://default:$(REDIS_PASSWORD)@${this.host}:${REDIS_PORT}/0`);
    client.addEnv('CACHE_TTL_SECONDS', String(ttlSeconds));
    // Services share one Redis: a prefix per service keeps their keys apart.
    client.addEnv('CACHE_KEY_PREFIX', `${client.serviceName}:`);
    this.networkPolicy.admit(client.selector);
  }
}

/** redis.conf: a bounded cache, persistence only where asked. */
export function redisConfig(settings: RedisConfigSettings): string {
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

/** What is wrong with the props only the cache has, and their conflicts. */
function redisProblems(props: RedisCacheProps, settings: RedisConfigSettings, resources: ContainerResourceAmounts, password: SecretKeyReference): string[] {
  const problems: string[] = [];
  if (props.storage !== undefined && !settings.persistence) problems.push('storage is set but persistence is not: the volume would be unused; set persistence: true or drop storage');
  const maxmemory = parseRedisSize(settings.maxmemory);
  const limit = parseQuantity(resources.limits.memory);
  if (Number.isNaN(maxmemory)) {
    problems.push(`maxmemory "${settings.maxmemory}" must be a size such as 256mb or 1gb`);
  } else if (!Number.isNaN(limit) && maxmemory >= limit) {
    // Redis needs room beyond maxmemory for buffers, fragmentation and the append-only rewrite.
    problems.push(`maxmemory ${settings.maxmemory} must be below the container memory limit ${resources.limits.memory} (resources.limits.memory), or Redis is killed before it evicts`);
  }
  if (!REDIS_EVICTION_POLICIES.includes(settings.maxmemoryPolicy)) problems.push(`maxmemoryPolicy "${settings.maxmemoryPolicy}" must be one of ${REDIS_EVICTION_POLICIES.join(', ')}`);
  for (const m of dns1123Subdomain(password.secret)) problems.push(`passwordSecret.secret "${password.secret}": ${m}`);
  for (const m of configMapKey(password.key)) problems.push(`passwordSecret.key "${password.key}": ${m}`);
  return problems;
}
