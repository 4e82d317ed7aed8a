import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { rolloutOwnedFields } from '../../src/gitops';
import { apiGroup } from '../../src/manifest';
import { gitopsFiles } from '../../src/platform/gitops';
import { Manifest, ManifestFile, writeEnvironments } from '../../src/synth';
import { editReference, findObject, problemsOf, synth } from '../helpers';
import { validateGitOpsObject } from '../support/schema-validator';

const REPO = 'https://github.com/shop-example/platform-manifests.git';
/** The fixture spec with a gitops section; `extra` lines are added inside it (4-space indented). */
function withGitOps(...extra: string[]): string {
  return editReference(['platform:\n  name: shop\n', `platform:\n  name: shop\n  gitops:\n    repoURL: ${REPO}\n${extra.map((l) => `    ${l}\n`).join('')}`]);
}

function fileOf(files: readonly ManifestFile[], name: string): Manifest[] {
  const f = files.find((x) => x.name === name);
  if (!f) throw new Error(`no ${name}; have ${files.map((x) => x.name).join(', ')}`);
  return [...f.objects];
}

interface AppProjectSpec {
  destinations: Array<{ server: string; namespace: string }>;
  clusterResourceWhitelist: Array<{ group: string; kind: string }>;
  namespaceResourceWhitelist: Array<{ group: string; kind: string }>;
  sourceRepos: string[];
}
interface ApplicationSpec {
  project: string;
  source: { repoURL: string; targetRevision: string; path: string };
  destination: { server: string; namespace: string };
  ignoreDifferences?: Array<{ group: string; kind: string; name: string; namespace: string; jsonPointers?: string[]; jqPathExpressions?: string[] }>;
  syncPolicy: { automated?: { prune: boolean; selfHeal: boolean }; syncOptions: string[] };
}
const groupOf = (o: Manifest) => apiGroup(o.apiVersion);

describe('Argo CD and Flux objects (dist/gitops/)', () => {
  const envs = synth(withGitOps());
  const files = gitopsFiles(envs);

  test('one Argo CD file and one Flux file per environment, and nothing without a gitops section', () => {
    // GIVEN the fixture with a gitops section, WHEN synthesized, THEN
    expect(envs.map((e) => e.name)).toEqual(['dev', 'staging', 'prod']);
    expect(files.map((f) => f.name)).toEqual(['argocd/dev.yaml', 'argocd/staging.yaml', 'argocd/prod.yaml', 'flux/dev.yaml', 'flux/staging.yaml', 'flux/prod.yaml']);
    expect(files.map((f) => f.objects.map((o) => o.kind))).toEqual([
      ...envs.map(() => ['AppProject', 'Application']), ...envs.map(() => ['GitRepository', 'Kustomization'])]);
    // AND the fixture without one gives none
    expect(gitopsFiles(synth())).toEqual([]);
  });

  test('are valid Argo CD and Flux objects (strict schemas of @kubernetes-models/argo-cd and flux-cd)', () => {
    const errors = files.flatMap((f) => f.objects.flatMap(validateGitOpsObject));
    expect(errors).toEqual([]);
    // AND the check rejects an unknown field (it is not vacuous)
    const app = fileOf(files, 'argocd/prod.yaml')[1];
    expect(validateGitOpsObject({ ...app, spec: { ...(app.spec as object), ignoreDiferences: [] } }).join('\n')).toMatch(/ignoreDiferences|additional/i);
  });

  test.each(['dev', 'staging', 'prod'])('the %s AppProject allows every object of the environment and no other namespace or kind', (envName) => {
    // GIVEN the environment's objects
    const env = envs.find((e) => e.name === envName)!;
    const objects = env.files.flatMap((f) => f.objects);
    // WHEN its AppProject is generated
    const project = findObject(fileOf(files, `argocd/${envName}.yaml`), 'AppProject', `shop-${envName}`);
    const spec = project.spec as AppProjectSpec;
    // THEN every namespaced object's namespace is a destination, and its kind is whitelisted
    const namespaces = spec.destinations.map((d) => d.namespace);
    const namespaced = spec.namespaceResourceWhitelist.map((g) => `${g.group}/${g.kind}`);
    const cluster = spec.clusterResourceWhitelist.map((g) => `${g.group}/${g.kind}`);
    for (const o of objects) {
      if (o.metadata.namespace) {
        expect(namespaces).toContain(o.metadata.namespace);
        expect(namespaced).toContain(`${groupOf(o)}/${o.kind}`);
      } else {
        expect(cluster).toContain(`${groupOf(o)}/${o.kind}`);
      }
    }
    // AND nothing more: exactly the environment namespace and the gateway namespace, Namespace
    // as the only cluster-scoped kind, and only kinds the environment has
    expect(namespaces.sort()).toEqual([env.platform.spec.platform.gateway.namespace, env.platform.spec.namespace].sort());
    expect(cluster).toEqual(['/Namespace']);
    expect(new Set(namespaced)).toEqual(new Set(objects.filter((o) => o.metadata.namespace).map((o) => `${groupOf(o)}/${o.kind}`)));
    expect(spec.sourceRepos).toEqual([REPO]);
    // AND four objects really are in the gateway namespace, which a project limited to the environment namespace would refuse
    expect(objects.filter((o) => o.metadata.namespace === env.platform.spec.platform.gateway.namespace).map((o) => o.kind).sort())
      .toEqual(['AuthorizationPolicy', 'EnvoyFilter', 'RequestAuthentication', 'Telemetry']);
  });

  test('the Application deploys <path>/<env> into the environment namespace, in its own project, the AppProject first', () => {
    const [project, app] = fileOf(files, 'argocd/prod.yaml');
    const spec = app.spec as ApplicationSpec;
    expect(app.metadata).toEqual({ name: 'shop-prod', namespace: 'argocd' });
    expect(spec.project).toBe(project.metadata.name);
    expect(spec.source).toEqual({ repoURL: REPO, targetRevision: 'main', path: 'dist/prod' });
    expect(spec.destination).toEqual({ server: 'https://kubernetes.default.svc', namespace: 'shop-prod' });
    expect(spec.syncPolicy.automated).toEqual({ prune: true, selfHeal: true });
    // The project must exist before an app-of-apps sync creates the Application that names it.
    expect((project.metadata.annotations as Record<string, string>)['argocd.argoproj.io/sync-wave']).toBe('-1');
    expect(app.metadata.annotations).toBeUndefined();
  });

  test('the Application ignores exactly the fields Argo Rollouts owns, and a sync skips objects that differ only there', () => {
    // GIVEN prod: order-service is a canary reweighting its own VirtualService and the gateway's
    // api-orders route; user-service is blue-green
    const env = envs.find((e) => e.name === 'prod')!;
    const objects = env.files.flatMap((f) => f.objects);
    const spec = fileOf(files, 'argocd/prod.yaml')[1].spec as ApplicationSpec;
    // THEN the route weights of those two routes are ignored, and nothing else of the VirtualServices
    const vsRules = spec.ignoreDifferences!.filter((r) => r.kind === 'VirtualService');
    expect(vsRules).toEqual([
      { group: 'networking.istio.io', kind: 'VirtualService', name: 'api-gateway', namespace: 'shop-prod', jqPathExpressions: ['.spec.http[] | select(.name == "api-orders") | .route[].weight'] },
      { group: 'networking.istio.io', kind: 'VirtualService', name: 'order-service', namespace: 'shop-prod', jqPathExpressions: ['.spec.http[] | select(.name == "primary") | .route[].weight'] },
    ]);
    // AND those routes exist and carry the weights Argo Rollouts rewrites
    for (const [vs, route] of [['api-gateway', 'api-orders'], ['order-service', 'primary']]) {
      const http = (findObject(objects, 'VirtualService', vs).spec as { http: Array<{ name: string; route: Array<{ weight?: number }> }> }).http;
      expect(http.find((h) => h.name === route)!.route.map((r) => r.weight)).toEqual([100, 0]);
    }
    // AND the selectors of the Services Argo Rollouts pins to a ReplicaSet are ignored
    expect(spec.ignoreDifferences!.filter((r) => r.kind === 'Service').map((r) => [r.name, r.jsonPointers])).toEqual([
      ['order-service-canary', ['/spec/selector/rollouts-pod-template-hash']],
      ['order-service-stable', ['/spec/selector/rollouts-pod-template-hash']],
      ['user-service', ['/spec/selector/rollouts-pod-template-hash']],
      ['user-service-preview', ['/spec/selector/rollouts-pod-template-hash']],
    ]);
    for (const r of spec.ignoreDifferences!.filter((x) => x.kind === 'Service')) findObject(objects, 'Service', r.name);
    // AND a sync applies only what is OutOfSync (Argo Rollouts' advice), removes last, and does not
    // take the live route lists (RespectIgnoreDifferences) unless asked to
    expect(spec.syncPolicy.syncOptions).toEqual(['ApplyOutOfSyncOnly=true', 'PruneLast=true']);
  });

  test('rolling services and a spec without Rollouts give no ignore rules', () => {
    const rolling = synth(withGitOps().replace(/strategy: (blueGreen|canary)/g, 'strategy: rolling'), ['dev'])[0];
    expect(rolloutOwnedFields(rolling.files.flatMap((f) => f.objects))).toEqual([]);
    expect(fileOf(gitopsFiles([rolling]), 'argocd/dev.yaml')[1].spec).not.toHaveProperty('ignoreDifferences');
  });

  test('settings: per-environment branch, manual sync, RespectIgnoreDifferences, other namespaces and path', () => {
    // GIVEN prod deploys from its own branch and syncs by hand, with non-default namespaces and path
    const text = withGitOps('path: deploy/out', 'argocd: { namespace: gitops, respectIgnoreDifferences: true }', 'flux: { namespace: flux, interval: 1m }')
      .replace('  prod:\n    platform:\n', '  prod:\n    platform:\n      gitops: { targetRevision: release, argocd: { automated: false } }\n');
    const out = gitopsFiles(synth(text));
    // WHEN generated, THEN prod follows "release" and has no automated sync; dev keeps main
    const prodApp = fileOf(out, 'argocd/prod.yaml')[1];
    const prodSpec = prodApp.spec as ApplicationSpec;
    expect(prodApp.metadata.namespace).toBe('gitops');
    expect(prodSpec.source).toEqual({ repoURL: REPO, targetRevision: 'release', path: 'deploy/out/prod' });
    expect(prodSpec.syncPolicy.automated).toBeUndefined();
    expect(prodSpec.syncPolicy.syncOptions).toContain('RespectIgnoreDifferences=true');
    expect((fileOf(out, 'argocd/dev.yaml')[1].spec as ApplicationSpec).source.targetRevision).toBe('main');
    const [repo, kustomization] = fileOf(out, 'flux/prod.yaml');
    expect(repo.metadata.namespace).toBe('flux');
    expect(repo.spec).toEqual({ url: REPO, ref: { branch: 'release' }, interval: '1m' });
    expect((kustomization.spec as { path: string }).path).toBe('./deploy/out/prod');
  });

  test('the Flux Kustomization applies ./<path>/<env> from its GitRepository and sets no targetNamespace', () => {
    const [repo, kustomization] = fileOf(files, 'flux/prod.yaml');
    expect(repo.spec).toEqual({ url: REPO, ref: { branch: 'main' }, interval: '10m' });
    const spec = kustomization.spec as Record<string, unknown>;
    expect(spec).toEqual({ sourceRef: { kind: 'GitRepository', name: repo.metadata.name }, path: './dist/prod', interval: '10m', prune: true, timeout: '5m' });
    // targetNamespace would move the four istio-system objects into shop-prod, where Istio ignores them
    expect(spec).not.toHaveProperty('targetNamespace');
  });

  test('writeEnvironments writes dist/gitops/ beside the environments, not inside them', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-'));
    try {
      writeEnvironments(out, envs);
      expect(fs.readdirSync(path.join(out, 'gitops')).sort()).toEqual(['argocd', 'flux']);
      const written = parseAllDocuments(fs.readFileSync(path.join(out, 'gitops', 'argocd', 'prod.yaml'), 'utf8')).map((d) => d.toJS() as Manifest);
      expect(written).toEqual(fileOf(files, 'argocd/prod.yaml'));
      for (const env of envs) {
        expect(fs.readdirSync(path.join(out, env.name)).some((n) => /argocd|flux|gitops/.test(n))).toBe(false);
      }
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  test('bad gitops settings and an environment named "gitops" are clear errors', () => {
    expect(problemsOf(withGitOps('targetRevision: ""').replace(REPO, 'github.com/shop/x'))).toEqual([
      expect.stringMatching(/platform\.gitops\.repoURL: must be a Git URL starting with https:\/\/, ssh:\/\/ or git@/),
      expect.stringMatching(/platform\.gitops\.targetRevision: /),
    ]);
    expect(problemsOf(withGitOps('path: /abs'))).toEqual([expect.stringMatching(/platform\.gitops\.path: must be a relative directory/)]);
    // (the environment gets a gateway of its own, so the reserved name is its only problem)
    const named = withGitOps().replace('environments:\n  dev:', 'environments:\n  gitops: { platform: { gateway: { selector: { istio: gitops-gateway } } } }\n  dev:');
    expect(problemsOf(named)).toEqual([expect.stringMatching(/^platform\.yaml:\d+: environments\.gitops: name "gitops" is reserved/)]);
  });
});
