/**
 * Adding a service is one entry in the spec: payment-service with its own database, a gateway
 * route and a canary rollout, calling order-service. The entry must create everything the
 * service needs and leave every other service's objects byte-identical, except the policies
 * that admit its declared call and the shared objects that list routes by design.
 *
 * The checks are by kind and ownership, not by a fixed object list, so they hold as the data
 * tier, mesh and delivery constructs land: each new kind order-service gets (it declares the
 * same features) payment-service must get too.
 */
import * as fs from 'fs';
import * as path from 'path';
import { LocatedManifest, locatedManifests, objectKey, objectLabel } from '../../src/diff/identity';
import { Plan, planChanges, PlannedChange, renderPlan } from '../../src/diff/plan';
import { ownerOf, SHARED_OWNER } from '../../src/report/inventory';
import { loadPlatform } from '../../src/spec/load';
import { Manifest, renderFile, synthPlatform, SynthesizedEnvironment } from '../../src/synth';
import { CONFIG_DIR, referenceText } from '../helpers';
import { tempDir } from '../support/temp-dirs';

/** The one entry the walkthrough adds under `services:`. */
const PAYMENT_SERVICE = `
  payment-service:
    image: ghcr.io/shop-example/payment-service:1.0.0
    port: 3005
    replicas: 2
    autoscaling: { minReplicas: 2, maxReplicas: 6 }
    resources:
      requests: { cpu: 100m, memory: 128Mi }
      limits: { cpu: 500m, memory: 256Mi }
    secretEnv:
      PAYMENT_PROVIDER_KEY: { secret: payment-service-secrets, key: provider-api-key }
    calls: [order-service]
    database: { name: payment_service, schema: sql/payment_service.sql }
    routes:
      - { prefix: /api/payments, auth: jwt, rateLimit: { requests: 20, window: 1m } }
    delivery:
      strategy: canary
      canary:
        steps:
          - setWeight: 10
          - pause: { duration: 2m }
          - setWeight: 50
          - pause: { duration: 2m }
          - setWeight: 100
        analysis: [success-rate]
`;
const NEW = 'payment-service';
const CALLED = ['order-service'];
/** order-service declares what payment-service declares (database, route, canary, calls, autoscaling). */
const TWIN = 'order-service';
const NEW_PREFIX = '/api/payments';
/** Kinds that admit a caller: the called service's may change to admit the new one. */
const ADMITTING_KINDS = ['AuthorizationPolicy', 'NetworkPolicy'];
/** Kinds of shared gateway objects that list routes (routing, JWT rules, rate-limit filters and their config). */
const ROUTE_LISTING_KINDS = ['VirtualService', 'AuthorizationPolicy', 'RequestAuthentication', 'EnvoyFilter', 'ConfigMap'];

const belongsToNew = (m: LocatedManifest) =>
  m.file === `30-${NEW}.yaml` || m.object.metadata.name === NEW || m.object.metadata.name.startsWith(`${NEW}-`);
const mentions = (o: Manifest, text: string) => JSON.stringify(o).includes(text);

/** Synthesizes spec text in a directory with the reference SQL files plus the new service's. */
function synthIn(dir: string, text: string): SynthesizedEnvironment[] {
  const file = path.join(dir, 'platform.yaml');
  fs.writeFileSync(file, text);
  return synthPlatform(loadPlatform(text, file));
}

describe('adding payment-service by one spec entry', () => {
  const reference = referenceText();
  const withPayment = reference.replace('\nenvironments:\n', `${PAYMENT_SERVICE}\nenvironments:\n`);
  const existingPrefixes = [...reference.matchAll(/prefix: (\/[^,\s}]+)/g)].map((m) => m[1]);
  let before: SynthesizedEnvironment[];
  let after: SynthesizedEnvironment[];

  beforeAll(() => {
    const dir = tempDir('add-service-');
    fs.cpSync(path.join(CONFIG_DIR, 'sql'), path.join(dir, 'sql'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'sql', 'payment_service.sql'), 'CREATE TABLE payments (id UUID PRIMARY KEY, order_id UUID NOT NULL, amount NUMERIC(10,2) NOT NULL);\n');
    try {
      before = synthIn(dir, reference);
      after = synthIn(dir, withPayment);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  const envNames = ['dev', 'staging', 'prod'];
  const plans = () => envNames.map((name, i) => {
    const b = locatedManifests(before[i]);
    const a = locatedManifests(after[i]);
    expect(before[i].name).toBe(name);
    return { name, before: b, after: a, plan: planChanges(b, a) };
  });

  test('the spec change is exactly one entry', () => {
    // GIVEN the reference spec and the spec with payment-service
    // THEN the only difference is the inserted entry
    expect(withPayment.replace(PAYMENT_SERVICE, '')).toBe(reference);
  });

  test('destroys nothing', () => {
    for (const { name, plan } of plans()) expect({ env: name, toDestroy: plan.toDestroy }).toEqual({ env: name, toDestroy: 0 });
  });

  test('every object it adds belongs to payment-service', () => {
    for (const { name, plan } of plans()) {
      const strangers = plan.changes.filter((c) => c.action === '+' && !belongsToNew(c.desired!)).map((c) => objectLabel(c.desired!.object));
      expect({ env: name, strangers }).toEqual({ env: name, strangers: [] });
    }
  });

  test('creates the workload, its Service, ServiceAccount, autoscaler and disruption budget', () => {
    for (const { after: objects } of plans()) {
      const has = (kinds: string[]) => objects.some((m) => kinds.includes(m.object.kind) && m.object.metadata.name === NEW);
      expect(['ServiceAccount', 'Service', 'HorizontalPodAutoscaler', 'PodDisruptionBudget'].filter((k) => !has([k]))).toEqual([]);
      expect(has(['Deployment', 'Rollout'])).toBe(true);
      expect(objects.some((m) => m.object.metadata.name === NEW && mentions(m.object, '"image":"ghcr.io/shop-example/payment-service:1.0.0"'))).toBe(true);
    }
  });

  test('gets every kind of object its twin order-service has (database, policies, routes, rollout as they land)', () => {
    for (const { name, before: was, after: now } of plans()) {
      const services = servicesOf(after);
      const kindsOf = (objects: LocatedManifest[], owner: string) =>
        new Set(objects.filter((m) => ownerOf(m.file, m.object, services) === owner).map((m) => m.object.kind));
      const twinKinds = kindsOf(was, TWIN);
      const newKinds = kindsOf(now, NEW);
      expect({ env: name, missing: [...twinKinds].filter((k) => !newKinds.has(k)) }).toEqual({ env: name, missing: [] });
    }
  });

  test('its database, canary rollout and gateway route exist wherever order-service has theirs', () => {
    for (const { before: was, after: now } of plans()) {
      const find = (objects: LocatedManifest[], kind: string, objectName: string) =>
        objects.find((m) => m.object.kind === kind && m.object.metadata.name === objectName)?.object;
      if (find(was, 'StatefulSet', `${TWIN}-db`)) expect(find(now, 'StatefulSet', `${NEW}-db`)).toBeDefined();
      if (find(was, 'Rollout', TWIN)) expect(find(now, 'Rollout', NEW)).toMatchObject({ spec: { strategy: { canary: expect.anything() } } });
      if (was.some((m) => mentions(m.object, '"/api/orders"'))) {
        expect(now.some((m) => mentions(m.object, `"${NEW_PREFIX}"`) && mentions(m.object, NEW))).toBe(true);
      }
    }
  });

  test('changes only the called services\' admitting policies and the shared route lists', () => {
    for (const { name, plan } of plans()) {
      const unexpected = plan.changes.filter((c) => c.action === '~' && !allowedChange(c, existingPrefixes, servicesOf(after)));
      expect({ env: name, unexpected: renderPlan(subPlan(unexpected)) }).toEqual({ env: name, unexpected: renderPlan(subPlan([])) });
    }
  });

  test('leaves every other object byte-identical', () => {
    for (const { name, before: was, after: now, plan } of plans()) {
      const allowed = new Set(plan.changes.filter((c) => c.action === '~' && allowedChange(c, existingPrefixes, servicesOf(after))).map((c) => objectKey(c.current!.object)));
      const rendered = new Map(now.map((m) => [objectKey(m.object), render(m.object)]));
      const differing = was.filter((m) => !allowed.has(objectKey(m.object)) && rendered.get(objectKey(m.object)) !== render(m.object));
      expect({ env: name, differing: differing.map((m) => objectLabel(m.object)) }).toEqual({ env: name, differing: [] });
    }
  });
});

describe('the changes allowed outside payment-service', () => {
  const services = ['user-service', 'order-service', 'payment-service'];
  const prefixes = ['/api/users', '/api/orders'];
  const change = (file: string, kind: string, name: string, was: object, now: object): PlannedChange => ({
    action: '~',
    current: { file, object: { apiVersion: 'x/v1', kind, metadata: { name }, spec: was } },
    desired: { file, object: { apiVersion: 'x/v1', kind, metadata: { name }, spec: now } },
    fields: [],
    refused: [],
    unsafe: [],
  });

  test('admit a policy of the called service that now names payment-service', () => {
    const c = change('30-order-service.yaml', 'AuthorizationPolicy', 'order-service', { principals: ['user-service'] }, { principals: ['user-service', 'payment-service'] });
    expect(allowedChange(c, prefixes, services)).toBe(true);
  });

  test('admit a shared-file policy whose selector picks the called service', () => {
    const c = change('10-platform.yaml', 'NetworkPolicy', 'allow-callers', { podSelector: { matchLabels: { app: 'order-service' } } }, { podSelector: { matchLabels: { app: 'order-service' } }, from: ['payment-service'] });
    expect(allowedChange(c, prefixes, services)).toBe(true);
  });

  test('refuse a policy of a service it does not call', () => {
    const c = change('30-user-service.yaml', 'AuthorizationPolicy', 'user-service', { principals: ['order-service'] }, { principals: ['order-service', 'payment-service'] });
    expect(allowedChange(c, prefixes, services)).toBe(false);
  });

  test('refuse any other kind of a called service, such as its workload', () => {
    const c = change('30-order-service.yaml', 'Deployment', 'order-service', { replicas: 1 }, { replicas: 1, note: 'payment-service' });
    expect(allowedChange(c, prefixes, services)).toBe(false);
  });

  test('admit the shared gateway routes gaining /api/payments', () => {
    const c = change('10-platform.yaml', 'VirtualService', 'gateway', { http: ['/api/users', '/api/orders'] }, { http: ['/api/users', '/api/orders', '/api/payments'] });
    expect(allowedChange(c, prefixes, services)).toBe(true);
  });

  test('admit a shared rate-limit config that names routes and gains api-payments', () => {
    const c = change('10-platform.yaml', 'ConfigMap', 'ratelimit-config', { data: 'value: api-users' }, { data: 'value: api-users\nvalue: api-payments' });
    expect(allowedChange(c, prefixes, services)).toBe(true);
  });

  test('refuse a shared object that does not list routes', () => {
    const c = change('10-platform.yaml', 'VirtualService', 'other', { hosts: ['a'] }, { hosts: ['a', '/api/payments'] });
    expect(allowedChange(c, prefixes, services)).toBe(false);
  });
});

/**
 * The changes the new entry may cause outside its own objects, and nothing else:
 * - an AuthorizationPolicy or NetworkPolicy of a service it calls (in its file, named after it,
 *   or selecting its pods), now naming payment-service;
 * - a shared gateway object (routing, JWT rules, rate-limit filters and their config) that
 *   listed existing routes and now lists /api/payments too (by prefix or as "api-payments").
 */
function allowedChange(c: PlannedChange, existingPrefixes: readonly string[], services: readonly string[]): boolean {
  const was = c.current!;
  const now = c.desired!.object;
  const owner = ownerOf(was.file, was.object, services);
  if (ADMITTING_KINDS.includes(now.kind) && CALLED.some((callee) => callee === owner || selects(was.object, callee))) return mentions(now, NEW);
  if (ROUTE_LISTING_KINDS.includes(now.kind) && owner === SHARED_OWNER) {
    return existingPrefixes.some((p) => listsRoute(was.object, p)) && listsRoute(now, NEW_PREFIX);
  }
  return false;
}

/** Whether an object lists a route: by its prefix ("/api/orders") or its readable name ("api-orders"). */
function listsRoute(o: Manifest, prefix: string): boolean {
  const name = prefix.replace(/^\//, '').replace(/[^a-zA-Z0-9]+/g, '-');
  return mentions(o, `"${prefix}`) || new RegExp(`\\b${name}\\b`).test(JSON.stringify(o));
}

/** Whether a policy's pod selector picks the service's pods (wherever the policy is written). */
function selects(policy: Manifest, service: string): boolean {
  const spec = (policy.spec ?? {}) as { selector?: { matchLabels?: Record<string, string> }; podSelector?: { matchLabels?: Record<string, string> } };
  const labels = spec.selector?.matchLabels ?? spec.podSelector?.matchLabels ?? {};
  return labels['app.kubernetes.io/name'] === service || labels.app === service;
}

function servicesOf(envs: readonly SynthesizedEnvironment[]): string[] {
  return Object.keys(envs[0].platform.spec.services);
}

function subPlan(changes: PlannedChange[]): Plan {
  return { changes, toAdd: 0, toChange: changes.length, toDestroy: 0, refused: 0 };
}

function render(o: Manifest): string {
  return renderFile({ name: 'x.yaml', objects: [o] });
}
