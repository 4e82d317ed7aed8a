/**
 * The `success-rate` AnalysisTemplate: the share of non-5xx responses the new version served,
 * from Istio's request metrics in Prometheus. One per namespace; Rollouts pass the Service to
 * measure as `service-name`.
 */
import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import {
  AnalysisTemplate,
  AnalysisTemplateSpecMetricsCount,
  AnalysisTemplateSpecMetricsFailureLimit,
  AnalysisTemplateSpecMetricsInconclusiveLimit,
} from '../../imports/argo-argoproj.io';
import { DURATION, durationSeconds, formatSeconds } from './duration';
import { namespaceOf } from '../mesh/names';
import { TreeIndex } from '../tree-index';

/** Name of the template, as Rollouts and the spec reference it. */
export const SUCCESS_RATE_TEMPLATE = 'success-rate';

/** Shortest rate() window: Prometheus needs at least two scrapes (scrape intervals are 15-30s). */
const MIN_WINDOW_SECONDS = 60;

/** Prometheus as the kube-prometheus-stack and most installs name it. */
export const DEFAULT_PROMETHEUS_ADDRESS = 'http://prometheus.monitoring.svc.cluster.local:9090';

/** Props of a SuccessRateAnalysisTemplate: the Prometheus address and the success criteria. */
export interface SuccessRateAnalysisTemplateProps {
  /**
   * Namespace of the measured Services; the query only counts requests to it.
   * @default - the namespace of the chart
   */
  readonly namespace?: string;
  /**
   * Prometheus base URL (http:// or https://).
   * @default "http://prometheus.monitoring.svc.cluster.local:9090"
   */
  readonly prometheusAddress?: string;
  /**
   * Least acceptable share of non-5xx responses, 0 to 1.
   * @default 0.95
   */
  readonly successRate?: number;
  /**
   * Time between measurements, e.g. 1m (ms, s, m or h); also the rate() window (at least 1m).
   * @default "1m"
   */
  readonly interval?: string;
  /**
   * Failed measurements tolerated; one more fails the run and aborts the rollout. As many
   * measurements without traffic are tolerated; one more makes the run Inconclusive, which pauses
   * the rollout until a human promotes or aborts it. Lower than `count`.
   * @default 2
   */
  readonly failureLimit?: number;
  /**
   * Measurements per run; a run lasts count × interval.
   * @default 5
   */
  readonly count?: number;
  /** Labels of the template. @default {} */
  readonly labels?: Readonly<Record<string, string>>;
}

/** The templates of each tree by namespace, for the canaries that run them (CanaryDelivery's validation). */
const TEMPLATES = new TreeIndex<SuccessRateAnalysisTemplate>();

/** The success-rate AnalysisTemplate. */
export class SuccessRateAnalysisTemplate extends Construct {
  /** The success-rate templates in the construct tree of `scope` whose object is in the given namespace (their chart's), in the order built. */
  public static inNamespace(scope: Construct, namespace: string): readonly SuccessRateAnalysisTemplate[] {
    return TEMPLATES.find(scope, namespace);
  }

  /** The AnalysisTemplate object. */
  public readonly template: AnalysisTemplate;
  /** Namespace of the Services it measures (the object itself is in its chart's namespace). */
  public readonly namespace: string;
  /** Time between measurements, as given (e.g. "1m"). */
  public readonly interval: string;
  /** Measurements per run. */
  public readonly count: number;
  /** Failed measurements tolerated; one more fails the run. */
  public readonly failureLimit: number;

  constructor(scope: Construct, id: string, props: SuccessRateAnalysisTemplateProps = {}) {
    super(scope, id);
    const namespace = namespaceOf(this, props.namespace, 'SuccessRateAnalysisTemplate');
    const prometheusAddress = props.prometheusAddress ?? DEFAULT_PROMETHEUS_ADDRESS;
    const successRate = props.successRate ?? 0.95;
    const interval = props.interval ?? '1m';
    const failureLimit = props.failureLimit ?? 2;
    const count = props.count ?? 5;
    const problems: string[] = [];
    if (!(successRate >= 0 && successRate <= 1)) problems.push(`successRate must be from 0 to 1, got ${successRate}`);
    if (!/^https?:\/\/[^\s/]+\S*$/.test(prometheusAddress)) problems.push(`prometheusAddress "${prometheusAddress}" is not a Prometheus URL; use http:// or https:// and a host`);
    if (!DURATION.test(interval)) problems.push(`interval "${interval}" is not a duration such as 30s, 1m or 1h`);
    if (!Number.isInteger(count) || count < 1) problems.push(`count ${count} must be a whole number, at least 1`);
    if (!Number.isInteger(failureLimit) || failureLimit < 0) problems.push(`failureLimit ${failureLimit} must be a whole number, 0 or more`);
    else if (failureLimit >= count) problems.push(`failureLimit (${failureLimit}) must be lower than count (${count}), or the analysis can never fail`);
    if (problems.length) throw new Error(`SuccessRateAnalysisTemplate: ${problems.join('; ')}`);
    const window = formatSeconds(Math.max(durationSeconds(interval), MIN_WINDOW_SECONDS));
    this.namespace = namespace;
    this.interval = interval;
    this.count = count;
    this.failureLimit = failureLimit;
    // By the namespace the object lands in (its chart's: it names none), which is where the
    // Rollouts that reference it by name find it; `namespace` is the one it measures.
    const home = Chart.of(this).namespace;
    if (home !== undefined) TEMPLATES.add(this, home);

    this.template = new AnalysisTemplate(this, 'Resource', {
      metadata: { name: SUCCESS_RATE_TEMPLATE, labels: { ...(props.labels ?? {}) } },
      spec: {
        args: [{ name: 'service-name' }],
        metrics: [{
          name: SUCCESS_RATE_TEMPLATE,
          interval,
          count: AnalysisTemplateSpecMetricsCount.fromNumber(count),
          failureLimit: AnalysisTemplateSpecMetricsFailureLimit.fromNumber(failureLimit),
          // The first measurement waits one interval after the analysis starts, so it sees the
          // requests of a canary's first weight or of a preview's first tests, not none yet.
          initialDelay: interval,
          // No traffic in the window gives an empty result (see successRateQuery): neither
          // condition holds, so the measurement is Inconclusive, never a success.
          successCondition: `len(result) > 0 && result[0] >= ${successRate}`,
          failureCondition: `len(result) > 0 && result[0] < ${successRate}`,
          inconclusiveLimit: AnalysisTemplateSpecMetricsInconclusiveLimit.fromNumber(failureLimit),
          provider: { prometheus: { address: prometheusAddress, query: successRateQuery(namespace, window) } },
        }],
      },
    });
  }
}

/**
 * PromQL for the success rate of Service `{{args.service-name}}` in a namespace.
 *
 * - reporter="source": the calling proxy (sidecar or ingress gateway) knows which Service it
 *   routed to, because the VirtualService sends the request to the canary or preview host. The
 *   receiving proxy does not: a pod selected by several Services (the main one and the canary
 *   one) reports whichever was created first (istio/istio#33940), so reporter="destination"
 *   would miss the canary's traffic. The source side also sees 503s of pods that never answer.
 * - destination_service_name is the short Service name, so the namespace label keeps
 *   environments that share one Prometheus apart.
 * - `or vector(0)` on the numerator: when every request failed there is no non-5xx series at
 *   all, which must count as 0%, not as "no data".
 * - `> 0` on the denominator: no traffic in the window (no series, or a zero rate that would
 *   divide 0 by 0 into NaN) gives an empty result, which the template's conditions turn into an
 *   Inconclusive measurement. No requests is no evidence: a version nobody called neither passes
 *   nor fails, the rollout pauses and a human decides (docs/delivery-analysis.md).
 */
export function successRateQuery(namespace: string, window: string): string {
  const selector = `reporter="source",destination_service_namespace="${namespace}",destination_service_name="{{args.service-name}}"`;
  return [
    '(',
    `  (sum(rate(istio_requests_total{${selector},response_code!~"5.*"}[${window}])) or vector(0))`,
    '  /',
    `  (sum(rate(istio_requests_total{${selector}}[${window}])) > 0)`,
    ')',
  ].join('\n');
}
