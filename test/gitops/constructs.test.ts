/** ArgoCdEnvironment and FluxEnvironment from plain props, in any cdk8s chart (no spec). */
import { Testing } from 'cdk8s';
import { ArgoCdEnvironment, ArgoCdEnvironmentProps } from '../../src/gitops/argocd-environment';
import { FluxEnvironment, FluxEnvironmentProps } from '../../src/gitops/flux-environment';
import type { Manifest } from '../../src/manifest';
import { testChart } from '../support/test-chart';

const REPO = 'https://github.com/acme/manifests.git';
const OBJECTS: Manifest[] = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop-prod' } },
  { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop-prod' } },
];
type Obj = Manifest & { spec: Record<string, unknown> };

const argo = (props: Partial<ArgoCdEnvironmentProps> = {}): Obj[] => {
  const chart = testChart();
  new ArgoCdEnvironment(chart, 'argo', { environment: 'prod', name: 'shop-prod', namespace: 'shop-prod', repoURL: REPO, objects: OBJECTS, ...props });
  return Testing.synth(chart) as Obj[];
};
const flux = (props: Partial<FluxEnvironmentProps> = {}): Obj[] => {
  const chart = testChart();
  new FluxEnvironment(chart, 'flux', { environment: 'prod', name: 'shop-prod', repoURL: REPO, ...props });
  return Testing.synth(chart) as Obj[];
};

describe('ArgoCdEnvironment', () => {
  test('a repository, the environment and its objects give an AppProject and an automated Application with the defaults', () => {
    // GIVEN only the environment, its namespace, the repository and the objects WHEN synthesized
    const [project, app] = argo();
    // THEN both live in "argocd"; the Application deploys dist/prod of main to the local cluster, pruning and self-healing
    expect([project.kind, app.kind]).toEqual(['AppProject', 'Application']);
    expect([project.metadata.namespace, app.metadata.namespace]).toEqual(['argocd', 'argocd']);
    expect(app.spec.source).toEqual({ repoURL: REPO, targetRevision: 'main', path: 'dist/prod' });
    expect(app.spec.destination).toEqual({ server: 'https://kubernetes.default.svc', namespace: 'shop-prod' });
    expect(app.spec.syncPolicy).toEqual({ automated: { prune: true, selfHeal: true }, syncOptions: ['ApplyOutOfSyncOnly=true', 'PruneLast=true'] });
    // AND the project allows exactly the objects' kinds
    expect(project.spec.clusterResourceWhitelist).toEqual([{ group: '', kind: 'Namespace' }]);
    expect(project.spec.namespaceResourceWhitelist).toEqual([{ group: 'apps', kind: 'Deployment' }]);
  });

  test('each setting overrides its default', () => {
    // GIVEN every optional prop set WHEN synthesized
    const [project, app] = argo({
      path: 'deploy/out', targetRevision: 'release', argoCdNamespace: 'gitops', server: 'https://prod.example.com:6443', automated: false, respectIgnoreDifferences: true,
    });
    // THEN the objects follow them
    expect(project.metadata.namespace).toBe('gitops');
    expect(app.spec.source).toEqual({ repoURL: REPO, targetRevision: 'release', path: 'deploy/out/prod' });
    expect(app.spec.destination).toEqual({ server: 'https://prod.example.com:6443', namespace: 'shop-prod' });
    expect(app.spec.syncPolicy).toEqual({ syncOptions: ['ApplyOutOfSyncOnly=true', 'PruneLast=true', 'RespectIgnoreDifferences=true'] });
  });

  test.each([
    [{ repoURL: 'github.com/acme/manifests' }, /repoURL "github.com\/acme\/manifests" must be a Git URL/],
    [{ path: '/dist' }, /path "\/dist" must be a relative directory/],
    [{ path: 'dist/' }, /path "dist\/" must be a relative directory/],
    [{ server: 'http://kubernetes.default.svc' }, /server "http:\/\/kubernetes.default.svc" must be an https:\/\/ API server URL/],
    [{ objects: [] }, /needs the environment's objects/],
  ])('rejects %j', (props, message) => {
    // GIVEN a value Argo CD could not deploy from WHEN constructed THEN a clear error
    expect(() => argo(props)).toThrow(message);
  });
});

describe('FluxEnvironment', () => {
  test('a repository and the environment give a GitRepository and a pruning Kustomization with the defaults', () => {
    // GIVEN only the environment and the repository WHEN synthesized
    const [source, kustomization] = flux();
    // THEN both live in flux-system, follow main every 10m and apply ./dist/prod
    expect([source.kind, kustomization.kind]).toEqual(['GitRepository', 'Kustomization']);
    expect([source.metadata.namespace, kustomization.metadata.namespace]).toEqual(['flux-system', 'flux-system']);
    expect(source.spec).toEqual({ url: REPO, ref: { branch: 'main' }, interval: '10m' });
    expect(kustomization.spec).toEqual({ sourceRef: { kind: 'GitRepository', name: 'shop-prod' }, path: './dist/prod', interval: '10m', prune: true, timeout: '5m' });
  });

  test('each setting overrides its default', () => {
    const [source, kustomization] = flux({ path: 'out', targetRevision: 'prod', fluxNamespace: 'flux', interval: '1m' });
    expect(source.metadata.namespace).toBe('flux');
    expect(source.spec).toEqual({ url: REPO, ref: { branch: 'prod' }, interval: '1m' });
    expect(kustomization.spec).toMatchObject({ path: './out/prod', interval: '1m' });
  });

  test.each([
    [{ interval: 'ten minutes' }, /interval "ten minutes" must be a duration/],
    [{ repoURL: 'ftp://example.com/repo' }, /repoURL .* must be a Git URL/],
    [{ path: 'my dist' }, /path "my dist" must be a relative directory/],
  ])('rejects %j', (props, message) => {
    expect(() => flux(props)).toThrow(message);
  });
});
