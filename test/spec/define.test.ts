/**
 * definePlatform: the spec declared as a TypeScript object goes through the YAML loader's own
 * schema, overlays and checks. Problems name the spec path; there is no file, so no line.
 * The type checks (`// @ts-expect-error` below) run in `npm test`'s tsc step: a key the schema
 * does not know must be a type error, or tsc fails on the unused directive.
 */
import { App } from 'cdk8s';
import { parse } from 'yaml';
import { definePlatform, PlatformEnvironment, PlatformInput, renderEnvironment, SpecError, synthPlatform } from '../../src';
import { loadPlatformFile } from '../../src/spec/load';
import { CONFIG_DIR, REFERENCE_FILE, referenceText } from '../helpers';

/** The fixture spec as a plain object, as a TypeScript user would write it. */
function fixtureInput(): PlatformInput {
  return parse(referenceText()) as PlatformInput;
}

/** The problems definePlatform throws for `input`, formatted, and the error's message. */
function problemsOf(input: PlatformInput): { lines: string[]; message: string } {
  try {
    definePlatform(input, { baseDir: CONFIG_DIR });
  } catch (e) {
    if (!(e instanceof SpecError)) throw e;
    return { lines: e.message.split('\n').slice(1), message: e.message };
  }
  throw new Error('definePlatform accepted the input');
}

/** A small valid platform: one service, two environments. */
function small(): PlatformInput {
  return {
    platform: { name: 'shop', host: 'api.shop.example.com', jwt: { issuer: 'https://auth.example.com', jwksUri: 'https://auth.example.com/jwks.json' } },
    services: {
      web: { image: 'ghcr.io/acme/web:1.4.2', port: 8080, routes: [{ prefix: '/api/web' }] },
      worker: { image: 'ghcr.io/acme/worker:2.0.1', port: 9090, calls: ['web'] },
    },
    environments: {
      dev: { platform: { gateway: { selector: { istio: 'ingress-dev' } } }, services: { web: { replicas: 1 } } },
      prod: {},
    },
  };
}

describe('definePlatform', () => {
  test('the fixture spec as an object gives the environments loadPlatformFile gives for its YAML', () => {
    // GIVEN the fixture spec's data as an object, and its SQL directory as baseDir
    // WHEN it is defined in TypeScript and, separately, loaded from its file
    const defined = definePlatform(fixtureInput(), { baseDir: CONFIG_DIR });
    const loaded = loadPlatformFile(REFERENCE_FILE);
    // THEN every environment is the same: name, namespace, merged platform settings and services
    const essentials = (p: typeof loaded) => p.environments.map(({ name, namespace, platform, services, baseDir }) => ({ name, namespace, platform, services, baseDir }));
    expect(essentials(defined)).toEqual(essentials(loaded));
    expect(defined.inCode).toBe(true);
    expect(defined.file).toBe('definePlatform');
  });

  test('a small platform gets defaults, overlays and its own namespaces, and synthesizes', () => {
    // GIVEN a platform with only what it must set WHEN defined
    const platform = definePlatform(small(), { baseDir: CONFIG_DIR });
    // THEN defaults are applied and the dev overlay is merged
    const [dev, prod] = platform.environments;
    expect([dev.name, dev.namespace, prod.namespace]).toEqual(['dev', 'shop-dev', 'shop-prod']);
    expect(dev.services.web.replicas).toBe(1);
    expect(prod.services.web.replicas).toBe(2);
    expect(prod.services.web.routes[0].auth).toBe('jwt');
    expect(dev.platform.gateway.selector).toEqual({ istio: 'ingress-dev' });
    // AND each environment composes with PlatformEnvironment and renders
    const app = new App();
    const rendered = platform.environments.map((spec) => renderEnvironment(new PlatformEnvironment(app, spec.name, { spec }), platform));
    for (const env of rendered) expect(env.files.map((f) => f.name)).toEqual(['00-namespace.yaml', '10-platform.yaml', '30-web.yaml', '30-worker.yaml']);
  });

  test('every problem at once, each with its spec path and no line; the message says there is no file', () => {
    // GIVEN an object with problems in the schema, an overlay, the images, the checks and a file it names
    const input = small();
    const web = input.services.web;
    input.services.web = { ...web, port: 70000, image: 'ghcr.io/acme/web:latest' };
    input.services.worker = { ...input.services.worker, calls: ['web', 'nobody'], database: { name: 'worker', schema: 'sql/missing.sql' } };
    input.environments.dev = { services: { ghost: { replicas: 1 } } };
    // WHEN defined
    const { lines, message } = problemsOf(input);
    // THEN every problem is listed, by spec path, without file:line
    expect(message.split('\n')[0]).toMatch(/^\d+ problem\(s\) in the platform spec declared in TypeScript \(no file, so no line numbers: each problem names its spec path\):$/);
    expect(lines).toEqual(expect.arrayContaining([
      'definePlatform: services.web.port: must be an integer from 1 to 65535',
      expect.stringMatching(/^definePlatform: services\.web\.image: .*latest/),
      expect.stringMatching(/^definePlatform: services\.worker\.database\.schema: .*sql\/missing\.sql.*does not exist/),
      expect.stringMatching(/^definePlatform: services\.worker\.calls.*nobody/),
      expect.stringMatching(/^definePlatform: environments\.dev\.services\.ghost: overrides an unknown service; known services: web(,| and) worker/),
    ]));
    expect(lines.filter((l) => /:\d+:/.test(l))).toEqual([]);
  });

  test('a problem set by an overlay is blamed on the overlay path; the name option replaces "definePlatform"', () => {
    // GIVEN a port that only the prod overlay breaks
    const input = small();
    input.environments.prod = { services: { worker: { port: 0 } } };
    // WHEN defined under a name of its own
    let error: unknown;
    try {
      definePlatform(input, { baseDir: CONFIG_DIR, name: 'shopPlatform' });
    } catch (e) {
      error = e;
    }
    // THEN the problem is at the overlay's path, named after the declaration
    expect(error).toBeInstanceOf(SpecError);
    expect((error as SpecError).problems).toEqual([
      { file: 'shopPlatform', line: 0, inCode: true, path: 'environments.prod.services.worker.port', message: 'must be an integer from 1 to 65535' },
    ]);
  });

  test('a key the schema does not know is a type error, and at run time an error naming the allowed keys', () => {
    // GIVEN misspelt keys; tsc rejects them in the object literal (the directives fail if it does not)
    const input: PlatformInput = {
      ...small(),
      services: {
        // @ts-expect-error replica is not a key of a service (replicas is)
        web: { image: 'ghcr.io/acme/web:1.4.2', port: 8080, replica: 1 },
      },
      environments: {
        // @ts-expect-error an overlay is typed too: hots is not a platform setting
        dev: { platform: { hots: 'dev.example.com' } },
      },
    };
    // WHEN a JavaScript caller (no type check) passes them anyway
    const { lines } = problemsOf(input);
    // THEN the loader rejects both, with a hint
    expect(lines).toEqual(expect.arrayContaining([
      expect.stringMatching(/^definePlatform: services\.web\.replica: unknown key "replica" \(did you mean "replicas"\?\); allowed keys: image, port, replicas/),
      expect.stringMatching(/^definePlatform: environments\.dev\.platform\.hots: unknown key "hots" \(did you mean "host"\?\)/),
    ]));
  });

  test('environments sharing a gateway: the message points at the other setting by its path, not a line', () => {
    // GIVEN two environments with routes that set the same gateway selector
    const input = small();
    const shared = { platform: { gateway: { selector: { istio: 'shared' } } } };
    input.environments = { dev: shared, prod: shared };
    // WHEN defined THEN the problem says where the other environment's selector is set: its path
    expect(problemsOf(input).lines).toEqual([expect.stringMatching(
      /^definePlatform: environments\.prod\.platform\.gateway\.selector: environments dev and prod share ingress gateway pods: .*\(environments\.dev\.platform\.gateway\.selector\)/)]);
    // AND where the other environment keeps the default, it says so
    input.environments = { dev: {}, prod: {} };
    expect(problemsOf(input).lines).toEqual([expect.stringMatching(/^definePlatform: environments\.prod: environments dev and prod share ingress gateway pods: .*\(the default\)/)]);
  });

  test('problems found later, by construct validations and synthPlatform, name the path without a line', () => {
    // GIVEN a defined platform and a construct validation that fails in a service's chart
    const platform = definePlatform(small(), { baseDir: CONFIG_DIR });
    const app = new App();
    const env = new PlatformEnvironment(app, 'prod', { spec: platform.environments[1] });
    env.services.get('worker')!.chart.node.addValidation({ validate: () => ['the worker is not ready'] });
    // WHEN rendered THEN the problem is at the service's path, without a line
    expect(() => renderEnvironment(env, platform)).toThrow(/\ndefinePlatform: services\.worker: the worker is not ready \(construct /);
    // AND an unknown environment is reported the same way
    expect(() => synthPlatform(platform, ['qa'])).toThrow(/\ndefinePlatform: environments: no environment "qa"; environments: dev, prod$/);
  });

  test('baseDir is required: nothing anchors the files the spec names', () => {
    // GIVEN no baseDir (a JavaScript caller) WHEN defined THEN a TypeError says what it is for
    expect(() => definePlatform(small(), {} as { baseDir: string })).toThrow(/options\.baseDir is required/);
  });
});
