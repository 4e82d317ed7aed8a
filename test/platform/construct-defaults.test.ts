/**
 * The library constructs' defaults are the spec's defaults: a minimal spec and bare props give the
 * same objects, so the two ways in cannot drift apart.
 */
import { Chart, Testing } from 'cdk8s';
import { SuccessRateAnalysisTemplate } from '../../src/delivery/analysis';
import { ArgoCdEnvironment } from '../../src/gitops/argocd-environment';
import { FluxEnvironment } from '../../src/gitops/flux-environment';
import { DEFAULT_INGRESS_GATEWAY } from '../../src/mesh/ingress-gateway';
import { RATE_LIMIT_REDIS_IMAGE } from '../../src/mesh/rate-limit';
import { DEFAULT_COLLECTOR_IMAGE } from '../../src/observability/collector';
import { TracingTelemetry } from '../../src/observability/telemetry';
import { GitOpsSchema, PlatformSettingsSchema } from '../../src/spec/schema';
import { testApp } from '../support/test-chart';

const platform = PlatformSettingsSchema.parse({ name: 'shop', host: 'api.shop.example.com' });
const synth = (build: (chart: Chart) => void): unknown[] => {
  const chart = new Chart(testApp(), 'c', { namespace: 'shop' });
  build(chart);
  return Testing.synth(chart);
};

test('gateway, images and sampling: the constructs default to the spec\'s defaults', () => {
  // GIVEN the platform settings of a minimal spec THEN each construct default equals the spec's
  expect(DEFAULT_INGRESS_GATEWAY).toEqual(platform.gateway);
  expect(DEFAULT_COLLECTOR_IMAGE).toBe(platform.tracing.collectorImage);
  expect(RATE_LIMIT_REDIS_IMAGE).toBe(platform.redis.image);
  expect(synth((c) => new TracingTelemetry(c, 't'))).toEqual(synth((c) => new TracingTelemetry(c, 't', { samplingPercent: platform.tracing.samplingPercent })));
});

test('the success-rate template without props equals the one mapped from the spec\'s analysis defaults', () => {
  const { analysis } = platform;
  expect(synth((c) => new SuccessRateAnalysisTemplate(c, 't'))).toEqual(synth((c) => new SuccessRateAnalysisTemplate(c, 't', {
    namespace: 'shop', prometheusAddress: platform.prometheusAddress, ...analysis,
  })));
});

test('Argo CD and Flux objects without settings equal those mapped from a gitops section with only repoURL', () => {
  // GIVEN a gitops section with only the repository, parsed with its defaults
  const gitops = GitOpsSchema.parse({ repoURL: 'https://github.com/acme/manifests.git' });
  const objects = [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }];
  const base = { environment: 'prod', name: 'shop-prod', repoURL: gitops.repoURL };
  // THEN bare props and the spec's values give the same objects
  expect(synth((c) => new ArgoCdEnvironment(c, 'a', { ...base, namespace: 'shop', objects }))).toEqual(synth((c) => new ArgoCdEnvironment(c, 'a', {
    ...base, namespace: 'shop', objects, path: gitops.path, targetRevision: gitops.targetRevision,
    argoCdNamespace: gitops.argocd.namespace, server: gitops.argocd.server, automated: gitops.argocd.automated, respectIgnoreDifferences: gitops.argocd.respectIgnoreDifferences,
  })));
  expect(synth((c) => new FluxEnvironment(c, 'f', base))).toEqual(synth((c) => new FluxEnvironment(c, 'f', {
    ...base, path: gitops.path, targetRevision: gitops.targetRevision, fluxNamespace: gitops.flux.namespace, interval: gitops.flux.interval,
  })));
});
