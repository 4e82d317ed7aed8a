/**
 * The generated RabbitMQ configuration against a real broker (Debian bookworm's 3.10, not the
 * deployed 3.13: test/integration/versions.ts, docs/data-tier-versions.md): the pod's own start
 * script runs with the ConfigMap's rabbitmq.conf, enabled_plugins and definitions.json and the
 * Secret's values, on one local node. Only what a single local node cannot have differs from
 * the pod: Kubernetes peer discovery is removed, ports and paths are local.
 */
import { ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { k8s } from 'cdk8s-plus-27';
import { findObject, objectsOf } from '../helpers';
import { asUser, expandContainerEnv, freePort, run, Secrets, StartedServer, startServer, stopServer, tempDirFor, tryRun, waitFor, writeFileFor } from './servers';
import { checkTestedVersion, statefulSetImages } from './versions';

interface Container { command: string[]; env: k8s.EnvVar[] }
interface PodSpecOwner { spec: { template: { spec: { containers: Container[] } } } }

const RABBIT_BIN = '/usr/lib/rabbitmq/bin';
const USER = 'events-app';
// Quotes, a backslash and spaces: the start script must escape them into JSON correctly.
const PASSWORD = 'amqp "pw" \\ with spaces';
const secrets: Secrets = { 'rabbitmq-credentials': { username: USER, password: PASSWORD, 'erlang-cookie': 'INTEGRATIONTESTCOOKIE0123456789' } };

let dir: string;
let env: NodeJS.ProcessEnv;
let server: StartedServer | undefined;
let child: ChildProcess | undefined;
let epmdPort: number;

/** rabbitmqctl as the node's user, with the node's environment (cookie, node name, epmd port). */
const ctl = (...args: string[]) => run([...asUser('rabbitmq'), `${RABBIT_BIN}/rabbitmqctl`, ...args], { env });

beforeAll(async () => {
  const objects = objectsOf('dev');
  const config = findObject<{ data: Record<string, string> }>(objects, 'ConfigMap', 'rabbitmq-config').data;
  const container = findObject<PodSpecOwner>(objects, 'StatefulSet', 'rabbitmq').spec.template.spec.containers[0];
  dir = tempDirFor('rabbitmq', 'rabbitmq-it');
  const [amqpPort, managementPort, prometheusPort, distPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  epmdPort = await freePort();
  const definitionsDir = path.join(dir, 'definitions');

  // The ConfigMap's files, with peer discovery removed and ports and paths made local.
  const local: Array<[RegExp, string]> = [
    [/^cluster_formation\..*\n/gm, ''],
    [/^listeners\.tcp\.default = .*$/m, `listeners.tcp.default = 127.0.0.1:${amqpPort}`],
    [/^management\.tcp\.port = .*$/m, `management.tcp.port = ${managementPort}\nmanagement.tcp.ip = 127.0.0.1`],
    [/^prometheus\.tcp\.port = .*$/m, `prometheus.tcp.port = ${prometheusPort}\nprometheus.tcp.ip = 127.0.0.1`],
    [/^load_definitions = .*$/m, `load_definitions = ${definitionsDir}`],
  ];
  const conf = local.reduce((text, [pattern, replacement]) => text.replace(pattern, replacement), config['rabbitmq.conf']);
  writeFileFor('rabbitmq', path.join(dir, 'rabbitmq.conf'), conf);
  writeFileFor('rabbitmq', path.join(dir, 'enabled_plugins'), config.enabled_plugins);
  writeFileFor('rabbitmq', path.join(dir, 'definitions.json'), config['definitions.json']);

  // The container's env as the kubelet builds it, then the local paths and a unique node name.
  env = {
    ...process.env,
    ...expandContainerEnv(container.env, secrets, { 'metadata.name': 'rabbitmq-0' }),
    PATH: `${RABBIT_BIN}:${process.env.PATH}`,
    HOME: dir,
    RABBITMQ_NODENAME: `rabbit-it-${process.pid}@localhost`,
    RABBITMQ_USE_LONGNAME: 'false',
    RABBITMQ_CONFIG_FILE: path.join(dir, 'rabbitmq.conf'),
    RABBITMQ_ENABLED_PLUGINS_FILE: path.join(dir, 'enabled_plugins'),
    TOPOLOGY_FILE: path.join(dir, 'definitions.json'),
    DEFINITIONS_DIR: definitionsDir,
    RABBITMQ_MNESIA_BASE: path.join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: path.join(dir, 'log'),
    RABBITMQ_DIST_PORT: String(distPort),
    ERL_EPMD_PORT: String(epmdPort),
  };
  // The pod's command: `sh -c <start script>`.
  server = startServer([...asUser('rabbitmq'), ...container.command], { env, cwd: dir });
  child = server.child;
  await waitFor('the node to start', () => tryRun([...asUser('rabbitmq'), `${RABBIT_BIN}/rabbitmqctl`, 'await_startup', '--timeout', '5'], { env }).status === 0,
    90_000, server);
}, 120_000);

afterAll(async () => {
  if (child && child.exitCode === null) tryRun([...asUser('rabbitmq'), `${RABBIT_BIN}/rabbitmqctl`, 'stop'], { env });
  await stopServer(child, 15_000);
  // The Erlang port mapper the node started on the test's port.
  if (env) tryRun([...asUser('rabbitmq'), 'epmd', '-port', String(epmdPort), '-kill'], { env });
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}, 30_000);

/** Rows of a rabbitmqctl list command, tab-separated columns, without headers. */
const rows = (...args: string[]) => ctl('-q', '--no-table-headers', ...args).trim().split('\n').filter(Boolean).map((l) => l.split('\t'));

test('runs the deployed RabbitMQ version, or exactly the documented older one', () => {
  // GIVEN the image the RabbitMQ StatefulSet deploys
  const [image] = statefulSetImages(objectsOf('dev'), /^rabbitmq$/);
  // WHEN the running node reports its version
  const version = ctl('-q', 'version').trim();
  // THEN it is the deployed version, or the gap docs/data-tier-versions.md states
  const result = checkTestedVersion('rabbitmq', image, version);
  const otp = ctl('-q', 'eval', 'erlang:system_info(otp_release).').trim().replace(/"/g, '');
  console.log(`${result.line}; on Erlang/OTP ${otp}`);
  expect(result).toEqual({ ok: true, line: result.line });
});

test('the start script writes the Erlang cookie readable by its owner only', () => {
  // GIVEN the node started by the pod's start script
  // WHEN the cookie file is inspected
  const stat = fs.statSync(path.join(dir, '.erlang.cookie'));
  // THEN its mode is 0400 and it holds the Secret's cookie
  expect(stat.mode & 0o777).toBe(0o400);
  expect(fs.readFileSync(path.join(dir, '.erlang.cookie'), 'utf8')).toBe(secrets['rabbitmq-credentials']['erlang-cookie']);
});

test('loads the durable topic exchange from the definitions', () => {
  // GIVEN the node booted with load_definitions
  // WHEN exchanges are listed
  const exchanges = rows('list_exchanges', 'name', 'type', 'durable');
  // THEN the events exchange is there, a durable topic exchange
  expect(exchanges).toContainEqual(['events', 'topic', 'true']);
});

test('declares one durable quorum queue per consumer and event', () => {
  // GIVEN inventory-service and notification-service consume order.created
  // WHEN queues are listed
  const queues = rows('list_queues', 'name', 'durable', 'type').sort();
  // THEN each has its own durable quorum queue, and there are no others
  expect(queues).toEqual([
    ['inventory-service.order.created', 'true', 'quorum'],
    ['notification-service.order.created', 'true', 'quorum'],
  ]);
});

test('binds order.created to both consumer queues', () => {
  // GIVEN the topology from the spec
  // WHEN bindings from the events exchange are listed
  const bindings = rows('list_bindings', 'source_name', 'destination_name', 'destination_kind', 'routing_key')
    .filter(([source]) => source === 'events').sort();
  // THEN the event fans out to both queues by its routing key
  expect(bindings).toEqual([
    ['events', 'inventory-service.order.created', 'queue', 'order.created'],
    ['events', 'notification-service.order.created', 'queue', 'order.created'],
  ]);
});

test('creates the user from the Secret (not seeded by default when definitions load) and no guest', () => {
  // GIVEN a username and a password with quotes, a backslash and spaces in the Secret
  // WHEN users are listed and the password is checked
  const users = rows('list_users').map(([name]) => name);
  const auth = tryRun([...asUser('rabbitmq'), `${RABBIT_BIN}/rabbitmqctl`, 'authenticate_user', USER, PASSWORD], { env });
  const wrong = tryRun([...asUser('rabbitmq'), `${RABBIT_BIN}/rabbitmqctl`, 'authenticate_user', USER, 'not-the-password'], { env });
  // THEN exactly that user exists and only its password authenticates
  expect(users).toEqual([USER]);
  expect(auth.status).toBe(0);
  expect(wrong.status).not.toBe(0);
});

test('grants the user full access to the virtual host', () => {
  expect(rows('list_permissions', '-p', '/')).toEqual([[USER, '.*', '.*', '.*']]);
});

test('runs with the management, Kubernetes peer discovery and Prometheus plugins enabled', () => {
  // GIVEN enabled_plugins from the ConfigMap
  // WHEN the explicitly enabled plugins are listed
  const enabled = run([...asUser('rabbitmq'), `${RABBIT_BIN}/rabbitmq-plugins`, '-q', 'list', '-E', '-m'], { env }).trim().split('\n').sort();
  // THEN they are exactly the three
  expect(enabled).toEqual(['rabbitmq_management', 'rabbitmq_peer_discovery_k8s', 'rabbitmq_prometheus']);
});
