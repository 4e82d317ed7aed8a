/** The fast renderer gives exactly what cdk8s renders, and falls back where it cannot. */
import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, Chart, IResolver, JsonPatch, Lazy, ResolutionContext } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { DestinationRule, VirtualService } from '../../imports/istio-networking.istio.io';
import { Telemetry } from '../../imports/istio-telemetry.istio.io';
import { generatedSpec } from '../../tools/generated-spec';
import { ADJUSTS_RENDERED_JSON, renderPodTemplate, withFastApiObjectJson } from '../../src/render/api-object-json';
import { loadPlatform } from '../../src/spec/load';
import { composeEnvironment, renderCharts } from '../../src/synth';
import { REFERENCE_FILE, referenceText } from '../helpers';
import { withEnvironmentVariables } from '../support/environment-variables';
import { testChart } from '../support/test-chart';
import { tempDir } from '../support/temp-dirs';

/** Every object of every environment as cdk8s renders it and as the synth renders it. */
function bothRenderings(text: string, file: string): Array<{ path: string; cdk8s: string; fast: string }> {
  return loadPlatform(text, file).environments.flatMap((spec) => {
    const platform = composeEnvironment(spec);
    const fast = renderCharts(platform, platform.charts).flatMap((c) => c.objects.map((o, i) => ({ path: c.paths[i], fast: JSON.stringify(o) })));
    const byPath = new Map((platform.node.scope as App).node.findAll().filter((c): c is ApiObject => c instanceof ApiObject).map((o) => [o.node.path, JSON.stringify(o.toJson())]));
    return fast.map((f) => ({ ...f, cdk8s: byPath.get(f.path)! }));
  });
}

function render(chart: Chart): unknown[] {
  const app = chart.node.scope as App;
  return withFastApiObjectJson(app, (renderObject) => chart.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject).map(renderObject));
}

describe('equivalence with cdk8s', () => {
  test('every object of every reference environment renders byte for byte as cdk8s renders it', () => {
    // GIVEN the reference platform WHEN each object is rendered both ways THEN the JSON texts (key order included) are equal
    const all = bothRenderings(referenceText(), REFERENCE_FILE);
    expect(all.length).toBeGreaterThan(300);
    for (const o of all) expect({ path: o.path, json: o.fast }).toEqual({ path: o.path, json: o.cdk8s });
  });

  test('so does a generated platform with every strategy, store and event shape', () => {
    // GIVEN the benchmark's generator at 24 services (blue-green, canary, databases, caches, events)
    const dir = tempDir('render-eq-');
    fs.writeFileSync(path.join(dir, 'bench.sql'), 'CREATE TABLE IF NOT EXISTS items (id UUID PRIMARY KEY);\n');
    const all = bothRenderings(generatedSpec(24), path.join(dir, 'platform.yaml'));
    // THEN every object matches
    expect(all.length).toBeGreaterThan(300);
    for (const o of all) expect({ path: o.path, json: o.fast }).toEqual({ path: o.path, json: o.cdk8s });
  });
});

/** Keys sorted at every depth (lists keep their order). */
function sortedDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedDeep);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortedDeep((value as Record<string, unknown>)[k])]));
}

describe('Kubernetes values inside custom resources', () => {
  test('every service\'s pod template renders as the generated Kubernetes mapper renders it (Rollouts embed it)', () => {
    // GIVEN every service of every reference environment
    for (const spec of loadPlatform(referenceText(), REFERENCE_FILE).environments) {
      for (const [name, { workload }] of composeEnvironment(spec).services) {
        // WHEN its pod template is rendered directly THEN it equals the mapper's output with sorted keys
        const direct = renderPodTemplate(workload.podTemplate, () => { throw new Error('fell back'); });
        expect({ name, json: JSON.stringify(direct) }).toEqual({ name, json: JSON.stringify(sortedDeep(k8s.toJson_PodTemplateSpec(workload.podTemplate))) });
      }
    }
  });
});

describe('Kubernetes fields and values', () => {
  test('fields whose JSON name differs from the TypeScript name are renamed (clusterIp is clusterIP)', () => {
    // GIVEN a headless Service WHEN rendered THEN the field is clusterIP, as in the API
    const chart = testChart();
    new k8s.KubeService(chart, 'svc', { metadata: { name: 'db' }, spec: { clusterIp: 'None', ports: [{ port: 5432 }] } });
    const [svc] = render(chart) as Array<{ spec: Record<string, unknown> }>;
    expect(svc.spec).toEqual({ clusterIP: 'None', ports: [{ port: 5432 }] });
  });

  test('keys of maps are data and keep their spelling, even when they look like a renamed field', () => {
    // GIVEN labels and ConfigMap keys named like TypeScript field names
    const chart = testChart();
    new k8s.KubeConfigMap(chart, 'cm', { metadata: { name: 'cm', labels: { clusterIp: 'x' } }, data: { hostIp: 'y' } });
    // WHEN rendered THEN they are unchanged
    const [cm] = render(chart) as Array<{ metadata: { labels: Record<string, string> }; data: Record<string, string> }>;
    expect(cm.metadata.labels).toEqual({ clusterIp: 'x' });
    expect(cm.data).toEqual({ hostIp: 'y' });
  });

  test('int-or-string and quantities render as their value', () => {
    const chart = testChart();
    new k8s.KubeService(chart, 'svc', { spec: { ports: [{ port: 80, targetPort: k8s.IntOrString.fromString('http') }] } });
    new k8s.KubePodDisruptionBudget(chart, 'pdb', { spec: { maxUnavailable: k8s.IntOrString.fromNumber(1) } });
    const [svc, pdb] = render(chart) as Array<{ spec: Record<string, unknown> }>;
    expect(svc.spec.ports).toEqual([{ port: 80, targetPort: 'http' }]);
    expect(pdb.spec.maxUnavailable).toBe(1);
  });

  test('keys are sorted and null or undefined fields are dropped, as cdk8s does', () => {
    const chart = testChart();
    new k8s.KubeServiceAccount(chart, 'sa', { metadata: { name: 'sa' }, automountServiceAccountToken: undefined, imagePullSecrets: [{ name: 'b' }] });
    const [sa] = render(chart) as Array<Record<string, unknown>>;
    expect(Object.keys(sa)).toEqual(['apiVersion', 'kind', 'metadata', 'imagePullSecrets']);
  });

  test('lazy values are produced', () => {
    const chart = testChart();
    new k8s.KubeConfigMap(chart, 'cm', { data: Lazy.any({ produce: () => ({ b: '2', a: '1' }) }) as unknown as Record<string, string> });
    const [cm] = render(chart) as Array<{ data: Record<string, string> }>;
    expect(JSON.stringify(cm.data)).toBe('{"a":"1","b":"2"}');
  });

  test('JSON patches still apply (the object takes cdk8s\'s own path)', () => {
    const chart = testChart();
    const sa = new k8s.KubeServiceAccount(chart, 'sa', { metadata: { name: 'sa' } });
    sa.addJsonPatch(JsonPatch.add('/automountServiceAccountToken', false));
    expect(render(chart)).toEqual([sa.toJson()]);
    expect((render(chart)[0] as Record<string, unknown>).automountServiceAccountToken).toBe(false);
  });

  test('Istio fields whose JSON name differs are renamed (consecutive5XxErrors is consecutive5xxErrors)', () => {
    const chart = testChart();
    const dr = new DestinationRule(chart, 'dr', {
      metadata: { name: 'dr' },
      spec: { host: 'a.b.svc.cluster.local', trafficPolicy: { outlierDetection: { consecutive5XxErrors: 5 } } },
    });
    const [json] = render(chart) as Array<{ spec: { trafficPolicy: { outlierDetection: Record<string, unknown> } } }>;
    expect(json.spec.trafficPolicy.outlierDetection).toEqual({ consecutive5xxErrors: 5 });
    expect(render(chart)).toEqual([dr.toJson()]);
  });

  test('kinds outside the direct list render through their generated mapper, with the one-pass resolver below it', () => {
    const chart = testChart();
    const t = new Telemetry(chart, 't', { metadata: { name: 't' }, spec: { accessLogging: [{ providers: [{ name: 'envoy' }] }] } });
    expect(JSON.stringify(render(chart)[0])).toBe(JSON.stringify(t.toJson()));
  });

  test('a value cdk8s cannot render fails with the construct path', () => {
    const chart = testChart();
    new k8s.KubeConfigMap(chart, 'cm', { metadata: { name: 'cm' }, data: { when: new Date(0) as unknown as string } });
    expect(() => render(chart)).toThrow(/Failed serializing construct at path 'test\/cm' .*can't render non-simple object of type 'Date'/);
  });
});

describe('exactly what the generated mapper does', () => {
  /** Renders the chart's objects both ways and returns the pairs of JSON texts. */
  function both(chart: Chart): Array<[string, string]> {
    const fast = render(chart).map((o) => JSON.stringify(o));
    const objects = chart.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject);
    return objects.map((o, i) => [fast[i], JSON.stringify(o.toJson())]);
  }

  test('with CDK8S_DISABLE_SORT, fields still come in the mapper\'s order and maps in the written order', () => {
    // GIVEN sorting disabled, and props written out of order
    process.env.CDK8S_DISABLE_SORT = '1';
    try {
      const chart = testChart();
      new k8s.KubeService(chart, 'svc', { metadata: { name: 's' }, spec: { type: 'ClusterIP', selector: { b: '1', a: '2' }, ports: [{ port: 80 }] } });
      new DestinationRule(chart, 'dr', { metadata: { name: 'dr' }, spec: { trafficPolicy: { tls: { mode: undefined }, connectionPool: { tcp: { maxConnections: 1 } } }, host: 'h' } });
      // WHEN rendered THEN the texts equal cdk8s's
      for (const [fast, cdk8s] of both(chart)) expect(fast).toBe(cdk8s);
    } finally {
      delete process.env.CDK8S_DISABLE_SORT;
    }
  });

  test('free-form fields keep their keys (managedFields fieldsV1 is not renamed)', () => {
    const chart = testChart();
    new k8s.KubeConfigMap(chart, 'cm', { metadata: { name: 'cm', managedFields: [{ manager: 'x', fieldsV1: { hostIp: 1, ref: 'a' } }] } });
    const [[fast, cdk8s]] = both(chart);
    expect(fast).toBe(cdk8s);
    expect(fast).toContain('"fieldsV1":{"hostIp":1,"ref":"a"}');
  });

  test('metadata the mapper does not know is dropped, as cdk8s drops it', () => {
    const chart = testChart();
    const cm = new k8s.KubeConfigMap(chart, 'cm', { metadata: { name: 'cm' } });
    cm.metadata.add('foo', 'bar');
    const [[fast, cdk8s]] = both(chart);
    expect(fast).toBe(cdk8s);
    expect(fast).not.toContain('foo');
  });

  test('a field outside the schema (reachable without a cast) is dropped, as cdk8s drops it', () => {
    const chart = testChart();
    const port = { port: 80, extra: 1 };
    new k8s.KubeService(chart, 'svc', { spec: { ports: [port] } });
    const [[fast, cdk8s]] = both(chart);
    expect(fast).toBe(cdk8s);
    expect(fast).not.toContain('extra');
  });

  test('a Lazy is produced once, also when the object takes cdk8s\'s path', () => {
    // GIVEN a producer that counts its calls, in a direct kind
    let calls = 0;
    const chart = testChart();
    new VirtualService(chart, 'vs', {
      metadata: { name: 'vs' },
      spec: { hosts: Lazy.any({ produce: () => { calls++; return ['a']; } }) as unknown as string[] },
    });
    // WHEN rendered once THEN it ran once and the output is cdk8s's
    const [json] = render(chart) as Array<{ spec: { hosts: string[] } }>;
    expect(calls).toBe(1);
    expect(json.spec.hosts).toEqual(['a']);
  });

  test('fields are written in the mapper\'s order, also where that is not sorted (mirror_percent)', () => {
    const chart = testChart();
    new VirtualService(chart, 'vs', {
      metadata: { name: 'vs' },
      spec: { hosts: ['a'], http: [{ mirrorPercent: 5, mirrorPercentage: { value: 5 }, route: [{ destination: { host: 'a' } }] }] },
    });
    const [[fast, cdk8s]] = both(chart);
    expect(fast).toBe(cdk8s);
    expect(fast.indexOf('mirror_percent')).toBeLessThan(fast.indexOf('mirrorPercentage'));
  });

  test('the class\'s apiVersion and kind win over ones in the props, as in the generated toJson', () => {
    // GIVEN props built from a manifest that names another version
    const chart = testChart();
    const manifest = { apiVersion: 'networking.istio.io/v1beta1', kind: 'VirtualService', metadata: { name: 'vs' }, spec: { hosts: ['a'] } };
    new VirtualService(chart, 'vs', manifest as unknown as ConstructorParameters<typeof VirtualService>[2]);
    // WHEN rendered THEN the class's GVK is written
    const [[fast, cdk8s]] = both(chart);
    expect(fast).toBe(cdk8s);
    expect(fast).toContain('"apiVersion":"networking.istio.io/v1"');
  });

  test('a metadata producer that fails is reported with the construct path and not run again', () => {
    // GIVEN an annotation whose producer fails on its first call only
    let calls = 0;
    const chart = testChart();
    new k8s.KubeConfigMap(chart, 'cm', {
      metadata: { name: 'cm', annotations: { a: Lazy.any({ produce: () => { if (calls++ === 0) throw new Error('first call fails'); return 'ok'; } }) as unknown as string } },
    });
    // WHEN rendered THEN it fails as cdk8s fails, after one call
    expect(() => render(chart)).toThrow("Failed serializing construct at path 'test/cm' with name 'cm': Error: first call fails");
    expect(calls).toBe(1);
  });
});

describe('scope', () => {
  test('an App with its own resolvers keeps cdk8s\'s path, so its resolver runs', () => {
    // GIVEN a resolver that upper-cases one value
    class Upper implements IResolver {
      public resolve(context: ResolutionContext): void {
        if (context.value === 'shout') context.replaceValue('SHOUT');
      }
    }
    const app = new App({ resolvers: [new Upper()] });
    const chart = new Chart(app, 'c');
    new k8s.KubeConfigMap(chart, 'cm', { metadata: { name: 'cm' }, data: { a: 'shout' } });
    // WHEN rendered THEN the resolver ran
    expect((render(chart)[0] as { data: Record<string, string> }).data).toEqual({ a: 'SHOUT' });
  });

  test('ApiObject.prototype.toJson is restored afterwards, also when rendering throws', () => {
    const original = ApiObject.prototype.toJson;
    const chart = testChart();
    expect(() => withFastApiObjectJson(chart.node.scope as App, () => {
      expect(ApiObject.prototype.toJson).not.toBe(original);
      throw new Error('boom');
    })).toThrow('boom');
    expect(ApiObject.prototype.toJson).toBe(original);
  });
});

describe('the fast path is taken', () => {
  test('objects of the direct kinds never go through their generated toJson', () => {
    // GIVEN spies on the generated toJson of the kinds the reference platform renders most
    // (the data stores' StatefulSets are a subclass that adjusts the rendered claim templates)
    const spies = [k8s.KubeService, k8s.KubeDeployment, k8s.KubeNetworkPolicy, k8s.KubeStatefulSet, VirtualService, DestinationRule]
      .map((c) => jest.spyOn(c.prototype, 'toJson'));
    try {
      // WHEN the reference environments are rendered
      for (const spec of loadPlatform(referenceText(), REFERENCE_FILE).environments) {
        const platform = composeEnvironment(spec);
        renderCharts(platform, platform.charts);
      }
      // THEN none was called
      for (const spy of spies) expect(spy).not.toHaveBeenCalled();
    } finally {
      spies.forEach((s) => s.mockRestore());
    }
  });
});

describe('subclasses of generated classes', () => {
  /** A ConfigMap subclass that adds a label in toJson, with the adjustment declared or not. */
  const adjust = (json: Record<string, unknown>) => ({ ...json, metadata: { ...(json.metadata as object), labels: { adjusted: 'yes' } } });
  class Declared extends k8s.KubeConfigMap {
    public static readonly [ADJUSTS_RENDERED_JSON] = adjust;
    public override toJson(): Record<string, unknown> { return adjust(super.toJson()); }
  }
  class Undeclared extends k8s.KubeConfigMap {
    public override toJson(): Record<string, unknown> { return adjust(super.toJson()); }
  }
  class FurtherOverride extends Declared {
    public override toJson(): Record<string, unknown> { return { ...super.toJson(), data: { further: 'yes' } }; }
  }

  test('one that declares its adjustment (ADJUSTS_RENDERED_JSON) skips the generated mapper; one that does not, or overrides toJson again, takes its own toJson', () => {
    // GIVEN one object of each class in a chart
    const chart = testChart();
    new Declared(chart, 'declared', { data: { a: '1' } });
    new Undeclared(chart, 'undeclared', { data: { a: '1' } });
    new FurtherOverride(chart, 'further', { data: { a: '1' } });
    const mapper = jest.spyOn(k8s.KubeConfigMap.prototype, 'toJson');
    let rendered: unknown[];
    let mapperCalls: number;
    try {
      // WHEN the chart is rendered
      rendered = render(chart);
      mapperCalls = mapper.mock.calls.length;
    } finally {
      mapper.mockRestore();
    }
    // THEN each renders what its toJson gives, the adjustment included
    expect(rendered).toEqual(chart.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject).map((o) => o.toJson()));
    expect((rendered[0] as { metadata: { labels: object } }).metadata.labels).toEqual({ adjusted: 'yes' });
    expect((rendered[2] as { data: object }).data).toEqual({ further: 'yes' });
    // AND only the two without a declaration of their own went through the generated mapper
    expect(mapperCalls).toBe(2);
  });
});

describe('the switch', () => {
  test('PLATFORM_DIRECT_RENDER=off renders every object on cdk8s\'s own path, with the same output', () => {
    // GIVEN the fixture platform rendered with the direct renderer on
    const render = () => composeAndRender(referenceText(), REFERENCE_FILE);
    const on = render();
    // WHEN it is rendered with the switch off, the direct pass never runs
    const pass = jest.spyOn(ApiObject.prototype, 'toJson');
    let off: string[];
    let calls: number;
    try {
      off = withEnvironmentVariables({ PLATFORM_DIRECT_RENDER: 'off' }, render);
      calls = pass.mock.calls.length;
    } finally {
      pass.mockRestore();
    }
    // THEN every object went through cdk8s's toJson, and the output is byte-identical
    expect(calls).toBeGreaterThanOrEqual(on.length);
    expect(off).toEqual(on);
  });
});

/** Every object of every environment, as the synth renders it, as JSON text. */
function composeAndRender(text: string, file: string): string[] {
  return loadPlatform(text, file).environments.flatMap((spec) => {
    const platform = composeEnvironment(spec);
    return renderCharts(platform, platform.charts).flatMap((c) => c.objects.map((o) => JSON.stringify(o)));
  });
}
