import { editReference, problemsOf } from '../helpers';

const STEPS = 'services.order-service.delivery.canary.steps';

describe('delivery spec checks', () => {
  test('the reference spec has no delivery problems', () => {
    // GIVEN the reference spec WHEN it is loaded THEN nothing is reported
    expect(problemsOf(editReference())).toEqual([]);
  });

  test('a setWeight outside 0-100 is reported', () => {
    // GIVEN a canary step of 120%
    const text = editReference(['          - setWeight: 20\n', '          - setWeight: 120\n']);
    // WHEN it is loaded THEN the step is named with what is allowed
    expect(problemsOf(text)).toEqual([
      `platform.yaml:64: ${STEPS}.2.setWeight: setWeight 120 is not allowed; it is the percent of traffic sent to the canary, a whole number from 0 to 100`,
    ]);
  });

  test('a decreasing setWeight is reported', () => {
    // GIVEN 10, 20, then 15
    const text = editReference(['          - setWeight: 50\n', '          - setWeight: 15\n']);
    // WHEN it is loaded THEN the lower weight is reported against the earlier one
    expect(problemsOf(text)).toEqual([
      `platform.yaml:66: ${STEPS}.4.setWeight: setWeight 15 is lower than setWeight 20 of step 2; canary weights must not decrease (to send traffic back, abort the rollout)`,
    ]);
  });

  test('a pause Argo cannot parse is reported', () => {
    // GIVEN a pause written in words
    const text = editReference(['- pause: { duration: 1m }', '- pause: { duration: 1 minute }']);
    // WHEN it is loaded THEN the accepted forms are listed
    expect(problemsOf(text)).toEqual([
      `platform.yaml:63: ${STEPS}.1.pause.duration: pause duration "1 minute" cannot be read by Argo Rollouts (it would not pause at all); use whole seconds (30) or h/m/s units such as 30s, 5m, 1h or 1h30m, or leave it out to pause until promoted`,
    ]);
  });

  test('a last setWeight below 100 is reported', () => {
    // GIVEN steps that end at 80%
    const text = editReference(['          - setWeight: 100\n', '          - setWeight: 80\n']);
    // WHEN it is loaded THEN the silent jump to 100% is explained
    expect(problemsOf(text)).toEqual([
      `platform.yaml:68: ${STEPS}.6.setWeight: the last setWeight is 80, but when the steps end Argo Rollouts sends 100% of traffic to the new version anyway; end with setWeight: 100 so the final jump is a visible step`,
    ]);
  });

  test('a blue-green without its preview Service is reported', () => {
    // GIVEN user-service with preview false
    const text = editReference(['blueGreen: { autoPromotionEnabled', 'blueGreen: { preview: false, autoPromotionEnabled']);
    // WHEN it is loaded THEN the preview is required
    expect(problemsOf(text)).toEqual([
      'platform.yaml:40: services.user-service.delivery.blueGreen.preview: blue-green needs its preview Service: the new version runs behind "user-service-preview" until promotion, where the version header and the pre-promotion analysis reach it; remove "preview: false" or use strategy canary or rolling',
    ]);
  });

  test('an environment that turns the preview off is blamed at its own line', () => {
    // GIVEN dev overriding user-service with preview false
    const text = editReference([
      '      user-service: { replicas: 1, autoscaling: { minReplicas: 1, maxReplicas: 2 } }',
      '      user-service: { replicas: 1, autoscaling: { minReplicas: 1, maxReplicas: 2 }, delivery: { blueGreen: { preview: false } } }',
    ]);
    // WHEN it is loaded THEN the overlay line and path are reported
    expect(problemsOf(text)).toEqual([
      'platform.yaml:105: environments.dev.services.user-service.delivery.blueGreen.preview: blue-green needs its preview Service: the new version runs behind "user-service-preview" until promotion, where the version header and the pre-promotion analysis reach it; remove "preview: false" or use strategy canary or rolling',
    ]);
  });

  test('an analysis naming an undefined template is reported', () => {
    // GIVEN error-rate in the canary and a typo in the blue-green
    const text = editReference(
      ['        analysis: [success-rate]', '        analysis: [error-rate]'],
      ['prePromotionAnalysis: [success-rate]', 'prePromotionAnalysis: [succes-rate]'],
    );
    // WHEN it is loaded THEN both are reported with the defined templates
    expect(problemsOf(text)).toEqual([
      'platform.yaml:40: services.user-service.delivery.blueGreen.prePromotionAnalysis.0: unknown AnalysisTemplate "succes-rate"; defined templates: success-rate',
      'platform.yaml:69: services.order-service.delivery.canary.analysis.0: unknown AnalysisTemplate "error-rate"; defined templates: success-rate',
    ]);
  });

  test('a template listed twice is reported', () => {
    // GIVEN success-rate twice
    const text = editReference(['        analysis: [success-rate]', '        analysis: [success-rate, success-rate]']);
    // WHEN it is loaded THEN the second one is reported
    expect(problemsOf(text)).toEqual([
      'platform.yaml:69: services.order-service.delivery.canary.analysis.1: AnalysisTemplate "success-rate" is listed twice; Argo Rollouts rejects a run with two metrics of one name',
    ]);
  });

  test('a canary without traffic routing is reported', () => {
    // GIVEN trafficRouting none
    const text = editReference(['        trafficRouting: istio', '        trafficRouting: none']);
    // WHEN it is loaded THEN it explains why the mesh needs istio routing
    expect(problemsOf(text)).toEqual([
      'platform.yaml:70: services.order-service.delivery.canary.trafficRouting: trafficRouting "none" is not supported: the mesh sends this service\'s requests through the "primary" route of its VirtualService, which only Argo Rollouts reweights, so without "istio" no setWeight would ever reach the canary; use trafficRouting: istio, or strategy rolling',
    ]);
  });

  test('strategy canary without a canary block is reported', () => {
    // GIVEN user-service switched to canary with only its blueGreen block
    const text = editReference(['      strategy: blueGreen\n', '      strategy: canary\n']);
    // WHEN it is loaded THEN the missing steps are asked for
    expect(problemsOf(text)).toEqual([
      'platform.yaml:39: services.user-service.delivery.strategy: strategy "canary" needs a canary block with steps, e.g. canary: { steps: [{ setWeight: 20 }, { pause: { duration: 1m } }, { setWeight: 100 }] }',
    ]);
  });

  test('a failure limit the analysis can never exceed is reported', () => {
    // GIVEN failureLimit 5 with the default count 5
    const text = editReference(['    failureLimit: 2\n', '    failureLimit: 5\n']);
    // WHEN it is loaded THEN the limit is reported
    expect(problemsOf(text)).toEqual([
      'platform.yaml:18: platform.analysis.failureLimit: failureLimit (5) must be lower than count (5): with that many failed measurements tolerated the analysis can never fail',
    ]);
  });

  test('a canary longer than its background analysis is reported', () => {
    // GIVEN measurements every 30s, 5 of them, and 4m of pauses
    const text = editReference(['    interval: 1m\n', '    interval: 30s\n']);
    // WHEN it is loaded THEN the needed count is given
    expect(problemsOf(text)).toEqual([
      `platform.yaml:62: ${STEPS}: the canary pauses for 4m after the analysis starts, but the analysis stops after 5 measurements every 30s (2m30s); raise platform.analysis.count to at least 8 so the whole canary is analysed`,
    ]);
  });

  test('a canary whose pauses end before its analysis can fail it is reported', () => {
    // GIVEN a measurement every minute, the run failing at the third failed one (failureLimit 2, so
    // 3m after it starts), and pauses of 1m, 1m and 1m: the last step and the abort would race
    const text = editReference(['          - pause: { duration: 2m }\n', '          - pause: { duration: 1m }\n']);
    // WHEN it is loaded THEN the pauses needed are given, with the other ways out
    expect(problemsOf(text)).toEqual([
      `platform.yaml:62: ${STEPS}: a failing version would reach 100% before the analysis can fail it: the analysis fails after 3 failed measurements, 3m after it starts (one every 1m), but the canary pauses for 3m after the analysis starts; pause for at least 4m in all (one interval to spare for the abort), or lower platform.analysis.failureLimit or interval`,
    ]);
    // AND with failureLimit 1 the run fails at 2m, an interval before the pauses end
    expect(problemsOf(editReference(['          - pause: { duration: 2m }\n', '          - pause: { duration: 1m }\n'], ['    failureLimit: 2\n', '    failureLimit: 1\n']))).toEqual([]);
  });

  test('a Prometheus address that is not a URL is reported', () => {
    // GIVEN a bare host:port
    const text = editReference(['  analysis:\n', '  prometheusAddress: prometheus:9090\n  analysis:\n']);
    // WHEN it is loaded THEN a URL is asked for
    expect(problemsOf(text)).toEqual([
      'platform.yaml:15: platform.prometheusAddress: "prometheus:9090" is not a Prometheus URL; use http:// or https:// and a host, e.g. http://prometheus.monitoring.svc.cluster.local:9090',
    ]);
  });
});
