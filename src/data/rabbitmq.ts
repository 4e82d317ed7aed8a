/**
 * RabbitMQ for events: a StatefulSet that forms a cluster through Kubernetes peer discovery,
 * the topology loaded from definitions at every boot, the user from a Secret, and a
 * NetworkPolicy that admits only publishers and consumers (plus the nodes among themselves).
 *
 * Why the user is not RABBITMQ_DEFAULT_USER alone: a blank node that has definitions to load
 * does not seed the default user or virtual host (rabbit.erl maybe_insert_default_data,
 * "Will not seed default virtual host and user: have definitions to load"). So the container
 * writes a second definitions file with that user (plain password, hashed by RabbitMQ on
 * import) into a memory volume at start, beside the topology from the ConfigMap, and points
 * load_definitions at that directory. No credential is in any manifest or ConfigMap.
 */
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { IPV4_CIDR } from '../spec/formats';
import { dns1123Subdomain, INT32_MAX } from '../spec/k8s-rules';
import { parseQuantity } from '../spec/quantity';
import { MicroService } from '../workload/microservice';
import { ContainerResourceAmounts } from '../workload/resources';
import { DEFAULT_EVENTS_EXCHANGE, EventClient, EventTopology, eventTopologyProblems, EVENTS_VHOST } from './events';
import { networkPeer, networkPort } from '../mesh/workload-access';
import { DataStoreNetworkPolicy } from './network-policy';
import {
  checksum, containerPorts, containerResources, dataVolumeClaim, execProbe, rejectProblems, scratchVolume, serviceHost, shell, StoreContext,
  storeDisruptionBudget, storeLabels, storeNamespace, storeProblems, storeSecurity, storeServices, storeStatefulSet, StoreStorage,
} from './store-parts';

/** Object names. */
export const RABBITMQ_NAME = 'rabbitmq';
/** Ports: AMQP for clients, epmd and Erlang distribution between nodes, management and metrics over HTTP. */
export const RABBITMQ_PORTS = { amqp: 5672, epmd: 4369, dist: 25672, management: 15672, prometheus: 15692 } as const;
/** Ports the nodes use among themselves: epmd, Erlang distribution, and AMQP. */
export const RABBITMQ_PEER_PORTS = [RABBITMQ_PORTS.epmd, RABBITMQ_PORTS.dist, RABBITMQ_PORTS.amqp];
/** Keys of the credentials Secret. */
export const RABBITMQ_SECRET_KEYS = { username: 'username', password: 'password', erlangCookie: 'erlang-cookie' } as const;
/** Plugins, in enabled_plugins. */
export const RABBITMQ_PLUGINS = ['rabbitmq_management', 'rabbitmq_peer_discovery_k8s', 'rabbitmq_prometheus'] as const;
/** Where the ConfigMap is mounted. */
export const RABBITMQ_CONFIG_DIR = '/etc/rabbitmq';
/** The memory volume the start script assembles the definitions in. */
export const RABBITMQ_DEFINITIONS_DIR = '/run/rabbitmq/definitions';

/**
 * The container's start script. It writes the Erlang cookie (Erlang accepts only a file its
 * user owns with mode 0400, which a Secret volume cannot be), then the user definitions,
 * then becomes rabbitmq-server. Paths come from the environment so the integration test runs
 * this very script against a local server.
 */
export const RABBITMQ_START_SCRIPT = [
  'set -eu',
  'umask 077',
  'cookie="$HOME/.erlang.cookie"',
  'rm -f "$cookie"',
  'printf \'%s\' "$ERLANG_COOKIE" > "$cookie"',
  'chmod 0400 "$cookie"',
  'case "$RABBITMQ_DEFAULT_USER$RABBITMQ_DEFAULT_PASS" in *[[:cntrl:]]*)',
  '  echo "rabbitmq: the username and password must not contain control characters" >&2; exit 1 ;;',
  'esac',
  'json() { printf \'%s\' "$1" | sed -e \'s/\\\\/\\\\\\\\/g\' -e \'s/"/\\\\"/g\'; }',
  'user=$(json "$RABBITMQ_DEFAULT_USER")',
  'pass=$(json "$RABBITMQ_DEFAULT_PASS")',
  'mkdir -p "$DEFINITIONS_DIR"',
  'cp "$TOPOLOGY_FILE" "$DEFINITIONS_DIR/20-topology.json"',
  `printf '{"vhosts":[{"name":"${EVENTS_VHOST}"}],"users":[{"name":"%s","password":"%s","tags":"administrator"}],` +
    `"permissions":[{"user":"%s","vhost":"${EVENTS_VHOST}","configure":".*","write":".*","read":".*"}]}\\n' "$user" "$pass" "$user" > "$DEFINITIONS_DIR/10-user.json"`,
  'exec rabbitmq-server',
  '',
].join('\n');

/** The default RabbitMQ image, pinned. */
export const DEFAULT_RABBITMQ_IMAGE = 'rabbitmq:3.13.7-management';
/** The default Secret with keys "username", "password" and "erlang-cookie". */
export const DEFAULT_RABBITMQ_CREDENTIALS_SECRET = 'rabbitmq-credentials';
/** The default volume of each node. */
export const DEFAULT_RABBITMQ_STORAGE: StoreStorage = { size: '5Gi' };
/** The default requests and limits of a node's container. */
export const DEFAULT_RABBITMQ_RESOURCES: ContainerResourceAmounts = {
  requests: { cpu: '250m', memory: '512Mi' },
  limits: { cpu: '1', memory: '1Gi' },
};
/** The default API server endpoints peer discovery may reach: any address on the Service and endpoint ports. */
export const DEFAULT_KUBERNETES_API: Required<KubernetesApiEndpoints> = { cidrs: ['0.0.0.0/0'], ports: [443, 6443] };

/** Where the Kubernetes API server is, for the egress RabbitMQ's peer discovery needs. */
export interface KubernetesApiEndpoints {
  /**
   * Addresses of the API server endpoints (`kubectl get endpoints kubernetes -n default`), IPv4 CIDRs.
   * @default ["0.0.0.0/0"]
   */
  readonly cidrs?: readonly string[];
  /**
   * API server ports: the kubernetes Service port and the endpoints' port (most CNIs check egress after the Service address is translated).
   * @default [443, 6443]
   */
  readonly ports?: readonly number[];
}

/**
 * Props of a RabbitMqCluster: the services that publish and consume, and the broker settings,
 * all with defaults, so
 * `new RabbitMqCluster(chart, 'mq', { clients: { orders: { publishes: ['order.created'] }, mail: { consumes: ['order.created'] } } })`
 * is a single-node broker with that topology.
 */
export interface RabbitMqClusterProps extends StoreContext {
  /**
   * What each service publishes and consumes, by service name: the exchange, queues and bindings
   * loaded at every boot. Only these services may connect.
   * @default {} (an exchange and no queues)
   */
  readonly clients?: Readonly<Record<string, EventClient>>;
  /**
   * The durable topic exchange events are published to.
   * @default "events"
   */
  readonly exchange?: string;
  /**
   * Cluster nodes: 1, or an odd number of at least 3 (quorum queues need a majority).
   * @default 1
   */
  readonly replicas?: number;
  /**
   * RabbitMQ image (with the management plugin), pinned by tag or digest.
   * @default "rabbitmq:3.13.7-management"
   */
  readonly image?: string;
  /**
   * Secret with keys "username", "password" and "erlang-cookie" (created outside the platform, never generated).
   * @default "rabbitmq-credentials"
   */
  readonly credentialsSecret?: string;
  /**
   * The volume of each node.
   * @default - 5Gi of the cluster's default StorageClass
   */
  readonly storage?: StoreStorage;
  /**
   * Requests and limits of each node; the memory limit also sizes RabbitMQ's memory alarm (80%).
   * @default - requests 250m CPU / 512Mi memory, limits 1 CPU / 1Gi memory
   */
  readonly resources?: ContainerResourceAmounts;
  /**
   * Where the Kubernetes API server's endpoints are, for peer discovery under default-deny egress.
   * @default - any address on ports 443 and 6443
   */
  readonly kubernetesApi?: KubernetesApiEndpoints;
}

/** The event broker. */
export class RabbitMqCluster extends Construct {
  /** Fully qualified host of the client Service. */
  public readonly host: string;
  /** rabbitmq.conf as the pods read it. */
  public readonly configText: string;
  /** definitions.json (topology only). */
  public readonly definitionsText: string;
  /** The StatefulSet. */
  public readonly statefulSet: k8s.KubeStatefulSet;
  /** Ingress isolation. */
  public readonly networkPolicy: DataStoreNetworkPolicy;
  /** What the nodes may reach beyond the namespace baseline: each other and the API server. */
  public readonly egressPolicy: k8s.KubeNetworkPolicy;
  /** Exchange, queues and bindings, from `clients`. */
  public readonly topology: EventTopology;
  /** Secret with keys "username", "password" and "erlang-cookie". */
  public readonly credentialsSecret: string;
  /** Cluster nodes. */
  public readonly replicas: number;

  constructor(scope: Construct, id: string, props: RabbitMqClusterProps = {}) {
    super(scope, id);
    const image = props.image ?? DEFAULT_RABBITMQ_IMAGE;
    const storage = props.storage ?? DEFAULT_RABBITMQ_STORAGE;
    const resources = props.resources ?? DEFAULT_RABBITMQ_RESOURCES;
    const api = { cidrs: props.kubernetesApi?.cidrs ?? DEFAULT_KUBERNETES_API.cidrs, ports: props.kubernetesApi?.ports ?? DEFAULT_KUBERNETES_API.ports };
    this.replicas = props.replicas ?? 1;
    this.credentialsSecret = props.credentialsSecret ?? DEFAULT_RABBITMQ_CREDENTIALS_SECRET;
    const exchange = props.exchange ?? DEFAULT_EVENTS_EXCHANGE;
    const clients = props.clients ?? {};
    rejectProblems('RabbitMqCluster', scope, id, [
      ...eventTopologyProblems(exchange, clients).map((p) => (p.startsWith('exchange') ? p : `clients.${p}`)),
      ...rabbitmqProblems(this.replicas, this.credentialsSecret, api),
      ...storeProblems(RABBITMQ_NAME, { ctx: props, image, storage, resources }),
    ]);
    this.topology = new EventTopology(exchange, clients);
    const namespace = storeNamespace(this, props);
    this.host = serviceHost(RABBITMQ_NAME, namespace);
    const settings = { replicas: this.replicas, resources };
    const headlessName = `${RABBITMQ_NAME}-headless`;
    const { labels, selector, claimLabels } = storeLabels(RABBITMQ_NAME, 'message-broker', image, props);
    const amqp = { name: 'amqp', port: RABBITMQ_PORTS.amqp };
    const clientPorts = [
      amqp,
      { name: 'management', port: RABBITMQ_PORTS.management, protocol: 'http' as const },
      { name: 'prometheus', port: RABBITMQ_PORTS.prometheus, protocol: 'http' as const },
    ];
    const peerPorts = [{ name: 'epmd', port: RABBITMQ_PORTS.epmd }, { name: 'dist', port: RABBITMQ_PORTS.dist }];
    // Nodes must find each other before any is ready, so the headless Service lists unready pods too.
    storeServices(this, { name: RABBITMQ_NAME, labels, selector, clientPorts, peerPorts, publishNotReadyAddresses: true });

    // Peer discovery lists the headless Service's endpoints through the API: the one pod here that needs a token.
    const account = new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata: { name: RABBITMQ_NAME, labels: { ...labels } },
      automountServiceAccountToken: true,
    });
    const role = new k8s.KubeRole(this, 'PeerDiscoveryRole', {
      metadata: { name: `${RABBITMQ_NAME}-peer-discovery`, labels: { ...labels } },
      rules: [{ apiGroups: [''], resources: ['endpoints'], resourceNames: [headlessName], verbs: ['get'] }],
    });
    new k8s.KubeRoleBinding(this, 'PeerDiscoveryRoleBinding', {
      metadata: { name: `${RABBITMQ_NAME}-peer-discovery`, labels: { ...labels } },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.name },
      subjects: [{ kind: 'ServiceAccount', name: account.name, namespace }],
    });

    this.configText = rabbitmqConfig({ settings, namespace, headlessName });
    this.definitionsText = `${JSON.stringify(this.topology.definitions(), null, 2)}\n`;
    const enabledPlugins = `[${RABBITMQ_PLUGINS.join(',')}].\n`;
    const config = new k8s.KubeConfigMap(this, 'Config', {
      metadata: { name: `${RABBITMQ_NAME}-config`, labels: { ...labels } },
      data: { 'rabbitmq.conf': this.configText, enabled_plugins: enabledPlugins, 'definitions.json': this.definitionsText },
    });

    const secretRef = (key: string): k8s.EnvVarSource => ({ secretKeyRef: { name: this.credentialsSecret, key } });
    const security = storeSecurity();
    const run = scratchVolume('run', '/run/rabbitmq', '1Mi', 'Memory');
    const tmp = scratchVolume('tmp', '/tmp', '64Mi');
    const logs = scratchVolume('logs', '/var/log/rabbitmq', '64Mi');
    const diagnostics = (...args: string[]) => ['rabbitmq-diagnostics', '--quiet', ...args];
    const clustered = settings.replicas > 1;

    this.statefulSet = storeStatefulSet(this, {
      name: RABBITMQ_NAME, labels, selector, serviceName: headlessName, replicas: settings.replicas,
      // All nodes start together: a node restarted after a full stop waits for its peers,
      // which OrderedReady would never start.
      podManagementPolicy: 'Parallel',
      annotations: { 'checksum/config': checksum(this.configText + enabledPlugins + this.definitionsText) },
      volumeClaimTemplates: [dataVolumeClaim(storage, claimLabels)],
      pod: {
        serviceAccountName: account.name,
        automountServiceAccountToken: true,
        securityContext: security.pod,
        // A node leaving a cluster first waits until its quorum queues keep a majority without it.
        terminationGracePeriodSeconds: clustered ? 360 : 60,
        topologySpreadConstraints: [{
          maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { ...selector } },
        }],
        containers: [{
          name: 'rabbitmq',
          image,
          imagePullPolicy: 'Always',
          command: shell(RABBITMQ_START_SCRIPT),
          ports: containerPorts([...clientPorts, ...peerPorts]),
          env: [
            { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            { name: 'RABBITMQ_USE_LONGNAME', value: 'true' },
            // Needs POD_NAME above it: the kubelet expands only variables defined earlier.
            { name: 'RABBITMQ_NODENAME', value: `rabbit@$(POD_NAME).${headlessName}.${namespace}.svc.cluster.local` },
            { name: 'RABBITMQ_CONFIG_FILE', value: `${RABBITMQ_CONFIG_DIR}/rabbitmq.conf` },
            { name: 'RABBITMQ_ENABLED_PLUGINS_FILE', value: `${RABBITMQ_CONFIG_DIR}/enabled_plugins` },
            { name: 'TOPOLOGY_FILE', value: `${RABBITMQ_CONFIG_DIR}/definitions.json` },
            { name: 'DEFINITIONS_DIR', value: RABBITMQ_DEFINITIONS_DIR },
            { name: 'ERLANG_COOKIE', valueFrom: secretRef(RABBITMQ_SECRET_KEYS.erlangCookie) },
            { name: 'RABBITMQ_DEFAULT_USER', valueFrom: secretRef(RABBITMQ_SECRET_KEYS.username) },
            { name: 'RABBITMQ_DEFAULT_PASS', valueFrom: secretRef(RABBITMQ_SECRET_KEYS.password) },
          ],
          resources: containerResources(resources),
          securityContext: security.container,
          // Up to 5 minutes: a restarted cluster member waits for its peers' tables.
          startupProbe: execProbe(diagnostics('ping'), { period: 10, timeout: 10, failures: 30 }),
          livenessProbe: execProbe(diagnostics('ping'), { period: 30, timeout: 20, failures: 3 }),
          readinessProbe: execProbe(diagnostics('check_port_connectivity'), { period: 15, timeout: 15, failures: 3 }),
          lifecycle: clustered
            ? { preStop: { exec: { command: ['rabbitmq-upgrade', 'await_online_quorum_plus_one', '-t', '300'] } } }
            : undefined,
          volumeMounts: [
            { name: 'data', mountPath: '/var/lib/rabbitmq' },
            { name: 'config', mountPath: RABBITMQ_CONFIG_DIR, readOnly: true },
            run.mount, tmp.mount, logs.mount,
          ],
        }],
        volumes: [{ name: 'config', configMap: { name: config.name } }, run.volume, tmp.volume, logs.volume],
      },
    });

    storeDisruptionBudget(this, { name: RABBITMQ_NAME, labels, selector, replicas: settings.replicas });
    this.networkPolicy = new DataStoreNetworkPolicy(this, 'NetworkPolicy', {
      name: RABBITMQ_NAME, labels, storeSelector: selector, clientPorts: [RABBITMQ_PORTS.amqp],
      peerPorts: RABBITMQ_PEER_PORTS,
    });
    // Under default-deny egress the nodes need each other (epmd, distribution; AMQP for the CLI
    // tools' node checks) and the API server (peer discovery lists the headless Service's
    // endpoints); without these a cluster never forms on a CNI that enforces egress.
    this.egressPolicy = new k8s.KubeNetworkPolicy(this, 'EgressPolicy', {
      metadata: { name: `${RABBITMQ_NAME}-egress`, labels: { ...labels } },
      spec: {
        podSelector: { matchLabels: { ...selector } },
        policyTypes: ['Egress'],
        egress: [
          { to: [networkPeer({ podLabels: selector })], ports: RABBITMQ_PEER_PORTS.map((port) => networkPort({ port })) },
          { to: api.cidrs.map((cidr) => networkPeer({ cidr })), ports: api.ports.map((port) => networkPort({ port })) },
        ],
      },
    });
  }

  /**
   * Gives a publisher or consumer AMQP_URL (credentials through $(VAR) expansion of
   * Secret-backed variables), the exchange, what it publishes and its queues; admits its pods.
   */
  public connect(client: MicroService): void {
    const topology = this.topology;
    const name = client.serviceName;
    const publishes = topology.publishers.get(name) ?? [];
    const queues = topology.queuesOf(name).map((q) => q.name);
    if (publishes.length === 0 && queues.length === 0) throw new Error(`${name} neither publishes nor consumes events; it gets no broker access`);
    client.addSecretEnv('RABBITMQ_USER', { secret: this.credentialsSecret, key: RABBITMQ_SECRET_KEYS.username });
    client.addSecretEnv('RABBITMQ_PASSWORD', { secret: this.credentialsSecret, key: RABBITMQ_SECRET_KEYS.password });
    client.addEnv('AMQP_URL', `amqp://$(RABBITMQ_USER):$(RABBITMQ_PASSWORD)@${this.host}:${RABBITMQ_PORTS.amqp}/${encodeURIComponent(EVENTS_VHOST)}`);
    client.addEnv('EVENTS_EXCHANGE', topology.exchange);
    if (publishes.length > 0) client.addEnv('EVENTS_PUBLISHES', publishes.join(','));
    if (queues.length > 0) client.addEnv('EVENTS_QUEUES', queues.join(','));
    this.networkPolicy.admit(client.selector);
  }
}

/** The settings rabbitmq.conf is generated from. */
export interface RabbitMqConfigSettings {
  /** Cluster nodes: the cluster size hint. */
  readonly replicas: number;
  /** Requests and limits: the memory limit sizes the memory alarm. */
  readonly resources: ContainerResourceAmounts;
}

/** What is wrong with the props only the broker has. */
function rabbitmqProblems(replicas: number, credentialsSecret: string, api: Required<KubernetesApiEndpoints>): string[] {
  const problems: string[] = [];
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > INT32_MAX || (replicas !== 1 && (replicas < 3 || replicas % 2 === 0))) {
    problems.push(`replicas ${replicas} must be 1 (no cluster) or an odd number of at least 3: quorum queues need a majority through the loss of one node`);
  }
  for (const m of dns1123Subdomain(credentialsSecret)) problems.push(`credentialsSecret "${credentialsSecret}": ${m}`);
  if (api.cidrs.length === 0) problems.push('kubernetesApi.cidrs must name at least one address range, or peer discovery cannot reach the API server');
  if (api.ports.length === 0) problems.push('kubernetesApi.ports must name at least one port, or peer discovery cannot reach the API server');
  api.cidrs.forEach((cidr, i) => {
    if (!IPV4_CIDR.test(cidr)) problems.push(`kubernetesApi.cidrs[${i}] "${cidr}" must be an IPv4 range in CIDR notation, such as 10.0.0.0/8`);
  });
  api.ports.forEach((port, i) => {
    if (!Number.isInteger(port) || port < 1 || port > 65535) problems.push(`kubernetesApi.ports[${i}] ${port} must be a whole number from 1 to 65535`);
  });
  return problems;
}

/** rabbitmq.conf: listeners, console logging, memory from the container limit, definitions, peer discovery. */
export function rabbitmqConfig(opts: { settings: RabbitMqConfigSettings; namespace: string; headlessName: string }): string {
  const { settings, namespace, headlessName } = opts;
  // The node would otherwise size its memory alarm from the host's RAM; 80% leaves room for the runtime.
  const memory = Math.floor(parseQuantity(settings.resources.limits.memory) * 0.8);
  return [
    '# Generated from platform.rabbitmq and the services\' publishes/consumes.',
    `listeners.tcp.default = ${RABBITMQ_PORTS.amqp}`,
    `management.tcp.port = ${RABBITMQ_PORTS.management}`,
    `prometheus.tcp.port = ${RABBITMQ_PORTS.prometheus}`,
    'log.console = true',
    'log.console.level = info',
    'log.file = false',
    `total_memory_available_override_value = ${memory}`,
    '# Topology (ConfigMap) and user (written from the Secret at start), imported at every boot.',
    `load_definitions = ${RABBITMQ_DEFINITIONS_DIR}`,
    'cluster_partition_handling = pause_minority',
    'cluster_formation.peer_discovery_backend = rabbit_peer_discovery_k8s',
    'cluster_formation.k8s.host = kubernetes.default.svc.cluster.local',
    'cluster_formation.k8s.address_type = hostname',
    `cluster_formation.k8s.service_name = ${headlessName}`,
    `cluster_formation.k8s.hostname_suffix = .${headlessName}.${namespace}.svc.cluster.local`,
    'cluster_formation.node_cleanup.only_log_warning = true',
    // The API can be unreachable for seconds while a mesh sidecar starts; a node that gives up boots alone.
    'cluster_formation.discovery_retry_limit = 60',
    'cluster_formation.discovery_retry_interval = 1000',
    // Queues and bindings are imported once this many nodes run, so quorum queues get a member on each.
    `cluster_formation.target_cluster_size_hint = ${settings.replicas}`,
    '',
  ].join('\n');
}
