import { Testing } from 'cdk8s';
import { PlatformNamespace } from '../../src/workload/namespace';
import { testChart } from '../support/test-chart';

test('the namespace turns on sidecar injection and enforces Pod Security "restricted"', () => {
  // GIVEN a platform namespace WHEN synthesized
  const chart = testChart();
  new PlatformNamespace(chart, 'ns', { name: 'shop-dev' });
  const [ns] = Testing.synth(chart);
  // THEN it is labelled for Istio injection and restricted pods
  expect(ns.metadata.name).toBe('shop-dev');
  expect(ns.metadata.labels).toMatchObject({
    'istio-injection': 'enabled',
    'pod-security.kubernetes.io/enforce': 'restricted',
    'pod-security.kubernetes.io/enforce-version': 'v1.27',
  });
});
