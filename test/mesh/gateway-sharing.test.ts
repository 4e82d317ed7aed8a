/** Environments never share ingress gateway pods: rejected at load, and the fixture's gateways stay apart. */
import { Manifest } from '../../src/synth';
import { editReference, lineIn, objectsOf, problemsOf, referenceText } from '../helpers';

const DEV_GATEWAY = '      gateway: { namespace: istio-ingress, selector: { istio: ingress-dev }, serviceAccount: istio-ingress-dev }\n';
const STAGING_GATEWAY = '      gateway: { namespace: istio-ingress, selector: { istio: ingress-staging }, serviceAccount: istio-ingress-staging }\n';

type Labels = Record<string, string>;

/** The labels an object selects gateway pods by, for the kinds that select the ingress gateway. */
function gatewaySelectorOf(o: Manifest): Labels | undefined {
  const spec = o.spec as { selector?: Labels & { matchLabels?: Labels }; workloadSelector?: { labels: Labels } } | undefined;
  if (o.kind === 'Gateway') return spec?.selector;
  if (o.kind === 'EnvoyFilter') return spec?.workloadSelector?.labels;
  if (['RequestAuthentication', 'AuthorizationPolicy', 'Telemetry'].includes(o.kind)) return spec?.selector?.matchLabels;
  return undefined;
}

describe('environments sharing a gateway', () => {
  test('two environments on the default gateway are rejected, naming both, at the environment that would override it', () => {
    // GIVEN dev no longer names its own gateway, so dev and prod both select istio=ingressgateway
    const text = editReference([DEV_GATEWAY, '']);
    // WHEN the spec is checked
    // THEN one located problem naming both environments and what to set; nothing is synthesized
    expect(problemsOf(text)).toEqual([
      `platform.yaml:${lineIn(text, 'prod:', 'environments:')}: environments.prod: environments dev and prod share ingress gateway pods: ` +
        'prod selects labels istio=ingressgateway and dev labels istio=ingressgateway (the default), which can be the same pods, so each ' +
        "environment's routes, JWT policies, rate-limit filters and access log would act on the other's requests; give prod its own ingress " +
        'gateway: set environments.prod.platform.gateway (selector, namespace, serviceAccount) to a gateway deployment of its own whose ' +
        "labels dev's selector does not match",
    ]);
  });

  test('an overlay that reuses another environment\'s selector is reported at its own line, pointing at the other', () => {
    // GIVEN staging selects dev's gateway pods
    const text = editReference([STAGING_GATEWAY, '      gateway: { namespace: istio-ingress, selector: { istio: ingress-dev }, serviceAccount: istio-ingress-staging }\n']);
    // WHEN checked / THEN reported at staging's selector, with dev's line
    const problems = problemsOf(text);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^platform\\.yaml:${lineIn(text, 'selector: { istio: ingress-dev }', 'staging:')}: environments\\.staging\\.platform\\.gateway\\.selector: environments dev and staging share ingress gateway pods`));
    expect(problems[0]).toContain(`dev labels istio=ingress-dev (platform.yaml:${lineIn(text, 'selector: { istio: ingress-dev }')})`);
  });

  test.each([
    ['a superset of the other\'s labels', true, '{ istio: ingress-dev, app: istio-ingress-dev }'],
    ['labels on different keys (one pod can carry both)', true, '{ app: staging-gateway }'],
    ['a different value of a shared label', false, '{ istio: ingress-staging }'],
  ])('staging selecting pods by %s: sharing reported: %s', (_case, overlaps, selector) => {
    // GIVEN staging's selector against dev's istio=ingress-dev
    const text = editReference([STAGING_GATEWAY, `      gateway: { namespace: istio-ingress, selector: ${selector}, serviceAccount: istio-ingress-staging }\n`]);
    // WHEN checked / THEN a problem exactly when some pod could match both
    expect(problemsOf(text).some((p) => p.includes('share ingress gateway pods'))).toBe(overlaps);
  });

  test('another gateway namespace does not separate environments: a Gateway selects pods across namespaces', () => {
    // GIVEN staging uses dev's labels in another namespace
    const text = editReference([STAGING_GATEWAY, '      gateway: { namespace: staging-gateway, selector: { istio: ingress-dev }, serviceAccount: istio-ingress-staging }\n']);
    // WHEN checked / THEN still rejected
    expect(problemsOf(text).filter((p) => p.includes('environments dev and staging share ingress gateway pods'))).toHaveLength(1);
  });

  test('an environment without routes or JWT generates no gateway objects and may share', () => {
    // GIVEN no JWT anywhere, every route open, and dev (back on the default gateway) without routes
    const noRoutes = (svc: string) => [`      ${svc}: { replicas: 1, autoscaling: { minReplicas: 1, maxReplicas: 2 } }\n`, `      ${svc}: { replicas: 1, autoscaling: { minReplicas: 1, maxReplicas: 2 }, routes: [] }\n`] as [string, string];
    const text = editReference(
      [DEV_GATEWAY, ''],
      ['  jwt:\n    issuer: https://auth.shop.example.com\n    jwksUri: https://auth.shop.example.com/.well-known/jwks.json\n    audiences: [shop-api]\n', ''],
      ['- { prefix: /api/users, auth: jwt', '- { prefix: /api/users, auth: none'],
      ['- { prefix: /api/orders, auth: jwt }', '- { prefix: /api/orders, auth: none }'],
      ['- { prefix: /api/inventory, auth: jwt }', '- { prefix: /api/inventory, auth: none }'],
      noRoutes('user-service'), noRoutes('order-service'), noRoutes('inventory-service'),
    );
    // WHEN checked / THEN no problem at all (there is nothing of dev's on the gateway to interfere)
    expect(problemsOf(text)).toEqual([]);
    expect(objectsOf('dev', text).filter((o) => o.metadata.namespace === 'istio-system' || o.kind === 'Gateway')).toEqual([]);
  });

  test('in the fixture, each environment\'s gateway pods are selected by its own objects only', () => {
    // GIVEN dev, staging and prod with their own gateways / WHEN synthesized
    const envs = ['dev', 'staging', 'prod'];
    const objects = new Map(envs.map((e) => [e, objectsOf(e, referenceText())]));
    const pods: Record<string, Labels> = {
      dev: { app: 'istio-ingress-dev', istio: 'ingress-dev' },
      staging: { app: 'istio-ingress-staging', istio: 'ingress-staging' },
      prod: { app: 'istio-ingressgateway', istio: 'ingressgateway' },
    };
    // THEN every Gateway, RequestAuthentication, AuthorizationPolicy, EnvoyFilter and Telemetry that selects a gateway pod belongs to that pod's environment
    for (const [podEnv, labels] of Object.entries(pods)) {
      for (const [env, out] of objects) {
        const selecting = out.filter((o) => {
          const selector = gatewaySelectorOf(o);
          return selector !== undefined && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);
        }).map((o) => `${o.kind}/${o.metadata.name}`);
        if (env === podEnv) expect(selecting).toEqual(expect.arrayContaining(['Gateway/api-gateway', 'EnvoyFilter/' + `shop-${env}-ratelimit`, `Telemetry/shop-${env}-gateway-access-log`]));
        else expect([podEnv, env, selecting]).toEqual([podEnv, env, []]);
      }
    }
  });
});
