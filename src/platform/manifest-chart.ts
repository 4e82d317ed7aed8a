/**
 * The charts of one environment, and what the spec -> props mapping of each concern
 * (data-tier.ts, mesh.ts, delivery.ts, observability.ts) reads from it. PlatformEnvironment
 * (environment.ts) builds them and calls those mappings, which therefore take this interface
 * rather than PlatformEnvironment itself: no import cycle between environment.ts and them.
 */
import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { ServiceSpec, EnvironmentSpec } from '../spec/schema';
import { MicroService } from '../workload/microservice';

/** Props of a ManifestChart. */
export interface ManifestChartProps {
  /** File name in dist/<env>/, e.g. "30-user-service.yaml". */
  readonly fileName: string;
  /**
   * Namespace of the chart's namespaced objects.
   * @default - none (cluster-scoped objects, or objects that set their own)
   */
  readonly namespace?: string;
  /**
   * Labels on every object of the chart.
   * @default - none
   */
  readonly labels?: Readonly<Record<string, string>>;
}

/** A chart that knows the file it is written to. */
export class ManifestChart extends Chart {
  /** File name in dist/<env>/, e.g. "30-user-service.yaml". */
  public readonly fileName: string;

  constructor(scope: Construct, id: string, props: ManifestChartProps) {
    super(scope, id, { namespace: props.namespace, disableResourceNameHashes: true, labels: props.labels ? { ...props.labels } : undefined });
    this.fileName = props.fileName;
  }
}

/** One service's chart and constructs. */
export interface ServiceStack {
  /** The chart of the service's file, 30-<name>.yaml. */
  readonly chart: ManifestChart;
  /** The service's workload construct. */
  readonly workload: MicroService;
  /** The merged spec the workload was built from. */
  readonly spec: ServiceSpec;
}

/**
 * One environment's spec, charts and service stacks, as each concern's mapping reads them and
 * adds its constructs to them. PlatformEnvironment is one.
 */
export interface EnvironmentCharts {
  /** The merged spec of the environment. */
  readonly spec: EnvironmentSpec;
  /** Shared platform objects: gateway, telemetry, mesh-wide policy. */
  readonly platformChart: ManifestChart;
  /** Data stores. */
  readonly dataChart: ManifestChart;
  /** Per-service stacks, in spec order. */
  readonly services: ReadonlyMap<string, ServiceStack>;
}
