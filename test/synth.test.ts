/** Synth users can trust: apply order, determinism, atomic writes, clear failures. */
import * as fs from 'fs';
import * as path from 'path';
import { k8s } from 'cdk8s-plus-27';
import { runSynthCli } from '../src/cli';
import { SpecError } from '../src/spec/errors';
import { loadPlatform } from '../src/spec/load';
import { composeEnvironment, renderEnvironment, renderFile, synthPlatform } from '../src/synth';
import { editReference, REFERENCE_FILE, referenceText, synth } from './helpers';
import { tempDir } from './support/temp-dirs';

function tmpDir(): string {
  return tempDir('synth-test-');
}

function readTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const env of fs.readdirSync(dir)) {
    for (const f of fs.readdirSync(path.join(dir, env))) out[`${env}/${f}`] = fs.readFileSync(path.join(dir, env, f), 'utf8');
  }
  return out;
}

describe('output layout', () => {
  const [dev] = synth(referenceText(), ['dev']);

  test('files are numbered in apply order, the namespace first', () => {
    const names = dev.files.map((f) => f.name);
    expect(names[0]).toBe('00-namespace.yaml');
    expect([...names].sort()).toEqual(names);
    expect(dev.files[0].objects.map((o) => o.kind)).toEqual(['Namespace']);
  });

  test('every service has its own file', () => {
    for (const s of ['user-service', 'order-service', 'inventory-service', 'notification-service']) {
      expect(dev.files.map((f) => f.name)).toContain(`30-${s}.yaml`);
    }
  });

  test('within a file, ServiceAccounts and Services come before the workloads that use them', () => {
    const kinds = dev.files.find((f) => f.name === '30-inventory-service.yaml')!.objects.map((o) => o.kind);
    expect(kinds.indexOf('ServiceAccount')).toBeLessThan(kinds.indexOf('Deployment'));
    expect(kinds.indexOf('Service')).toBeLessThan(kinds.indexOf('Deployment'));
  });

  test('every namespaced object lands in the environment namespace, except those that select the ingress gateway pods (dev has its own, in istio-ingress)', () => {
    const objects = dev.files.slice(1).flatMap((f) => f.objects);
    const outside = objects.filter((o) => o.metadata.namespace !== 'shop-dev');
    expect(new Set(outside.map((o) => o.metadata.namespace))).toEqual(new Set(['istio-ingress']));
    expect(outside.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'AuthorizationPolicy/shop-dev-require-jwt', 'EnvoyFilter/shop-dev-ratelimit', 'RequestAuthentication/shop-dev-jwt', 'Telemetry/shop-dev-gateway-access-log',
    ]);
  });
});

describe('determinism', () => {
  test('the same spec gives byte-identical files', () => {
    // Two separate syntheses (the helper's synth() would return one shared result twice).
    const render = () => synthPlatform(loadPlatform(referenceText(), REFERENCE_FILE)).flatMap((e) => e.files.map((f) => `${e.name}/${f.name}\n${renderFile(f)}`)).join('\n');
    expect(render()).toEqual(render());
  });
});

describe('duplicate objects', () => {
  test('two objects with the same kind, namespace and name are rejected with both origins', () => {
    // GIVEN an environment where an extension adds a second ServiceAccount named like a service's
    const env = loadPlatform(referenceText(), REFERENCE_FILE).environments[0];
    const platform = composeEnvironment(env);
    new k8s.KubeServiceAccount(platform.services.get('order-service')!.chart, 'Extra', { metadata: { name: 'order-service' } });
    // WHEN rendered THEN a SpecError names the duplicate and both construct paths
    expect(() => renderEnvironment(platform)).toThrow(SpecError);
    try {
      renderEnvironment(platform);
    } catch (e) {
      expect((e as SpecError).problems[0].message).toMatch(
        /^two objects share kind ServiceAccount, namespace "shop-dev" and name "order-service" \(dev\/service-order-service\/order-service\/ServiceAccount and dev\/service-order-service\/Extra\); rename one of them$/);
      expect((e as SpecError).problems[0].path).toBe('services.order-service');
    }
  });
});

describe('the CLI', () => {
  let stderr: jest.SpyInstance;
  let stdout: jest.SpyInstance;
  beforeEach(() => {
    stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  });
  afterEach(() => jest.restoreAllMocks());

  test('writes every environment by default', async () => {
    const out = tmpDir();
    expect(await runSynthCli(['--config', REFERENCE_FILE, '--out', out], {})).toBe(0);
    expect(fs.readdirSync(out).sort()).toEqual(['dev', 'prod', 'staging']);
    expect(stdout).toHaveBeenCalledWith(expect.stringMatching(/^synthesized 3 environment\(s\) in \d+ ms\n$/));
  });

  test('--env writes one environment from another spec into another directory', async () => {
    const dir = tmpDir();
    const spec = path.join(dir, 'other.yaml');
    fs.writeFileSync(spec, referenceText());
    fs.cpSync(path.join(path.dirname(REFERENCE_FILE), 'sql'), path.join(dir, 'sql'), { recursive: true });
    const out = path.join(dir, 'out');
    expect(await runSynthCli(['--env', 'staging', '--config', spec, '--out', out], {})).toBe(0);
    expect(fs.readdirSync(out)).toEqual(['staging']);
  });

  test('an output directory named with `..` after a link is one directory: the leftovers and the stale gitops/ it clears are those beside what it writes', async () => {
    // GIVEN out/ with a leftover of an interrupted synth and a gitops/ the spec no longer makes, and a link elsewhere beside it
    const dir = tmpDir();
    fs.mkdirSync(path.join(dir, 'out', '.dev.tmp-abcdef'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'out', 'gitops'));
    fs.mkdirSync(path.join(dir, 'elsewhere', 'deeper'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'elsewhere', 'out', 'gitops'), { recursive: true });
    fs.symlinkSync(path.join(dir, 'elsewhere', 'deeper'), path.join(dir, 'link'));
    // WHEN the synth writes to link/../out (by the text: out/; through the link: elsewhere/out/)
    expect(await runSynthCli(['--config', REFERENCE_FILE, '--out', `${path.join(dir, 'link')}/../out`], {})).toBe(0);
    // THEN the environments, the cleared leftover and the removed gitops/ are all in out/; elsewhere/ is untouched
    expect(fs.readdirSync(path.join(dir, 'out')).sort()).toEqual(['dev', 'prod', 'staging']);
    expect(fs.readdirSync(path.join(dir, 'elsewhere', 'out'))).toEqual(['gitops']);
  });

  test('CDK8S_OUTDIR sets the output directory, as `cdk8s synth` does', async () => {
    const out = tmpDir();
    expect(await runSynthCli(['--config', REFERENCE_FILE, '--env', 'dev'], { CDK8S_OUTDIR: out })).toBe(0);
    expect(fs.existsSync(path.join(out, 'dev', '00-namespace.yaml'))).toBe(true);
  });

  test('bad input exits non-zero, prints every problem and leaves the previous output untouched', async () => {
    // GIVEN a previous good output
    const out = tmpDir();
    await runSynthCli(['--config', REFERENCE_FILE, '--out', out], {});
    const before = readTree(out);
    // AND a spec with two mistakes
    const dir = tmpDir();
    const bad = path.join(dir, 'platform.yaml');
    fs.writeFileSync(bad, editReference(['port: 3003', 'port: 0'], ['notification-service:1.1.0', 'notification-service:latest']));
    // WHEN synth runs on it
    const code = await runSynthCli(['--config', bad, '--out', out], {});
    // THEN it fails, reports both as file:line: path: message, and the output is unchanged
    expect(code).toBe(1);
    const printed = stderr.mock.calls.map((c) => String(c[0])).join('');
    expect(printed).toMatch(new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:\\d+: services\\.inventory-service\\.port: must be an integer from 1 to 65535`));
    expect(printed).toMatch(/services\.notification-service\.image: .*"latest"/);
    expect(printed).toMatch(/nothing was written/);
    expect(readTree(out)).toEqual(before);
    expect(fs.readdirSync(out).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  test('an unknown environment is an error that lists the environments', async () => {
    expect(await runSynthCli(['--config', REFERENCE_FILE, '--env', 'qa', '--out', tmpDir()], {})).toBe(1);
    expect(stderr.mock.calls.map((c) => String(c[0])).join('')).toMatch(/environments: no environment "qa"; environments: dev, staging, prod/);
  });

  test('an unknown argument prints the usage and exits 2', async () => {
    expect(await runSynthCli(['--bogus'], {})).toBe(2);
    expect(stderr.mock.calls.map((c) => String(c[0])).join('')).toMatch(/unknown argument "--bogus"\nusage: synth/);
  });

  test('a missing spec file is reported', async () => {
    expect(await runSynthCli(['--config', '/nonexistent/platform.yaml', '--out', tmpDir()], {})).toBe(1);
    expect(stderr.mock.calls.map((c) => String(c[0])).join('')).toMatch(/\/nonexistent\/platform\.yaml:0: \(root\): cannot read the spec file/);
  });
});
