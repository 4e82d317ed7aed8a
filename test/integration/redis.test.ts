/**
 * The generated Redis configuration against a real redis-server at the deployed version (the PyPI
 * build pinned in scripts/integration/versions.env, installed by scripts/integration/install-servers.sh):
 * started with the ConfigMap's redis.conf and the StatefulSet's command line, the password expanded
 * from the Secret exactly as the kubelet does; redis-cli (client and probe) from the same build.
 */
import { ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { k8s } from 'cdk8s-plus-27';
import { servicePods } from '../data/support';
import { findObject, objectsOf } from '../helpers';
import { expand, expandContainerEnv, freePort, run, Secrets, serversCache, startServer, stopServer, tempDirFor, tryRun, waitFor } from './servers';
import { checkTestedVersion, integrationVersions, statefulSetImages } from './versions';

interface Container { command: string[]; args: string[]; env: k8s.EnvVar[]; readinessProbe: { exec: { command: string[] } } }
interface PodSpecOwner { spec: { template: { spec: { containers: Array<Container & { name: string }> } } } }

// URL-safe, like a generated Secret value: REDIS_URL carries it unencoded (the kubelet does not encode).
const PASSWORD = 'cache-Pw_7x9Kq2-test';
const secrets: Secrets = { 'redis-credentials': { password: PASSWORD } };

/** The pinned build's programs (redis-server, redis-cli), as install-servers.sh leaves them. */
const BIN = path.join(serversCache(), `redis-${integrationVersions().REDIS_VERSION}`, 'bin');
const CLI = path.join(BIN, 'redis-cli');
/** The environment of commands the pod runs by name (the probe's redis-cli): the pinned build first. */
const withBin = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ ...process.env, PATH: `${BIN}:${process.env.PATH ?? ''}`, ...extra });

/** One environment's Redis, started from its manifests on a free local port. */
class LocalRedis {
  public port = 0;
  public dir = '';
  public container!: Container;
  private server?: ChildProcess;

  constructor(private readonly env: string) {}

  public async start(): Promise<void> {
    if (!fs.existsSync(path.join(BIN, 'redis-server'))) throw new Error(`no redis-server in ${BIN}: run bash scripts/integration/install-servers.sh`);
    const objects = objectsOf(this.env);
    const config = findObject<{ data: Record<string, string> }>(objects, 'ConfigMap', 'redis-config').data['redis.conf'];
    this.container = findObject<PodSpecOwner>(objects, 'StatefulSet', 'redis').spec.template.spec.containers[0];
    this.dir = tempDirFor('redis', `redis-it-${this.env}`);
    this.port = await freePort();
    const configFile = path.join(this.dir, 'redis.conf');
    fs.writeFileSync(configFile, config);
    // The pod's command line, with the kubelet's $(VAR) expansion and the config at its local path...
    const vars = expandContainerEnv(this.container.env, secrets);
    const local: Record<string, string> = { '/etc/redis/redis.conf': configFile, '/data': this.dir };
    const [program, ...commandArgs] = this.container.command;
    const argv = [path.join(BIN, program), ...commandArgs, ...this.container.args.map((a) => local[a] ?? expand(a, vars))];
    // ...plus where this machine differs from the pod: the program's directory, address and port.
    const started = startServer([...argv, '--bind', '127.0.0.1', '--port', String(this.port)], { env: withBin() });
    this.server = started.child;
    await waitFor('redis-server to listen', () => tryRun([CLI, '-p', String(this.port), 'ping']).output.includes('NOAUTH'), 15_000, started);
  }

  public async stop(): Promise<void> {
    await stopServer(this.server);
    if (this.dir) fs.rmSync(this.dir, { recursive: true, force: true });
  }

  /** redis-cli with the password from REDISCLI_AUTH, the way the probe passes it. */
  public cli(...args: string[]): string {
    return run([CLI, '-p', String(this.port), ...args], { env: withBin({ REDISCLI_AUTH: PASSWORD }) }).trim();
  }
}

describe('the dev Redis', () => {
  const redis = new LocalRedis('dev');
  beforeAll(() => redis.start(), 30_000);
  afterAll(() => redis.stop());

  test('runs the Redis version the StatefulSet deploys', () => {
    // GIVEN the image the Redis StatefulSet deploys
    const [image] = statefulSetImages(objectsOf('dev'), /^redis$/);
    // WHEN the running server reports its version
    const version = /^redis_version:(\S+)/m.exec(redis.cli('info', 'server'))?.[1] ?? '';
    // THEN it is the deployed version
    const result = checkTestedVersion('redis', image, version);
    console.log(result.line);
    expect(result).toEqual({ ok: true, line: result.line });
  });

  test('refuses commands without the password from the Secret', () => {
    // GIVEN the server started with the generated configuration and --requirepass $(REDIS_PASSWORD)
    // WHEN a client sends a command without authenticating
    const reply = tryRun([CLI, '-p', String(redis.port), 'get', 'x']).output;
    // THEN it is refused
    expect(reply).toContain('NOAUTH');
  });

  test('accepts the password and caps memory with the eviction policy of the spec', () => {
    // GIVEN the password from the Secret
    // WHEN the client reads the effective configuration
    const maxmemory = redis.cli('config', 'get', 'maxmemory');
    const policy = redis.cli('config', 'get', 'maxmemory-policy');
    // THEN maxmemory is 256mb and keys are evicted least-recently-used first
    expect(maxmemory.split('\n')).toEqual(['maxmemory', String(256 * 1024 * 1024)]);
    expect(policy.split('\n')).toEqual(['maxmemory-policy', 'allkeys-lru']);
  });

  test('keeps nothing on disk in dev: no append-only file, no snapshots', () => {
    expect(redis.cli('config', 'get', 'appendonly').split('\n')).toEqual(['appendonly', 'no']);
    const [name, save = ''] = redis.cli('config', 'get', 'save').split('\n');
    expect([name, save]).toEqual(['save', '']);
  });

  test('the readiness probe passes with the password and fails without it', () => {
    // GIVEN the probe's script, pointed at the local port
    const script = redis.container.readinessProbe.exec.command[2].replace('-p 6379', `-p ${redis.port}`);
    // WHEN it runs with the container's REDIS_PASSWORD, then with a wrong one
    const ok = tryRun(['sh', '-c', script], { env: withBin({ REDIS_PASSWORD: PASSWORD }) });
    const wrong = tryRun(['sh', '-c', script], { env: withBin({ REDIS_PASSWORD: 'wrong' }) });
    // THEN only the right password makes it pass
    expect(ok.status).toBe(0);
    expect(wrong.status).not.toBe(0);
  });

  test('a client authenticates with the REDIS_URL its pods get', () => {
    // GIVEN user-service's env expanded as the kubelet does, the URL pointed at the local server
    const deployment = servicePods(objectsOf('dev'), 'user-service');
    const env = expandContainerEnv(deployment.spec.template.spec.containers[0].env, secrets);
    const url = env.REDIS_URL.replace(/@[^/]+\//, `@127.0.0.1:${redis.port}/`);
    // WHEN redis-cli connects with it
    const reply = run([CLI, '-u', url, 'ping']).trim();
    // THEN the server answers
    expect(reply).toBe('PONG');
  });
});

describe('the prod Redis', () => {
  const redis = new LocalRedis('prod');
  beforeAll(() => redis.start(), 30_000);
  afterAll(() => redis.stop());

  test('persists with an append-only file, synced every second', () => {
    // GIVEN the prod configuration (persistence on)
    // WHEN the effective settings are read
    // THEN the append-only file is on
    expect(redis.cli('config', 'get', 'appendonly').split('\n')).toEqual(['appendonly', 'yes']);
    expect(redis.cli('config', 'get', 'appendfsync').split('\n')).toEqual(['appendfsync', 'everysec']);
  });
});
