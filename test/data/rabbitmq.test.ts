/** RabbitMQ: clustering, peer discovery RBAC, configuration, definitions, probes, security, budget and client env. */
import { editReference, findObject, objectsOf } from '../helpers';
import { envNames, envOf, mainContainer, podOwner, reference, servicePods } from './support';

const prodRabbit = podOwner(reference('prod'), 'StatefulSet', 'rabbitmq');
const rabbit = mainContainer(prodRabbit);
const configMap = (env: string) => findObject<{ data: Record<string, string> }>(reference(env), 'ConfigMap', 'rabbitmq-config').data;

describe('the cluster', () => {
  test.each([['dev', 1], ['staging', 1], ['prod', 3]])('%s runs %i node(s)', (env, replicas) => {
    // GIVEN platform.rabbitmq.replicas (3 in the prod override)
    // WHEN the environment is synthesized
    const statefulSet = podOwner(reference(env), 'StatefulSet', 'rabbitmq');
    // THEN the StatefulSet has that many replicas and imports queues only once that many run
    expect(statefulSet.spec.replicas).toBe(replicas);
    expect(configMap(env)['rabbitmq.conf']).toContain(`cluster_formation.target_cluster_size_hint = ${replicas}`);
  });

  test('nodes start in parallel behind a headless Service that lists unready pods', () => {
    // GIVEN a restarted cluster member waits for its peers before it is ready
    const headless = findObject<{ spec: { clusterIP: string; publishNotReadyAddresses: boolean; ports: Array<{ name: string; port: number }> } }>(reference('prod'), 'Service', 'rabbitmq-headless');
    // THEN OrderedReady cannot deadlock it, and peers find each other before readiness
    expect(prodRabbit.spec.podManagementPolicy).toBe('Parallel');
    expect(prodRabbit.spec.serviceName).toBe('rabbitmq-headless');
    expect(headless.spec.clusterIP).toBe('None');
    expect(headless.spec.publishNotReadyAddresses).toBe(true);
    expect(headless.spec.ports.map((p) => p.port)).toEqual([5672, 15672, 15692, 4369, 25672]);
  });

  test('nodes use long names under the headless Service', () => {
    // GIVEN the pod name from the downward API, defined before the node name that uses it
    const env = envOf(rabbit);
    const names = envNames(rabbit);
    // THEN each node is rabbit@<pod>.rabbitmq-headless.<namespace>.svc.cluster.local
    expect(env.RABBITMQ_USE_LONGNAME).toBe('true');
    expect(env.RABBITMQ_NODENAME).toBe('rabbit@$(POD_NAME).rabbitmq-headless.shop-prod.svc.cluster.local');
    expect(env.POD_NAME).toBe('field:metadata.name');
    expect(names.indexOf('POD_NAME')).toBeLessThan(names.indexOf('RABBITMQ_NODENAME'));
  });

  test('peer discovery through the Kubernetes API, with the matching host name suffix', () => {
    // GIVEN the headless Service WHEN rabbitmq.conf is read THEN peer discovery lists its endpoints and names nodes by host name
    const conf = configMap('prod')['rabbitmq.conf'];
    expect(conf).toContain('cluster_formation.peer_discovery_backend = rabbit_peer_discovery_k8s');
    expect(conf).toContain('cluster_formation.k8s.service_name = rabbitmq-headless');
    expect(conf).toContain('cluster_formation.k8s.address_type = hostname');
    expect(conf).toContain('cluster_formation.k8s.hostname_suffix = .rabbitmq-headless.shop-prod.svc.cluster.local');
  });

  test('its own ServiceAccount, mounted, may only get the headless Service\'s endpoints', () => {
    // GIVEN peer discovery reads the endpoints of the headless Service
    const account = findObject<{ automountServiceAccountToken: boolean }>(reference('prod'), 'ServiceAccount', 'rabbitmq');
    const role = findObject<{ rules: unknown[] }>(reference('prod'), 'Role', 'rabbitmq-peer-discovery');
    const binding = findObject<{ roleRef: unknown; subjects: unknown[] }>(reference('prod'), 'RoleBinding', 'rabbitmq-peer-discovery');
    // THEN the token is mounted for RabbitMQ only, and the Role allows exactly that read
    expect(prodRabbit.spec.template.spec.serviceAccountName).toBe('rabbitmq');
    expect(prodRabbit.spec.template.spec.automountServiceAccountToken).toBe(true);
    expect(account.automountServiceAccountToken).toBe(true);
    expect(role.rules).toEqual([{ apiGroups: [''], resources: ['endpoints'], resourceNames: ['rabbitmq-headless'], verbs: ['get'] }]);
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'rabbitmq-peer-discovery' });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'rabbitmq', namespace: 'shop-prod' }]);
  });

  test('the disruption budget lets one node of three go, and none of one', () => {
    // GIVEN 3 nodes in prod, 1 in dev WHEN the budgets are read THEN prod may lose one, dev none
    const budget = (env: string) => findObject<{ spec: { maxUnavailable: number } }>(reference(env), 'PodDisruptionBudget', 'rabbitmq').spec.maxUnavailable;
    expect(budget('prod')).toBe(1);
    expect(budget('dev')).toBe(0);
  });

  test('a leaving member of a cluster first waits until quorum queues keep a majority without it', () => {
    // GIVEN a cluster in prod, one node in dev WHEN the containers are read THEN only prod waits for quorum before stopping
    const lifecycle = (container: unknown) => (container as { lifecycle?: { preStop: { exec: { command: string[] } } } }).lifecycle;
    expect(lifecycle(rabbit)?.preStop.exec.command).toEqual(['rabbitmq-upgrade', 'await_online_quorum_plus_one', '-t', '300']);
    expect(lifecycle(mainContainer(podOwner(reference('dev'), 'StatefulSet', 'rabbitmq')))).toBeUndefined();
  });
});

describe('configuration', () => {
  test('enabled_plugins lists management, Kubernetes peer discovery and Prometheus', () => {
    // GIVEN the ConfigMap WHEN enabled_plugins is read THEN it lists the three plugins
    expect(configMap('prod').enabled_plugins).toBe('[rabbitmq_management,rabbitmq_peer_discovery_k8s,rabbitmq_prometheus].\n');
  });

  test('definitions are loaded at boot from the directory the start script assembles', () => {
    // GIVEN the start script's definitions directory WHEN rabbitmq.conf is read THEN load_definitions points at it
    expect(configMap('prod')['rabbitmq.conf']).toContain('load_definitions = /run/rabbitmq/definitions');
    expect(envOf(rabbit)).toMatchObject({ DEFINITIONS_DIR: '/run/rabbitmq/definitions', TOPOLOGY_FILE: '/etc/rabbitmq/definitions.json' });
  });

  test('the memory alarm is sized from the container limit, not the node\'s RAM', () => {
    // GIVEN a 1Gi limit
    // THEN RabbitMQ counts 80% of it as the memory available
    expect(configMap('prod')['rabbitmq.conf']).toContain(`total_memory_available_override_value = ${Math.floor(2 ** 30 * 0.8)}`);
  });

  test('the Erlang cookie, user and password come from the Secret rabbitmq-credentials', () => {
    // GIVEN the credentials Secret WHEN the container env is read THEN cookie, user and password are secretKeyRefs
    expect(envOf(rabbit)).toMatchObject({
      ERLANG_COOKIE: 'secret:rabbitmq-credentials/erlang-cookie',
      RABBITMQ_DEFAULT_USER: 'secret:rabbitmq-credentials/username',
      RABBITMQ_DEFAULT_PASS: 'secret:rabbitmq-credentials/password',
    });
  });

  test('the start script writes the cookie with mode 0400 and the user definitions, then becomes rabbitmq-server', () => {
    // GIVEN the container command WHEN the script is read THEN it writes the cookie and user definitions, then execs the server
    const script = rabbit.command?.[2] ?? '';
    expect(rabbit.command?.slice(0, 2)).toEqual(['sh', '-c']);
    expect(script).toContain('chmod 0400 "$cookie"');
    expect(script).toContain('> "$DEFINITIONS_DIR/10-user.json"');
    expect(script.trim().split('\n').pop()).toBe('exec rabbitmq-server');
  });
});

describe('health and security', () => {
  test('probes use rabbitmq-diagnostics', () => {
    // GIVEN the container WHEN its probes are read THEN they run rabbitmq-diagnostics
    expect(rabbit.startupProbe?.exec.command).toEqual(['rabbitmq-diagnostics', '--quiet', 'ping']);
    expect(rabbit.livenessProbe?.exec.command).toEqual(['rabbitmq-diagnostics', '--quiet', 'ping']);
    expect(rabbit.readinessProbe?.exec.command).toEqual(['rabbitmq-diagnostics', '--quiet', 'check_port_connectivity']);
  });

  test('PSS restricted as the image\'s rabbitmq user (999), read-only root, writable data, run, tmp and log directories', () => {
    // GIVEN a read-only root WHEN the pod is read THEN it runs as 999 with writable volumes only where RabbitMQ writes
    expect(prodRabbit.spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 999, fsGroup: 999, seccompProfile: { type: 'RuntimeDefault' } });
    expect(rabbit.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(rabbit.volumeMounts.map((m) => m.mountPath).sort()).toEqual(['/etc/rabbitmq', '/run/rabbitmq', '/tmp', '/var/lib/rabbitmq', '/var/log/rabbitmq']);
    expect(prodRabbit.spec.template.spec.volumes).toContainEqual({ name: 'run', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } });
  });

  test('each node has a 5Gi volume', () => {
    // GIVEN platform.rabbitmq.storage WHEN the claim template is read THEN each node asks for 5Gi
    expect(prodRabbit.spec.volumeClaimTemplates?.map((c) => c.spec.resources.requests.storage)).toEqual(['5Gi']);
  });
});

describe('clients', () => {
  const envOfService = (name: string) => envOf(mainContainer(servicePods(reference('prod'), name)));

  test('a publisher gets AMQP_URL from Secret-backed variables, the exchange and what it publishes', () => {
    // GIVEN order-service publishes order.created WHEN its env is read THEN it has the URL, the exchange and its events, no queues
    const container = mainContainer(servicePods(reference('prod'), 'order-service'));
    expect(envOf(container)).toMatchObject({
      RABBITMQ_USER: 'secret:rabbitmq-credentials/username',
      RABBITMQ_PASSWORD: 'secret:rabbitmq-credentials/password',
      AMQP_URL: 'amqp://$(RABBITMQ_USER):$(RABBITMQ_PASSWORD)@rabbitmq.shop-prod.svc.cluster.local:5672/%2F',
      EVENTS_EXCHANGE: 'events',
      EVENTS_PUBLISHES: 'order.created',
    });
    expect(envNames(container).indexOf('RABBITMQ_PASSWORD')).toBeLessThan(envNames(container).indexOf('AMQP_URL'));
    expect(envOf(container).EVENTS_QUEUES).toBeUndefined();
  });

  test.each(['inventory-service', 'notification-service'])('consumer %s gets its own queue name', (name) => {
    // GIVEN the service consumes order.created WHEN its env is read THEN it names its own queue
    expect(envOfService(name)).toMatchObject({ EVENTS_EXCHANGE: 'events', EVENTS_QUEUES: `${name}.order.created` });
  });

  test('a service that neither publishes nor consumes gets no broker settings', () => {
    // GIVEN user-service has no events WHEN its env is read THEN it has no broker variables
    expect(Object.keys(envOfService('user-service')).filter((k) => k.startsWith('AMQP') || k.startsWith('RABBITMQ') || k.startsWith('EVENTS'))).toEqual([]);
  });

  test('no broker at all when no service publishes or consumes', () => {
    // GIVEN the reference without events
    const text = editReference(['    publishes: [order.created]\n', ''], ['    consumes: [order.created]\n    routes', '    routes'], ['    consumes: [order.created]\n    secretEnv', '    secretEnv']);
    // WHEN dev is synthesized
    // THEN nothing of RabbitMQ is generated
    expect(objectsOf('dev', text).filter((o) => o.metadata.name.startsWith('rabbitmq'))).toEqual([]);
  });
});
