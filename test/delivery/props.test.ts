/**
 * The delivery constructs from plain props, in any cdk8s chart (no spec): defaults, rejected
 * conflicts, and the cross-object checks against the mesh routes Argo Rollouts changes.
 */
import { Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { BlueGreenDelivery } from '../../src/delivery/blue-green';
import { CanaryDelivery, CanaryDeliveryProps } from '../../src/delivery/canary';
import { SuccessRateAnalysisTemplate } from '../../src/delivery/analysis';
import { ApiGateway } from '../../src/mesh/gateway';
import { ServiceTraffic, trafficShape } from '../../src/mesh/traffic';
import { MicroService } from '../../src/workload/microservice';
import * as lib from '../../src';
import { testApp } from '../support/test-chart';

type Obj = { kind: string; metadata: { name: string; namespace?: string }; spec: Record<string, unknown> };
const shopChart = () => new Chart(testApp(), 'shop', { namespace: 'shop' });
const rolloutService = (chart: Chart) => new MicroService(chart, 'web', { image: 'ghcr.io/acme/web:1.4.2', port: 8080, workloadKind: 'Rollout' });
const strategyOf = (objs: Obj[]) => (objs.find((o) => o.kind === 'Rollout')!.spec.strategy as Record<string, Record<string, unknown>>);

describe('CanaryDelivery from props', () => {
  test('a workload and two steps give a Rollout with Istio routing, the canary and stable Services and background analysis', () => {
    // GIVEN a MicroService built for a Rollout, the success-rate template, and only the steps
    const chart = shopChart();
    const workload = rolloutService(chart);
    new SuccessRateAnalysisTemplate(chart, 'analysis');
    new CanaryDelivery(chart, 'delivery', { workload, steps: [{ setWeight: 20 }, { pause: { duration: '4m' } }] });
    // WHEN synthesized
    const objs = Testing.synth(chart) as Obj[];
    // THEN the Rollout reweights route primary of VirtualService web and analyses web-canary from step 1
    const canary = strategyOf(objs).canary;
    expect(canary.steps).toEqual([{ setWeight: 20 }, { pause: { duration: '4m' } }]);
    expect(canary.trafficRouting).toEqual({ istio: { virtualService: { name: 'web', routes: ['primary'] } } });
    expect(canary.analysis).toEqual({ templates: [{ templateName: 'success-rate' }], args: [{ name: 'service-name', value: 'web-canary' }], startingStep: 1 });
    expect(objs.filter((o) => o.kind === 'Service').map((o) => o.metadata.name).sort()).toEqual(['web', 'web-canary', 'web-stable']);
    // AND the template defaults are the platform's: Prometheus in monitoring, 95%, every minute, 2 of 5 failures tolerated
    const template = objs.find((o) => o.kind === 'AnalysisTemplate')!;
    expect(template.metadata).toMatchObject({ name: 'success-rate', namespace: 'shop' });
    expect(template.spec.metrics).toEqual([expect.objectContaining({
      interval: '1m', count: 5, failureLimit: 2, inconclusiveLimit: 2, successCondition: 'len(result) > 0 && result[0] >= 0.95',
      provider: { prometheus: { address: 'http://prometheus.monitoring.svc.cluster.local:9090', query: expect.stringContaining('destination_service_namespace="shop"') } },
    })]);
  });

  test.each<[string, Partial<CanaryDeliveryProps>, RegExp]>([
    ['no steps', { steps: [] }, /CanaryDelivery web: a canary needs at least one step/],
    ['a weight above 100', { steps: [{ setWeight: 120 }] }, /step 0: setWeight 120 is not allowed; it is the percent of traffic sent to the canary, a whole number from 0 to 100/],
    ['a decreasing weight', { steps: [{ setWeight: 50 }, { setWeight: 20 }] }, /step 1: setWeight 20 is lower than setWeight 50 of step 0/],
    ['a pause Argo cannot read', { steps: [{ setWeight: 20 }, { pause: { duration: '1.5m' } }] }, /step 1: pause duration "1.5m" cannot be read by Argo Rollouts/],
    ['a template listed twice', { steps: [{ setWeight: 20 }], analysis: ['success-rate', 'success-rate'] }, /AnalysisTemplate success-rate is listed twice/],
  ])('rejects %s in the constructor', (_what, props, message) => {
    // GIVEN steps or analysis Argo Rollouts would run wrongly WHEN constructed THEN a clear error
    const chart = shopChart();
    const workload = rolloutService(chart);
    expect(() => new CanaryDelivery(chart, 'delivery', { workload, steps: [{ setWeight: 100 }], ...props })).toThrow(message);
  });

  test('reports every step problem at once', () => {
    const chart = shopChart();
    const workload = rolloutService(chart);
    expect(() => new CanaryDelivery(chart, 'delivery', { workload, steps: [{ setWeight: -1 }, { pause: { duration: 'soon' } }] }))
      .toThrow(/step 0: .*; step 1: /);
  });

  test('rejects a workload built as a Deployment', () => {
    const chart = shopChart();
    const workload = new MicroService(chart, 'web', { image: 'ghcr.io/acme/web:1.4.2', port: 8080 });
    expect(() => new CanaryDelivery(chart, 'delivery', { workload, steps: [{ setWeight: 100 }] })).toThrow(/workloadKind "Rollout"/);
  });

  test('the mesh routes it reweights are checked at synthesis: a rolling-shaped ServiceTraffic is refused, a canary one passes', () => {
    // GIVEN a canary and a ServiceTraffic for the same service built for a rolling update
    const chart = shopChart();
    const workload = rolloutService(chart);
    new ServiceTraffic(chart, 'traffic', { name: 'web', port: 8080 });
    new CanaryDelivery(chart, 'delivery', { workload, steps: [{ setWeight: 100 }], analysis: [] });
    // WHEN synthesized THEN the validation names the route and the fix
    expect(() => Testing.synth(chart)).toThrow(/route "primary" of VirtualService web, which goes to web instead of web-canary, web-stable: build its ServiceTraffic \(shop\/traffic\) with routing \{ strategy: 'canary' \}/);

    // AND with canary routing it synthesizes
    const ok = shopChart();
    const w = rolloutService(ok);
    new ServiceTraffic(ok, 'traffic', { name: 'web', port: 8080, routing: { strategy: 'canary' } });
    new CanaryDelivery(ok, 'delivery', { workload: w, steps: [{ setWeight: 100 }], analysis: [] });
    expect(() => Testing.synth(ok)).not.toThrow();
  });

  test('the gateway routes it reweights must exist on the ApiGateway and split between stable and canary', () => {
    // GIVEN an ApiGateway whose /web route goes to the Service web, and a canary that names a route "api-web" and one "other"
    const chart = shopChart();
    const workload = rolloutService(chart);
    new ApiGateway(chart, 'gateway', { host: 'api.example.com', routes: [{ prefix: '/web', service: 'web', port: 8080 }] });
    new CanaryDelivery(chart, 'delivery', { workload, steps: [{ setWeight: 100 }], analysis: [], gatewayRoutes: { virtualService: 'api-gateway', routes: ['web', 'other'] } });
    // WHEN synthesized THEN both problems are reported
    expect(() => Testing.synth(chart)).toThrow(/gateway route "web" goes to web instead of web-canary, web-stable[\s\S]*gateway route "other" is not a route of ApiGateway/);

    // AND a route with the canary's destinations passes
    const ok = shopChart();
    const w = rolloutService(ok);
    new ApiGateway(ok, 'gateway', { host: 'api.example.com', routes: [{ prefix: '/web', service: 'web', port: 8080, destinations: trafficShape('web', { strategy: 'canary' }).primary }] });
    new CanaryDelivery(ok, 'delivery', { workload: w, steps: [{ setWeight: 100 }], analysis: [], gatewayRoutes: { virtualService: 'api-gateway', routes: ['web'] } });
    expect(() => Testing.synth(ok)).not.toThrow();
  });
});

test('CanaryDelivery: a gateway route to the service that the canary does not reweight is refused at synthesis', () => {
  // GIVEN an ApiGateway with a route to web and one to another service, and a canary of web that lists no gateway routes
  const chart = shopChart();
  const workload = rolloutService(chart);
  new ServiceTraffic(chart, 'traffic', { name: 'web', port: 8080, routing: { strategy: 'canary' } });
  new ApiGateway(chart, 'gateway', { host: 'api.example.com', routes: [{ prefix: '/web', service: 'web', port: 8080 }, { prefix: '/other', service: 'other', port: 8080 }] });
  new CanaryDelivery(chart, 'delivery', { workload, steps: [{ setWeight: 100 }], analysis: [] });
  // WHEN synthesized THEN the route to web is named: its requests would reach the new version by pod count, unanalysed
  expect(() => Testing.synth(chart)).toThrow('gateway route "web" of ApiGateway shop/gateway leads to web but is not one of the canary\'s gatewayRoutes: Argo Rollouts would not reweight it, '
    + 'so its requests would reach the new version by its share of the pods instead of the canary weight, and the analysis would not see them; list it in gatewayRoutes.routes');
  expect(() => Testing.synth(chart)).not.toThrow(/gateway route "other"/);

  // AND a route pinned to the stable (or the canary) Service alone is allowed: Argo Rollouts pins that Service to one version
  const pinned = shopChart();
  const w = rolloutService(pinned);
  new ServiceTraffic(pinned, 'traffic', { name: 'web', port: 8080, routing: { strategy: 'canary' } });
  new ApiGateway(pinned, 'gateway', { host: 'api.example.com', routes: [
    { prefix: '/web', service: 'web', port: 8080, destinations: trafficShape('web', { strategy: 'canary' }).primary },
    { prefix: '/web-stable', service: 'web-stable', port: 8080 },
    { prefix: '/web-next', service: 'web', port: 8080, destinations: [{ service: 'web-canary' }] },
  ] });
  new CanaryDelivery(pinned, 'delivery', { workload: w, steps: [{ setWeight: 100 }], analysis: [], gatewayRoutes: { virtualService: 'api-gateway', routes: ['web'] } });
  expect(() => Testing.synth(pinned)).not.toThrow();
});

test('CanaryDelivery: the checks of n canaries behind one gateway of n routes read each route a constant number of times (4x the canaries, about 4x the reads)', () => {
  /** Reads of the routes' destinations while every construct of a chart with `n` canaries, each with its gateway route, is validated. */
  const readsFor = (n: number): number => {
    const reads = { count: 0 };
    const chart = shopChart();
    const routes = Array.from({ length: n }, (_, i) => new Proxy({ prefix: `/api/s${i}`, service: `s${i}`, port: 8080, destinations: trafficShape(`s${i}`, { strategy: 'canary' }).primary }, {
      get(target, key, receiver) {
        if (key === 'destinations') reads.count++;
        return Reflect.get(target, key, receiver);
      },
    }));
    new ApiGateway(chart, 'gateway', { host: 'api.example.com', routes });
    for (let i = 0; i < n; i++) {
      const workload = new MicroService(chart, `s${i}`, { image: 'ghcr.io/acme/web:1.4.2', port: 8080, replicas: 2, workloadKind: 'Rollout' });
      new ServiceTraffic(chart, `s${i}-traffic`, { name: `s${i}`, port: 8080, routing: { strategy: 'canary' } });
      new CanaryDelivery(chart, `s${i}-delivery`, { workload, steps: [{ setWeight: 100 }], analysis: [], gatewayRoutes: { virtualService: 'api-gateway', routes: [`api-s${i}`] } });
    }
    // GIVEN the chart built WHEN every construct is validated (as a synth does)
    reads.count = 0;
    const problems = chart.node.findAll().flatMap((c) => c.node.validate());
    expect(problems).toEqual([]);
    return reads.count;
  };
  // THEN linear: a look at every route per canary would be 16x
  const ratio = readsFor(120) / readsFor(30);
  expect(ratio).toBeLessThan(5);
  expect(ratio).toBeGreaterThan(3);
});

describe('CanaryDelivery against the success-rate template of its namespace', () => {
  /** A canary of web in namespace shop with `steps`, beside a success-rate template built with `template`. */
  const canaryBeside = (steps: CanaryDeliveryProps['steps'], template: ConstructorParameters<typeof SuccessRateAnalysisTemplate>[2] = {}, analysis?: CanaryDeliveryProps['analysis']) => {
    const chart = shopChart();
    new SuccessRateAnalysisTemplate(chart, 'analysis', template);
    new CanaryDelivery(chart, 'delivery', { workload: rolloutService(chart), steps, analysis });
    return chart;
  };

  test('a canary that ends before the analysis can fail it is refused at synthesis, with the pause it needs', () => {
    // GIVEN the template's defaults (a measurement every 1m, 2 failures tolerated: a failing version fails 3m
    // after the analysis starts) and a canary that pauses 1m at 20%, then goes to 100%
    const chart = canaryBeside([{ setWeight: 20 }, { pause: { duration: '1m' } }, { setWeight: 100 }]);
    // WHEN synthesized THEN refused: Argo Rollouts would promote a failing version and end the run as successful
    expect(() => Testing.synth(chart)).toThrow('a failing version would reach 100% before the analysis can fail it: the success-rate AnalysisTemplate (shop/analysis) fails it after 3 failed measurements, '
      + '3m after the analysis starts (one every 1m), but the canary pauses for 1m after the analysis starts: pause for at least 4m in all (one interval to spare for the abort), or give the template a lower failureLimit or interval');
    // AND the ways out it names pass: pausing 4m, or a template that fails a version after one measurement (verdict 1m, 2m needed)
    expect(() => Testing.synth(canaryBeside([{ setWeight: 20 }, { pause: { duration: '3m' } }, { pause: { duration: 60 } }, { setWeight: 100 }]))).not.toThrow();
    expect(() => Testing.synth(canaryBeside([{ setWeight: 20 }, { pause: { duration: '2m' } }, { setWeight: 100 }], { failureLimit: 0 }))).not.toThrow();
  });

  test('a canary that outlasts the analysis is refused at synthesis, with the count it needs', () => {
    // GIVEN a template that measures twice, every 1m, and a canary that pauses 4m after the analysis starts
    const chart = canaryBeside([{ setWeight: 20 }, { pause: { duration: '4m' } }, { setWeight: 100 }], { count: 2, failureLimit: 0 });
    // WHEN synthesized THEN refused: its last 2m would run unwatched
    expect(() => Testing.synth(chart)).toThrow('the canary pauses for 4m after the analysis starts, but the success-rate AnalysisTemplate (shop/analysis) stops after 2 measurements every 1m (2m): give it a count of at least 4 so the whole canary is analysed');
  });

  test('a pause until promoted, a canary without analysis, and a template in another namespace are not timed', () => {
    // GIVEN canaries that would be refused against a template of their namespace with the defaults
    const untilPromoted = canaryBeside([{ setWeight: 20 }, { pause: {} }, { setWeight: 100 }]);
    const withoutAnalysis = canaryBeside([{ setWeight: 100 }], {}, []);
    // AND one whose only template is in a chart of namespace other (Argo Rollouts looks a template up in the Rollout's namespace)
    const chart = shopChart();
    new SuccessRateAnalysisTemplate(new Chart(chart.node.root as Construct, 'other', { namespace: 'other' }), 'analysis');
    new CanaryDelivery(chart, 'delivery', { workload: rolloutService(chart), steps: [{ setWeight: 100 }] });
    // WHEN synthesized THEN each passes: a human watches, nothing is analysed, the template is not the Rollout's
    for (const c of [untilPromoted, withoutAnalysis, chart]) expect(() => Testing.synth(c)).not.toThrow();
  });

  test('the template that times a canary is the one in its namespace, whichever namespace it measures', () => {
    // GIVEN a template in the canary's chart (namespace shop) that measures namespace other, and a canary that ends at once
    const chart = canaryBeside([{ setWeight: 100 }], { namespace: 'other' });
    // WHEN synthesized THEN it is timed against it: the Rollout in shop runs that template
    expect(() => Testing.synth(chart)).toThrow(/a failing version would reach 100% before the analysis can fail it: the success-rate AnalysisTemplate \(shop\/analysis\)/);
  });
});

describe('BlueGreenDelivery from props', () => {
  test('a workload alone gives a manual blue-green Rollout with a preview Service and pre-promotion analysis', () => {
    // GIVEN only the workload WHEN synthesized
    const chart = shopChart();
    const workload = rolloutService(chart);
    new BlueGreenDelivery(chart, 'delivery', { workload });
    const objs = Testing.synth(chart) as Obj[];
    // THEN the defaults: manual promotion, 30s scale-down delay, success-rate against web-preview
    expect(strategyOf(objs).blueGreen).toEqual({
      activeService: 'web', previewService: 'web-preview', autoPromotionEnabled: false, scaleDownDelaySeconds: 30, abortScaleDownDelaySeconds: 30,
      prePromotionAnalysis: { templates: [{ templateName: 'success-rate' }], args: [{ name: 'service-name', value: 'web-preview' }] },
    });
    expect(objs.filter((o) => o.kind === 'Service').map((o) => o.metadata.name).sort()).toEqual(['web', 'web-preview']);
  });

  test.each([
    [{ scaleDownDelaySeconds: -5 }, /scaleDownDelaySeconds -5 must be a whole number of seconds/],
    [{ prePromotionAnalysis: ['success-rate', 'success-rate'] as const }, /AnalysisTemplate success-rate is listed twice/],
  ])('rejects %j', (props, message) => {
    const chart = shopChart();
    expect(() => new BlueGreenDelivery(chart, 'delivery', { workload: rolloutService(chart), ...props })).toThrow(message);
  });

  test('a canary-shaped ServiceTraffic for the service is refused at synthesis', () => {
    // GIVEN blue-green and a ServiceTraffic that routes the service to stable/canary Services nobody creates
    const chart = shopChart();
    new ServiceTraffic(chart, 'traffic', { name: 'web', port: 8080, routing: { strategy: 'canary' } });
    new BlueGreenDelivery(chart, 'delivery', { workload: rolloutService(chart), prePromotionAnalysis: [] });
    // WHEN synthesized THEN
    expect(() => Testing.synth(chart)).toThrow(/the mesh routes web to web-stable, web-canary, but blue-green serves it through the active Service web/);
  });
});

describe('SuccessRateAnalysisTemplate from props', () => {
  test('settings override the defaults', () => {
    const chart = shopChart();
    new SuccessRateAnalysisTemplate(chart, 't', { namespace: 'other', prometheusAddress: 'http://prom.obs:9090', successRate: 0.99, interval: '30s', failureLimit: 0, count: 3 });
    const metric = ((Testing.synth(chart) as Obj[])[0].spec.metrics as Array<Record<string, unknown>>)[0];
    expect(metric).toMatchObject({ interval: '30s', count: 3, failureLimit: 0, successCondition: 'len(result) > 0 && result[0] >= 0.99', provider: { prometheus: { address: 'http://prom.obs:9090' } } });
    expect(JSON.stringify(metric)).toContain('destination_service_namespace=\\"other\\"');
  });

  test.each([
    [{ failureLimit: 5, count: 5 }, /failureLimit \(5\) must be lower than count \(5\)/],
    [{ successRate: 95 }, /successRate must be from 0 to 1, got 95/],
    [{ prometheusAddress: 'prometheus:9090' }, /prometheusAddress "prometheus:9090" is not a Prometheus URL/],
    [{ interval: 'one minute' }, /interval "one minute" is not a duration/],
  ])('rejects %j', (props, message) => {
    expect(() => new SuccessRateAnalysisTemplate(shopChart(), 't', props)).toThrow(message);
  });

  test('needs a namespace: given, or the chart\'s', () => {
    // GIVEN a chart without a namespace and none given WHEN constructed THEN the error says what to do
    expect(() => new SuccessRateAnalysisTemplate(new Chart(testApp(), 'c'), 't')).toThrow(/SuccessRateAnalysisTemplate: give its namespace, or add it to a chart that has one/);
  });
});

test('the example of docs/library-constructs.md composes a canary service, its routes, analysis and collector in one chart', () => {
  // GIVEN the constructs of the example, from the package entry, in one chart of namespace shop
  const chart = shopChart();
  const web = new lib.MicroService(chart, 'web', { image: 'ghcr.io/acme/web:1.4.2', port: 8080, workloadKind: 'Rollout' });
  new lib.ServiceTraffic(chart, 'web-traffic', { name: 'web', port: 8080, routing: { strategy: 'canary' } });
  new lib.ApiGateway(chart, 'gateway', {
    host: 'api.shop.example.com',
    routes: [{ prefix: '/web', service: 'web', port: 8080, destinations: lib.trafficShape('web', { strategy: 'canary' }).primary }],
  });
  new lib.SuccessRateAnalysisTemplate(chart, 'success-rate');
  new lib.CanaryDelivery(chart, 'web-delivery', {
    workload: web,
    steps: [{ setWeight: 20 }, { pause: { duration: '4m' } }, { setWeight: 100 }],
    gatewayRoutes: { virtualService: 'api-gateway', routes: ['web'] },
  });
  new lib.OtelCollector(chart, 'collector', { backendEndpoint: 'tempo.tracing.svc.cluster.local:4317' });
  // WHEN synthesized THEN every validation passes and the Rollout reweights both routes
  const objs = Testing.synth(chart) as Obj[];
  expect(strategyOf(objs).canary.trafficRouting).toEqual({ istio: { virtualServices: [{ name: 'web', routes: ['primary'] }, { name: 'api-gateway', routes: ['web'] }] } });
  expect(objs.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name)).toEqual(['otel-collector']);
});
