/**
 * One environment's charts, composed from the spec. Each chart becomes one numbered file in
 * dist/<env>/, so `kubectl apply -f dist/<env>/` creates things in a working order.
 */
import { App } from 'cdk8s';
import { Construct } from 'constructs';
import { addDataTier } from './data-tier';
import { addDelivery } from './delivery';
import { addMesh } from './mesh';
import { TRUST_DOMAIN_CONTEXT } from '../mesh/names';
import { EnvironmentCharts, ManifestChart, ServiceStack } from './manifest-chart';
import { addObservability } from './observability';
import { microServiceProps, otlpEndpoint } from './service-props';
import { EnvironmentSpec } from '../spec/schema';
import { environmentLabels } from '../workload/labels';
import { MicroService } from '../workload/microservice';
import { PlatformNamespace } from '../workload/namespace';

/** Props of a PlatformEnvironment. */
export interface PlatformEnvironmentProps {
  /** The merged spec of the environment (an entry of `loadPlatform(...).environments`). */
  readonly spec: EnvironmentSpec;
}

/**
 * One environment, composed: its charts (one per file of dist/<env>/) are its own children, so
 * it can live anywhere under a cdk8s App, beside other environments or your own charts.
 */
export class PlatformEnvironment extends Construct implements EnvironmentCharts {
  /** The merged spec of this environment. */
  public readonly spec: EnvironmentSpec;
  /** The App the environment belongs to (charts render with its resolvers). */
  public get app(): App {
    return this.node.root as App;
  }
  /** Charts in apply order. */
  public readonly charts: ManifestChart[] = [];
  /** The namespace chart (cluster-scoped objects). */
  public readonly namespaceChart: ManifestChart;
  /** Shared platform objects: gateway, telemetry, mesh-wide policy. */
  public readonly platformChart: ManifestChart;
  /** Data stores. */
  public readonly dataChart: ManifestChart;
  /** Per-service stacks, in spec order. */
  public readonly services = new Map<string, ServiceStack>();

  constructor(scope: Construct, id: string, props: PlatformEnvironmentProps) {
    super(scope, id);
    if (!(this.node.root instanceof App)) throw new Error(`PlatformEnvironment ${this.node.path}: its root must be a cdk8s App (charts render with the App's resolvers)`);
    const env = props.spec;
    this.spec = env;
    const ns = env.namespace;
    this.namespaceChart = this.addChart('namespace', '00-namespace.yaml');
    this.platformChart = this.addChart('platform', '10-platform.yaml', ns);
    this.dataChart = this.addChart('data', '20-data.yaml', ns);

    new PlatformNamespace(this.namespaceChart, 'Namespace', { name: ns, labels: { 'app.kubernetes.io/part-of': env.platform.name } });

    for (const [name, spec] of Object.entries(env.services)) {
      const chart = this.addChart(`service-${name}`, `30-${name}.yaml`, ns);
      const workload = new MicroService(chart, name, microServiceProps(name, spec, env));
      this.services.set(name, { chart, workload, spec });
    }
    // Each concern composes its constructs from here, one call each, in this order:
    // data tier, mesh and gateway, progressive delivery, observability.
    addDataTier(this);
    addMesh(this);
    addDelivery(this);
    addObservability(this);
  }

  private addChart(id: string, fileName: string, namespace?: string): ManifestChart {
    // Every object of the chart, custom ones included, carries the environment's labels.
    const chart = new ManifestChart(this, id, {
      fileName, namespace, labels: environmentLabels(this.spec.platform.name, this.spec.name),
    });
    // Constructs that name workload identities read the trust domain from here (trustDomainOf).
    chart.node.setContext(TRUST_DOMAIN_CONTEXT, this.spec.platform.trustDomain);
    this.charts.push(chart);
    return chart;
  }
}

export { otlpEndpoint };
export { ManifestChart, type ManifestChartProps, type ServiceStack } from './manifest-chart';
