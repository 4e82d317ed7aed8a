/**
 * Blue-green delivery: the new version starts beside the old one behind the preview Service,
 * is analysed there, and replaces it at once when promoted. The main Service is the active one.
 */
import { k8s } from 'cdk8s-plus-27';
import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { ServiceTraffic } from '../mesh/traffic';
import { MicroService } from '../workload/microservice';
import { analysisArgs, repeatedTemplatesProblem } from './analysis-args';
import { companionService } from './companion-service';
import { previewServiceName } from './names';
import { WorkloadRollout } from './rollout';
import { AnalysisTemplateName } from './templates';

/** Props of a BlueGreenDelivery: the workload, promotion and pre-promotion analysis. */
export interface BlueGreenDeliveryProps {
  /** The service; built with workloadKind "Rollout". */
  readonly workload: MicroService;
  /**
   * Promote as soon as the preview is ready and analysed, without a human.
   * @default false
   */
  readonly autoPromotionEnabled?: boolean;
  /**
   * Seconds the old version keeps running after promotion, so in-flight requests finish and a
   * quick rollback needs no scale-up.
   * @default 30
   */
  readonly scaleDownDelaySeconds?: number;
  /**
   * AnalysisTemplates run against the preview before promotion.
   * @default ["success-rate"]
   */
  readonly prePromotionAnalysis?: readonly AnalysisTemplateName[];
}

/** A blue-green Rollout, its preview Service and its pre-promotion analysis. */
export class BlueGreenDelivery extends Construct {
  /** The Rollout. */
  public readonly rollout: WorkloadRollout;
  /** The preview Service (the new version before promotion). */
  public readonly previewService: k8s.KubeService;

  constructor(scope: Construct, id: string, props: BlueGreenDeliveryProps) {
    super(scope, id);
    const { workload } = props;
    const preview = previewServiceName(workload.serviceName);
    const templates = props.prePromotionAnalysis ?? ['success-rate'];
    const scaleDownDelaySeconds = props.scaleDownDelaySeconds ?? 30;
    const problems: string[] = [];
    if (!Number.isInteger(scaleDownDelaySeconds) || scaleDownDelaySeconds < 0) problems.push(`scaleDownDelaySeconds ${scaleDownDelaySeconds} must be a whole number of seconds, 0 or more`);
    const repeated = repeatedTemplatesProblem(templates);
    if (repeated) problems.push(repeated);
    if (problems.length) throw new Error(`BlueGreenDelivery ${workload.serviceName}: ${problems.join('; ')}`);
    this.previewService = companionService(this, 'PreviewService', workload, preview);

    this.rollout = new WorkloadRollout(this, 'Rollout', {
      workload,
      strategy: {
        blueGreen: {
          activeService: workload.service.name,
          previewService: preview,
          autoPromotionEnabled: props.autoPromotionEnabled ?? false,
          scaleDownDelaySeconds,
          // After an abort the preview pods go away after 30s (Argo's default, stated here).
          abortScaleDownDelaySeconds: 30,
          prePromotionAnalysis: templates.length
            ? { templates: templates.map((templateName) => ({ templateName })), args: analysisArgs(templates, preview) }
            : undefined,
        },
      },
    });
    // Argo points the active Service at the promoted version; a mesh route that sends requests
    // to other Services (a canary's stable/canary split) would reach Services nobody creates.
    this.node.addValidation({ validate: () => activeRouteProblems(this, workload.serviceName) });
  }
}

function activeRouteProblems(delivery: BlueGreenDelivery, service: string): string[] {
  const namespace = Chart.of(delivery).namespace;
  return ServiceTraffic.forService(delivery, service)
    .filter((t) => namespace === undefined || t.namespace === namespace)
    .filter((t) => t.shape.primary.some((d) => d.service !== service))
    .map((t) => `the mesh routes ${service} to ${t.shape.primary.map((d) => d.service).join(', ')}, but blue-green serves it through the active Service ${service}: `
      + `build its ServiceTraffic (${t.node.path}) with routing { strategy: 'blueGreen' }`);
}
