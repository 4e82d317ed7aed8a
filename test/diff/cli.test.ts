import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runDiffCli } from '../../src/diff/cli';
import { readOutputDir } from '../../src/diff/read-output';
import { loadPlatformFile } from '../../src/spec/load';
import { Manifest, ManifestFile, renderFile, synthPlatform, writeEnvironments } from '../../src/synth';
import { CONFIG_DIR, editReference, REFERENCE_FILE, referenceText } from '../helpers';
import { tempDir } from '../support/temp-dirs';

/** Runs the CLI and captures what it prints. */
function diff(...argv: string[]): { code: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const code = runDiffCli(argv, { write: (t) => { stdout += t; }, error: (t) => { stderr += t; } });
  return { code, stdout, stderr };
}

/** A spec file next to copies of the reference's SQL files, so relative paths resolve. */
function specFile(dir: string, text: string): string {
  fs.cpSync(path.join(CONFIG_DIR, 'sql'), path.join(dir, 'sql'), { recursive: true });
  const file = path.join(dir, 'platform.yaml');
  fs.writeFileSync(file, text);
  return file;
}

describe('npm run diff', () => {
  let tmp: string;
  let out: string;
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-'));
    out = path.join(tmp, 'dist');
    writeEnvironments(out, synthPlatform(loadPlatformFile(REFERENCE_FILE), ['prod']));
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('exits 0 and says so when the output matches the spec', () => {
    // GIVEN dist/prod synthesized from the reference spec
    // WHEN the reference spec is planned against it
    const r = diff('--env', 'prod', '--config', REFERENCE_FILE, '--out', out);
    // THEN there is nothing to do
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('No changes.');
  });

  test('exits 2 and shows the field change when the spec changed', () => {
    // GIVEN a new image tag for order-service
    const config = specFile(fs.mkdtempSync(path.join(tmp, 'spec-')), editReference(['order-service:1.8.3', 'order-service:1.9.0']));
    // WHEN planned
    const r = diff('--env', 'prod', '--config', config, '--out', out);
    // THEN the image change is listed with old and new value, and the summary counts it
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('~ spec.template.spec.containers[name=order-service].image: "ghcr.io/shop-example/order-service:1.8.3" -> "ghcr.io/shop-example/order-service:1.9.0"');
    expect(r.stdout).toMatch(/Plan: 0 to add, \d+ to change, 0 to destroy\.\n$/);
  });

  test('writes nothing', () => {
    // GIVEN the output as it is
    const before = fs.readdirSync(path.join(out, 'prod')).map((f) => fs.readFileSync(path.join(out, 'prod', f), 'utf8'));
    // WHEN a changed spec is planned
    const config = specFile(fs.mkdtempSync(path.join(tmp, 'spec-')), editReference(['port: 3002', 'port: 3012']));
    diff('--env', 'prod', '--config', config, '--out', out);
    // THEN the output is unchanged
    expect(fs.readdirSync(path.join(out, 'prod')).map((f) => fs.readFileSync(path.join(out, 'prod', f), 'utf8'))).toEqual(before);
  });

  test('plans every object as new when the output does not exist yet', () => {
    const r = diff('--env', 'prod', '--config', REFERENCE_FILE, '--out', path.join(tmp, 'nothing-here'));
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/does not exist: every object is new\.[\s\S]*Plan: \d+ to add, 0 to change, 0 to destroy\./);
  });

  test('exits 1 with file:line: path: message for spec problems', () => {
    // GIVEN a spec with a port out of range
    const config = specFile(fs.mkdtempSync(path.join(tmp, 'spec-')), editReference(['port: 3002', 'port: 70000']));
    // WHEN planned
    const r = diff('--env', 'prod', '--config', config, '--out', out);
    // THEN the problem is printed in the spec error shape, one per line, and nothing is planned
    const line = referenceText().split('\n').indexOf('    port: 3002') + 1;
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n')).toContain(`${config}:${line}: services.order-service.port: must be an integer from 1 to 65535`);
    for (const l of r.stderr.trimEnd().split('\n')) expect(l).toMatch(/^\S+:\d+: [\w.-]+: .+$/);
    expect(r.stdout).toBe('');
  });

  test('flags a change the API server refuses in place and says how to carry it out', () => {
    // GIVEN larger PostgreSQL volumes in prod (a StatefulSet's volumeClaimTemplates are immutable)
    const config = specFile(fs.mkdtempSync(path.join(tmp, 'spec-')), editReference(['size: 50Gi', 'size: 100Gi']));
    // WHEN planned
    const r = diff('--env', 'prod', '--config', config, '--out', out);
    // THEN each database StatefulSet is marked "!", with the refused field, the server's reason and the commands
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('  # StatefulSet.apps shop-prod/order-service-db cannot be updated in place: the API server refuses this update (20-data.yaml)\n  ! StatefulSet.apps shop-prod/order-service-db\n');
    expect(r.stdout).toContain('REFUSED by the API server: spec: Forbidden: updates to statefulset spec for fields other than');
    expect(r.stdout).toContain('        ! spec.volumeClaimTemplates[0].spec.resources.requests.storage\n');
    expect(r.stdout).toContain('        kubectl delete statefulset order-service-db -n shop-prod --cascade=orphan');
    expect(r.stdout).toMatch(/Plan: 0 to add, 3 to change, 0 to destroy\.\n3 of the changes cannot be applied in place: kubectl apply would be refused\./);
  });

  test('a service moved from blue-green to a rolling update: kubectl apply would leave the Rollout serving the old version; the plan says so and how to remove it', () => {
    // GIVEN dist/prod with user-service under a blue-green Rollout, and the spec without its delivery block (a rolling update)
    const config = specFile(fs.mkdtempSync(path.join(tmp, 'spec-')), editReference([
      '    delivery:\n      strategy: blueGreen\n      blueGreen: { autoPromotionEnabled: false, scaleDownDelaySeconds: 30, prePromotionAnalysis: [success-rate] }\n', '']));
    // WHEN planned
    const r = diff('--env', 'prod', '--config', config, '--out', out);
    // THEN the Rollout's removal is not left to kubectl apply: the plan says what it keeps doing, and to delete it once the Deployment is ready
    expect(r.code).toBe(2);
    expect(r.stdout).toContain([
      '  - Rollout.argoproj.io shop-prod/user-service',
      '      NOT DESTROYED BY kubectl apply -f (it deletes nothing): the Rollout keeps running the old version, and Argo Rollouts keeps Service user-service selecting only the Rollout\'s pods (rollouts-pod-template-hash), so the new Deployment gets no traffic',
    ].join('\n'));
    expect(r.stdout).toContain([
      '      how:',
      '        apply, then wait for the Deployment:',
      '          kubectl rollout status deployment.apps/user-service -n shop-prod',
      '        then: kubectl delete rollout.argoproj.io user-service -n shop-prod   # the Service selects the Deployment\'s pods again; the Rollout\'s pods go',
    ].join('\n'));
    // AND every other object it no longer has (the preview Service) is listed with its delete command, and counted at the end
    expect(r.stdout).toContain('        after the apply: kubectl delete service user-service-preview -n shop-prod\n');
    const destroyed = Number(/(\d+) to destroy\./.exec(r.stdout)![1]);
    expect(r.stdout).toContain(`\n${destroyed} of the objects to destroy stay on the cluster after kubectl apply -f, which deletes nothing: remove them as shown above ("how"), or let Argo CD or Flux prune them.\n`);
  });

  test('a canary service moved to a rolling update, and a rolling one to canary: the plan says both versions serve until the old workload is deleted, and when to delete it', () => {
    // GIVEN dist/prod, and a spec in which order-service (canary) has no delivery block and inventory-service (rolling) becomes a canary
    const canaryBlock = '    delivery:\n      strategy: canary\n      canary:\n        steps:\n          - setWeight: 10\n          - pause: { duration: 1m }\n          - setWeight: 20\n'
      + '          - pause: { duration: 1m }\n          - setWeight: 50\n          - pause: { duration: 2m }\n          - setWeight: 100\n        analysis: [success-rate]\n        trafficRouting: istio\n';
    const config = specFile(fs.mkdtempSync(path.join(tmp, 'spec-')), editReference(
      [canaryBlock, ''],
      ['      - { prefix: /api/inventory, auth: jwt }\n', `      - { prefix: /api/inventory, auth: jwt }\n${canaryBlock}`],
    ));
    // WHEN planned
    const r = diff('--env', 'prod', '--config', config, '--out', out);
    // THEN the canary Rollout left by kubectl apply serves beside the new Deployment: Argo Rollouts pinned only its stable and canary Services
    expect(r.stdout).toContain('  - Rollout.argoproj.io shop-prod/order-service\n      NOT DESTROYED BY kubectl apply -f (it deletes nothing): the Rollout keeps running the old version beside the new Deployment, '
      + 'and Service order-service, where the mesh now routes, selects the pods of both: requests reach both versions\n');
    expect(r.stdout).toContain('        then: kubectl delete rollout.argoproj.io order-service -n shop-prod   # the Rollout\'s pods go\n');
    // AND the Deployment left beside the new canary Rollout is deleted once the Rollout is Healthy
    expect(r.stdout).toContain('  - Deployment.apps shop-prod/inventory-service\n      NOT DESTROYED BY kubectl apply -f (it deletes nothing): its pods keep running the old version beside the Rollout\'s: '
      + 'the mesh routes to the Rollout\'s stable and canary Services, but Service inventory-service still selects them, and they keep using the service\'s queues and database\n');
    expect(r.stdout).toContain([
      '        apply, then wait until the Rollout is Healthy:',
      '          kubectl argo rollouts status inventory-service -n shop-prod',
      '        then: kubectl delete deployment.apps inventory-service -n shop-prod',
    ].join('\n'));
  });

  test('autoscaling turned on, and off: the replicas kubectl apply would drop to 1, and the autoscaler it would leave, are flagged with the step that avoids each', () => {
    // GIVEN dist/prod of a spec in which notification-service has no autoscaler (a fixed 2 replicas)
    const fixed = editReference(['    replicas: 2\n    autoscaling: { minReplicas: 2, maxReplicas: 4 }\n', '    replicas: 2\n']);
    const fixedOut = path.join(fs.mkdtempSync(path.join(tmp, 'fixed-')), 'dist');
    const fixedConfig = specFile(fs.mkdtempSync(path.join(tmp, 'spec-')), fixed);
    writeEnvironments(fixedOut, synthPlatform(loadPlatformFile(fixedConfig), ['prod']));
    // WHEN the reference (with the autoscaler) is planned against it
    const on = diff('--env', 'prod', '--config', REFERENCE_FILE, '--out', fixedOut);
    // THEN taking spec.replicas out of the Deployment needs a manual step first: kubectl would drop it and the server set 1
    expect(on.stdout).toContain('  ~ Deployment.apps shop-prod/notification-service\n      - spec.replicas: 2\n      NEEDS A MANUAL STEP: the output leaves spec.replicas to the HorizontalPodAutoscaler now, so kubectl apply takes it out (the last apply set it), and the server sets 1');
    expect(on.stdout).toContain(`          KUBE_EDITOR="perl -i -ne 'print unless /^  replicas:/'" kubectl apply edit-last-applied deployment.apps/notification-service -n shop-prod\n`);
    // AND the other way, the autoscaler kubectl apply would leave in place is to be deleted before the apply
    const off = diff('--env', 'prod', '--config', fixedConfig, '--out', out);
    expect(off.stdout).toContain('  - HorizontalPodAutoscaler.autoscaling shop-prod/notification-service\n      NOT DESTROYED BY kubectl apply -f (it deletes nothing): it keeps scaling its workload within its old bounds');
    expect(off.stdout).toContain('        before the apply: kubectl delete horizontalpodautoscaler.autoscaling notification-service -n shop-prod\n        then apply\n');
  });

  test('an image upgrade of every data store is an update in place', () => {
    // GIVEN new PostgreSQL, Redis and RabbitMQ images
    const config = specFile(fs.mkdtempSync(path.join(tmp, 'spec-')), editReference([
      'failureLimit: 2\n',
      'failureLimit: 2\n  postgres: { image: postgres:16.6-bookworm }\n  redis: { image: redis:7.4.2-bookworm }\n  rabbitmq: { image: rabbitmq:3.13.8-management }\n',
    ]));
    // WHEN planned
    const r = diff('--env', 'prod', '--config', config, '--out', out);
    // THEN all five StatefulSets change in place and nothing is refused
    expect(r.code).toBe(2);
    expect(r.stdout.match(/# StatefulSet\.apps \S+ will be updated in place/g)).toHaveLength(5);
    expect(r.stdout).not.toContain('REFUSED');
    expect(r.stdout).not.toContain('cannot be applied in place');
  });

  test('exits 1 when an output file is not valid YAML', () => {
    // GIVEN an output directory with a broken file
    const broken = path.join(tmp, 'broken');
    fs.cpSync(path.join(out, 'prod'), path.join(broken, 'prod'), { recursive: true });
    fs.writeFileSync(path.join(broken, 'prod', '99-extra.yaml'), 'kind: [unclosed\n');
    // WHEN planned
    const r = diff('--env', 'prod', '--config', REFERENCE_FILE, '--out', broken);
    // THEN the file and line are named
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/99-extra\.yaml:\d+: invalid YAML: /);
  });

  test('exits 1 with the usage when no environment is named', () => {
    const r = diff('--config', REFERENCE_FILE);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('name exactly one environment with --env\nusage: diff --env NAME [--config FILE] [--out DIR] [--files-root DIR]\n');
  });
});

// readOutputDir, the plan's reader of the output: a file whose bytes are exactly what the synth
// writes for it is taken as the synth's objects; every other file is parsed.
const service = (name: string, port: number): Manifest => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'shop' }, spec: { ports: [{ port }] } } as Manifest);

describe('readOutputDir with the files a synth writes', () => {
  // GIVEN an output directory: a.yaml as the synth writes it, b.yaml with one value changed since,
  // c.yaml with the synth's objects but another spelling, and d.yaml that the synth does not write
  const expected: ManifestFile[] = [
    { name: 'a.yaml', objects: [service('a', 80), service('a2', 81)] },
    { name: 'b.yaml', objects: [service('b', 80)] },
    { name: 'c.yaml', objects: [service('c', 80)] },
  ];
  const dir = tempDir('read-output-');
  fs.writeFileSync(path.join(dir, 'a.yaml'), renderFile(expected[0]));
  fs.writeFileSync(path.join(dir, 'b.yaml'), renderFile(expected[1]).replace('port: 80', 'port: 8080'));
  fs.writeFileSync(path.join(dir, 'c.yaml'), `# edited by hand\n${renderFile(expected[2])}`);
  fs.writeFileSync(path.join(dir, 'd.yaml'), renderFile({ name: 'd.yaml', objects: [service('d', 80)] }));

  test('a file written as the synth writes it is the synth\'s objects, not parsed again', () => {
    // WHEN the directory is read with the synth's files
    const read = readOutputDir(dir, { expected });
    // THEN a.yaml's objects are the synth's own, in their order
    const ofA = read.objects.filter((o) => o.file === 'a.yaml').map((o) => o.object);
    expect(ofA).toHaveLength(2);
    ofA.forEach((object, i) => expect(object).toBe(expected[0].objects[i]));
    expect(read.problems).toEqual([]);
  });

  test('a file that differs from what the synth writes, by a value or by its spelling, and a file the synth does not write are parsed', () => {
    // WHEN the directory is read with the synth's files
    const read = readOutputDir(dir, { expected });
    const of = (file: string) => read.objects.filter((o) => o.file === file).map((o) => o.object);
    // THEN b.yaml holds the changed value, c.yaml and d.yaml what their bytes say (new objects, not the synth's)
    expect(of('b.yaml')).toEqual([service('b', 8080)]);
    expect(of('c.yaml')).toEqual(expected[2].objects);
    expect(of('c.yaml')[0]).not.toBe(expected[2].objects[0]);
    expect(of('d.yaml')).toEqual([service('d', 80)]);
    // AND without the synth's files every file is parsed, to the same objects
    const parsed = readOutputDir(dir);
    expect(parsed.objects).toEqual(read.objects);
    expect(parsed.objects[0].object).not.toBe(expected[0].objects[0]);
  });
});
