/** Bad input gets a clear error: file:line, spec path, what was wrong and what is allowed. */
import * as fs from 'fs';
import * as path from 'path';
import { loadPlatform, loadPlatformFile } from '../../src/spec/load';
import { editReference, lineIn, problemsOf, REFERENCE_FILE, referenceText } from '../helpers';
import { fixtureCopy, scratchDir } from '../hostile/support';

describe('the reference spec', () => {
  test('loads every environment with its overrides applied', () => {
    // GIVEN the reference spec WHEN it is loaded
    const loaded = loadPlatform(referenceText(), REFERENCE_FILE);
    // THEN every environment is there, in spec order, with merged values
    expect(loaded.environments.map((e) => e.name)).toEqual(['dev', 'staging', 'prod']);
    const dev = loaded.environments[0];
    expect(dev.namespace).toBe('shop-dev');
    expect(dev.services['user-service'].replicas).toBe(1);
    expect(dev.platform.host).toBe('api.dev.shop.example.com');
    // AND what the overlay does not set comes from the base
    expect(dev.services['user-service'].port).toBe(3001);
    expect(dev.platform.jwt?.issuer).toBe('https://auth.shop.example.com');
  });

  test('lists replace and objects merge key by key', () => {
    // GIVEN an overlay that sets only one field of resources.requests
    const text = editReference(['      user-service: { replicas: 5,', '      user-service: { resources: { requests: { cpu: 300m, memory: 128Mi }, limits: { cpu: 500m, memory: 256Mi } }, calls: [inventory-service], replicas: 5,']);
    const prod = loadPlatform(text, REFERENCE_FILE).environments.find((e) => e.name === 'prod')!;
    // THEN the overlay value wins and the list is replaced whole
    expect(prod.services['user-service'].resources.requests.cpu).toBe('300m');
    expect(prod.services['user-service'].calls).toEqual(['inventory-service']);
  });

  test('after loading, lineOf still finds where a path is written (the parsed document is not kept)', () => {
    // GIVEN a loaded spec
    const text = referenceText();
    const loaded = loadPlatform(text, REFERENCE_FILE);
    // WHEN lines are asked afterwards (as a failing construct validation does) THEN they are where the spec has them
    expect(loaded.lineOf(['services', 'user-service', 'replicas'])).toBe(lineIn(text, 'replicas:', 'user-service:'));
    expect(loaded.lineOf(['services', 'user-service', 'port'])).toBe(lineIn(text, 'port:', 'user-service:'));
    expect(loaded.lineOf(['environments'])).toBe(lineIn(text, 'environments:') + 1);
  });
});

describe('what a spec was read from', () => {
  test('the spec file and every file it names, as named (links kept), and the directory they must lie in', () => {
    // GIVEN a spec file in a directory of its own whose services name three SQL files, one of them through a link
    const spec = fixtureCopy(editReference(['schema: sql/order_service.sql', 'schema: sql/order-link.sql']), scratchDir('read-from-'));
    const dir = path.dirname(spec);
    fs.symlinkSync('order_service.sql', path.join(dir, 'sql', 'order-link.sql'));
    // WHEN it is loaded from the file
    const loaded = loadPlatformFile(spec);
    // THEN it was read from the spec and the three files, the link by its own name, below the spec's directory
    const readFrom = loaded.readFrom!();
    expect([...readFrom.files].sort()).toEqual([spec, ...['inventory_service.sql', 'order-link.sql', 'user_service.sql'].map((f) => path.join(dir, 'sql', f))].sort());
    expect(readFrom.filesRoot).toBe(dir);
    // AND what each was when read, to tell a later edit
    expect(readFrom.asRead).toEqual(readFrom.files.map((f) => {
      const s = fs.statSync(f);
      return { size: s.size, mtimeMs: s.mtimeMs, ctimeMs: s.ctimeMs, ino: s.ino };
    }));
    // AND a spec named with `..` after a link is listed as named: the system, not path.resolve, says where that is
    fs.mkdirSync(path.join(dir, 'sub'));
    fs.symlinkSync(path.join(dir, 'sub'), path.join(dir, 'link'));
    const viaLink = `${path.join(dir, 'link')}/../platform.yaml`;
    expect(loadPlatformFile(viaLink).readFrom!().files[0]).toBe(viaLink);
    // AND from text, without the file: the files it names only
    expect(loadPlatform(referenceText(), spec).readFrom!().files).toHaveLength(3);
  });
});

describe('bad input', () => {
  test('an unknown key is named with its line, a suggestion and the allowed keys', () => {
    // GIVEN a typo in a service key
    const text = editReference(['    replicas: 3\n    autoscaling: { minReplicas: 3, maxReplicas: 10, cpu', '    replcas: 3\n    autoscaling: { minReplicas: 3, maxReplicas: 10, cpu']);
    // WHEN the spec is loaded THEN the error points at the key
    const [problem] = problemsOf(text);
    expect(problem).toMatch(new RegExp(`^platform\\.yaml:${lineIn(text, 'replcas')}: services\\.user-service\\.replcas: unknown key "replcas" \\(did you mean "replicas"\\?\\); allowed keys: image, port, replicas,`));
  });

  test('an unknown key in an environment overlay points at the overlay', () => {
    const text = editReference(['      user-service: { replicas: 1,', '      user-service: { replicaz: 1,']);
    expect(problemsOf(text)).toEqual([
      expect.stringMatching(new RegExp(`^platform\\.yaml:${lineIn(text, 'replicaz')}: environments\\.dev\\.services\\.user-service\\.replicaz: unknown key "replicaz" \\(did you mean "replicas"\\?\\)`)),
    ]);
  });

  test('a service name that is not a DNS-1035 label is rejected with the rule', () => {
    const text = editReference(['  inventory-service:\n', '  Inventory_Service:\n']);
    expect(problemsOf(text)).toContainEqual(expect.stringMatching(
      /^platform\.yaml:\d+: services\.Inventory_Service: name "Inventory_Service" is not allowed: it must be a DNS-1035 label of at most 40 characters/));
  });

  test('an environment name that is not a DNS label is rejected', () => {
    const text = editReference(['  staging:\n', '  Staging:\n']);
    expect(problemsOf(text)).toContainEqual(expect.stringMatching(/^platform\.yaml:\d+: environments\.Staging: name "Staging" is not allowed/));
  });

  test.each([[0], [70000], [3.5]])('port %p outside 1-65535 is rejected', (port) => {
    const text = editReference(['port: 3003', `port: ${port}`]);
    expect(problemsOf(text)).toContainEqual(`platform.yaml:${lineIn(text, `port: ${port}`)}: services.inventory-service.port: must be an integer from 1 to 65535`);
  });

  test('a port used by two services is rejected', () => {
    const text = editReference(['port: 3003', 'port: 3001']);
    expect(problemsOf(text)).toContainEqual(
      `platform.yaml:${lineIn(text, 'port: 3001', 'inventory-service:')}: services.inventory-service.port: port 3001 is already used by user-service; every service needs its own port`);
  });

  test('a call to an unknown service names the known ones', () => {
    const text = editReference(['calls: [user-service, inventory-service]', 'calls: [user-service, invent-service]']);
    expect(problemsOf(text)).toContainEqual(
      `platform.yaml:${lineIn(text, 'invent-service')}: services.order-service.calls.1: calls unknown service "invent-service"; known services: user-service, order-service, inventory-service, notification-service`);
  });

  test('autoscaling bounds that contradict are rejected', () => {
    const text = editReference(['autoscaling: { minReplicas: 2, maxReplicas: 6 }', 'autoscaling: { minReplicas: 7, maxReplicas: 6 }']);
    expect(problemsOf(text)).toContainEqual(expect.stringMatching(/services\.inventory-service\.autoscaling\.minReplicas: minReplicas \(7\) is greater than maxReplicas \(6\)$/));
  });

  test('replicas outside the autoscaling bounds are rejected, blaming the overlay that sets them', () => {
    const text = editReference(['      order-service: { replicas: 10,', '      order-service: { replicas: 40,']);
    expect(problemsOf(text)).toEqual([
      `platform.yaml:${lineIn(text, 'replicas: 40')}: environments.prod.services.order-service.replicas: replicas (40) must lie within autoscaling bounds 10-30`,
    ]);
  });

  test('an image without a tag is rejected', () => {
    const text = editReference(['inventory-service:1.5.0', 'inventory-service']);
    expect(problemsOf(text)).toContainEqual(expect.stringMatching(/services\.inventory-service\.image: image "ghcr\.io\/shop-example\/inventory-service" has no tag; pin it by tag/));
  });

  test('an image with the latest tag is rejected', () => {
    const text = editReference(['inventory-service:1.5.0', 'inventory-service:latest']);
    expect(problemsOf(text)).toContainEqual(expect.stringMatching(/^platform\.yaml:\d+: services\.inventory-service\.image: image .* uses the "latest" tag; pin it/));
  });

  test('an image pinned by digest is accepted', () => {
    const text = editReference(['inventory-service:1.5.0', `inventory-service@sha256:${'a'.repeat(64)}`]);
    expect(problemsOf(text)).toEqual([]);
  });

  test('an image with a malformed digest is rejected, not read as a tag', () => {
    // GIVEN a digest that is too short
    const text = editReference(['inventory-service:1.5.0', 'inventory-service@sha256:abc']);
    // WHEN loaded THEN the digest is named as the problem
    expect(problemsOf(text)).toEqual([
      `platform.yaml:${lineIn(text, 'sha256:abc')}: services.inventory-service.image: image "ghcr.io/shop-example/inventory-service@sha256:abc" has an invalid digest "sha256:abc"; a digest is sha256: and 64 lowercase hex digits`,
    ]);
  });

  test.each([['cpu: 200m', 'cpu: 200x', 'CPU quantity such as 100m or 0.5'], ['memory: 512Mi', 'memory: 512MB', 'memory quantity such as 128Mi or 1Gi']])(
    'a malformed quantity (%s -> %s) is rejected', (from, to, allowed) => {
      const text = editReference([from, to]);
      expect(problemsOf(text)).toContainEqual(expect.stringMatching(new RegExp(`^platform\\.yaml:${lineIn(text, to)}: services\\.order-service\\.resources\\.(requests|limits)\\.(cpu|memory): must be a Kubernetes ${allowed}`)));
    });

  test('a request above its limit is rejected', () => {
    const text = editReference(['requests: { cpu: 200m, memory: 256Mi }', 'requests: { cpu: "2", memory: 256Mi }']);
    expect(problemsOf(text)).toContainEqual(expect.stringMatching(/services\.order-service\.resources\.requests\.cpu: request 2 exceeds limit 1$/));
  });

  test('a missing required key says it is required', () => {
    const text = editReference(['    image: ghcr.io/shop-example/notification-service:1.1.0\n', '']);
    expect(problemsOf(text)).toContainEqual(expect.stringMatching(/^platform\.yaml:\d+: services\.notification-service\.image: is required/));
  });

  test('invalid YAML is reported with its line', () => {
    const text = editReference(['  tlsCredential: shop-api-tls', '  tlsCredential: [shop-api-tls']);
    expect(problemsOf(text)[0]).toMatch(/^platform\.yaml:\d+: \(root\): invalid YAML/);
  });

  test('every problem is reported at once', () => {
    // GIVEN three independent mistakes
    const text = editReference(
      ['inventory-service:1.5.0', 'inventory-service:latest'],
      ['calls: [user-service, inventory-service]', 'calls: [user-service, nobody]'],
      ['autoscaling: { minReplicas: 2, maxReplicas: 4 }', 'autoscaling: { minReplicas: 5, maxReplicas: 4 }'],
    );
    // WHEN loaded THEN all three are reported, each once
    const problems = problemsOf(text);
    expect(problems.filter((p) => /latest/.test(p))).toHaveLength(1);
    expect(problems.filter((p) => /nobody/.test(p))).toHaveLength(1);
    expect(problems.filter((p) => /minReplicas \(5\)/.test(p))).toHaveLength(1);
  });
});

describe('bad input of several kinds', () => {
  test('schema problems and cross-field problems are reported together', () => {
    // GIVEN a schema problem (bad port) and a cross-field problem (latest image) in different services
    const text = editReference(['port: 3003', 'port: 0'], ['notification-service:1.1.0', 'notification-service:latest']);
    // WHEN loaded THEN both are reported
    const problems = problemsOf(text);
    expect(problems).toContainEqual(expect.stringMatching(/services\.inventory-service\.port: must be an integer/));
    expect(problems).toContainEqual(expect.stringMatching(/services\.notification-service\.image: .*latest/));
  });

  test('an unpinned image is reported together with another problem of the same service', () => {
    // GIVEN one service with a typo'd key and an image without a tag
    const text = editReference(['port: 3003', 'prot: 3003'], ['inventory-service:1.5.0', 'inventory-service']);
    // WHEN loaded
    const problems = problemsOf(text);
    // THEN both are reported, the image one at its line
    expect(problems).toContainEqual(expect.stringMatching(/services\.inventory-service\.prot: unknown key "prot"/));
    expect(problems).toContainEqual(`platform.yaml:${lineIn(text, 'image: ghcr.io/shop-example/inventory-service\n')}: services.inventory-service.image: image "ghcr.io/shop-example/inventory-service" has no tag; pin it by tag (name:1.2.3) or digest (name@sha256:...)`);
  });

  test('an unpinned image does not keep its service out of the checks across services', () => {
    // GIVEN user-service with a latest image, and order-service on user-service's port
    const text = editReference(['user-service:2.0.0', 'user-service:latest'], ['port: 3002', 'port: 3001']);
    // WHEN loaded
    const problems = problemsOf(text);
    // THEN the image and the shared port are both reported, once each
    expect(problems.filter((p) => /user-service\.image: .*"latest"/.test(p))).toHaveLength(1);
    expect(problems).toContainEqual(`platform.yaml:${lineIn(text, 'port: 3001', 'order-service:')}: services.order-service.port: port 3001 is already used by user-service; every service needs its own port`);
  });

  test('a publisher with a problem of its own does not make the events it publishes unknown', () => {
    // GIVEN order-service, the publisher of order.created, with an unpinned image and a bad port
    const text = editReference(['order-service:1.8.3', 'order-service:latest'], ['port: 3002', 'port: 0']);
    // WHEN loaded
    const problems = problemsOf(text);
    // THEN its own problems are reported, and its consumers are not blamed
    expect(problems.filter((p) => /order-service\.(image|port):/.test(p))).toHaveLength(2);
    expect(problems.filter((p) => /no service publishes/.test(p))).toEqual([]);
  });

  test('an image set by an environment overlay is checked at the overlay', () => {
    // GIVEN prod overriding order-service's image with a latest tag
    const text = editReference(['      order-service: { replicas: 10,', '      order-service: { image: "ghcr.io/shop-example/order-service:latest", replicas: 10,']);
    // WHEN loaded THEN the one problem points at the overlay's line and path
    expect(problemsOf(text)).toEqual([
      `platform.yaml:${lineIn(text, 'order-service:latest')}: environments.prod.services.order-service.image: image "ghcr.io/shop-example/order-service:latest" uses the "latest" tag; pin it by a version tag (name:1.2.3) or digest (name@sha256:...)`,
    ]);
  });

  test.each([
    ['postgres', '  postgres: { image: "postgres:latest" }', 'platform.postgres.image', 'postgres:latest'],
    ['the collector', '  tracing:\n    collectorImage: otel/opentelemetry-collector-contrib', 'platform.tracing.collectorImage', 'otel/opentelemetry-collector-contrib'],
  ])('platform images (%s) are held to the same rule', (_, setting, path, image) => {
    // GIVEN a platform image that is not pinned
    const text = editReference(['  tlsCredential: shop-api-tls\n  jwt:', `  tlsCredential: shop-api-tls\n${setting}\n  jwt:`], ['  tracing:\n    samplingPercent: 1\n', '']);
    // WHEN loaded THEN exactly that image is reported, at its line
    const [problem, ...others] = problemsOf(text);
    expect(others).toEqual([]);
    expect(problem).toMatch(new RegExp(`^platform\\.yaml:${lineIn(text, image)}: ${path.replace(/\./g, '\\.')}: image "${image}" (uses the "latest" tag|has no tag); pin it`));
  });

  test('an empty image gets one message', () => {
    const text = editReference(['image: ghcr.io/shop-example/user-service:2.0.0', 'image: ""']);
    expect(problemsOf(text).filter((p) => /user-service\.image/.test(p))).toHaveLength(1);
  });

  test('a call to a service that has its own schema problem is not reported as unknown', () => {
    const text = editReference(['port: 3003', 'port: 0']);
    expect(problemsOf(text).filter((p) => /unknown service/.test(p))).toEqual([]);
  });
});
