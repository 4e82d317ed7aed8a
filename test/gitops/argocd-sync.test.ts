import { applicationSync, jqPaths } from '../../src/gitops';
import { gitopsFiles } from '../../src/platform/gitops';
import { Manifest } from '../../src/synth';
import { editReference, synth } from '../helpers';

const GITOPS = 'platform:\n  name: shop\n  gitops:\n    repoURL: https://github.com/shop-example/platform-manifests.git\n';

type Http = Array<{ name: string; timeout?: string; route: Array<{ destination: { host: string }; weight?: number }> }>;
const httpOf = (o: Manifest) => (o.spec as { http: Http }).http;

/** prod's objects and its generated Application, from the fixture with a gitops section (and optional edits). */
function prod(extraEdits: Array<[string, string]> = [], gitopsExtra = '') {
  const text = editReference(['platform:\n  name: shop\n', GITOPS + gitopsExtra], ...extraEdits);
  const envs = synth(text);
  const env = envs.find((e) => e.name === 'prod')!;
  const application = gitopsFiles(envs).find((f) => f.name === 'argocd/prod.yaml')!.objects[1];
  return { objects: env.files.flatMap((f) => f.objects), application };
}

/** The cluster in the middle of an order-service canary at 20%, user-service's active Service pinned by Argo Rollouts. */
function midCanary(objects: readonly Manifest[]): Manifest[] {
  return objects.map((o) => {
    const live = structuredClone(o) as { -readonly [K in keyof Manifest]: Manifest[K] } & { spec: Record<string, unknown> };
    if (o.kind === 'VirtualService' && (o.metadata.name === 'order-service' || o.metadata.name === 'api-gateway')) {
      for (const h of httpOf(live)) {
        if ((h.name === 'primary' || h.name === 'api-orders') && h.route.length === 2) [h.route[0].weight, h.route[1].weight] = [80, 20];
      }
    }
    if (o.kind === 'Service' && ['order-service-canary', 'order-service-stable', 'user-service'].includes(o.metadata.name)) {
      live.spec.selector = { ...(live.spec.selector as object), 'rollouts-pod-template-hash': `hash-${o.metadata.name}` };
    }
    // What the API server adds is not in Git either.
    live.metadata = { ...live.metadata, resourceVersion: '42', uid: `uid-${o.metadata.name}` };
    return live;
  });
}

/** The live state after a sync: what was sent replaces the live object. */
function afterSync(live: readonly Manifest[], sent: readonly Manifest[]): Map<string, Manifest> {
  const key = (o: Manifest) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
  const state = new Map(live.map((o) => [key(o), o]));
  for (const o of sent) state.set(key(o), o);
  return state;
}

describe('an Argo CD sync of the generated Application (model of Argo CD, src/gitops/argocd-sync.ts)', () => {
  test('a canary in progress survives a re-sync: the weights and pinned selectors stay, nothing is applied', () => {
    // GIVEN prod in Git and the cluster mid-canary (weights 80/20 on both routes, Services pinned)
    const { objects, application } = prod();
    const live = midCanary(objects);
    // WHEN Argo CD syncs (a manual sync or self-heal)
    const steps = applicationSync(application, objects, live);
    // THEN every object is Synced under the ignore rules and nothing is applied
    expect(steps.filter((s) => s.outOfSync).map((s) => `${s.object.kind}/${s.object.metadata.name}`)).toEqual([]);
    expect(steps.every((s) => s.action === 'skip')).toBe(true);
    // AND the cluster keeps the canary's weights
    const state = afterSync(live, steps.filter((s) => s.action !== 'skip').map((s) => s.object));
    expect(httpOf(state.get('VirtualService/shop-prod/order-service')!).find((h) => h.name === 'primary')!.route.map((r) => r.weight)).toEqual([80, 20]);
  });

  test('without the ignore rules the same sync would reset the canary (the rules are what protects it)', () => {
    const { objects, application } = prod();
    const bare = { ...application, spec: { ...(application.spec as object), ignoreDifferences: [] } };
    const steps = applicationSync(bare, objects, midCanary(objects));
    expect(steps.filter((s) => s.action === 'apply').map((s) => `${s.object.kind}/${s.object.metadata.name}`))
      .toEqual(['VirtualService/api-gateway', 'VirtualService/order-service']);
  });

  test('a real change elsewhere is still applied; a change to another gateway route re-applies the gateway with Git weights', () => {
    // GIVEN Git changes inventory-service's timeout (its own VirtualService and its gateway route)
    const { objects, application } = prod([['    routes:\n      - { prefix: /api/inventory, auth: jwt }\n', '    routes:\n      - { prefix: /api/inventory, auth: jwt }\n    traffic: { timeout: 20s }\n']]);
    const live = midCanary(prod().objects);
    // WHEN synced mid-canary
    const steps = applicationSync(application, objects, live);
    const applied = steps.filter((s) => s.action === 'apply').map((s) => s.object);
    // THEN the changed objects are applied, the canary's own VirtualService is not
    expect(applied.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(['VirtualService/api-gateway', 'VirtualService/inventory-service']);
    // AND the gateway goes out with Git's 100/0 for api-orders (Argo Rollouts sets 80/20 again right away)
    const gateway = applied.find((o) => o.metadata.name === 'api-gateway')!;
    expect(httpOf(gateway).find((h) => h.name === 'api-orders')!.route.map((r) => r.weight)).toEqual([100, 0]);
    expect(httpOf(gateway).find((h) => h.name === 'api-inventory')!.timeout).toBe('20s');
  });

  test('with RespectIgnoreDifferences the weights stay, but the gateway\'s route change never lands (why it is off by default)', () => {
    const { objects, application } = prod([['    routes:\n      - { prefix: /api/inventory, auth: jwt }\n', '    routes:\n      - { prefix: /api/inventory, auth: jwt }\n    traffic: { timeout: 20s }\n']],
      '    argocd: { respectIgnoreDifferences: true }\n');
    const live = midCanary(prod().objects);
    const gateway = applicationSync(application, objects, live).find((s) => s.object.kind === 'VirtualService' && s.object.metadata.name === 'api-gateway')!;
    expect(gateway.action).toBe('apply');
    expect(httpOf(gateway.object).find((h) => h.name === 'api-orders')!.route.map((r) => r.weight)).toEqual([80, 20]);
    // the whole live spec.http list was taken: the new timeout is lost
    expect(httpOf(gateway.object).find((h) => h.name === 'api-inventory')!.timeout).toBe('10s');
  });

  test('objects not yet in the cluster are created as they are', () => {
    const { objects, application } = prod();
    const steps = applicationSync(application, objects, []);
    expect(steps.map((s) => s.action)).toEqual(objects.map(() => 'create'));
    expect(steps.map((s) => s.object)).toEqual(objects);
  });

  test('jq subset: the generated expressions select the weights of the named route only, other syntax is refused', () => {
    const vs = { spec: { http: [{ name: 'version-pin', route: [{ weight: 1 }] }, { name: 'primary', route: [{ weight: 100 }, { weight: 0 }] }] } };
    expect(jqPaths(vs, '.spec.http[] | select(.name == "primary") | .route[].weight')).toEqual([['spec', 'http', 1, 'route', 0, 'weight'], ['spec', 'http', 1, 'route', 1, 'weight']]);
    expect(() => jqPaths(vs, '.spec.http[0]')).toThrow(/unsupported jq path expression/);
  });
});
