/**
 * Canary delivery with Istio: the new version gets a growing share of the requests that the
 * service's VirtualService (made by the mesh) routes through its `primary` route, while the
 * success-rate analysis watches it in the background.
 */
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import {
  RolloutSpecStrategyCanaryMaxSurge,
  RolloutSpecStrategyCanaryMaxUnavailable,
  RolloutSpecStrategyCanarySteps,
  RolloutSpecStrategyCanaryTrafficRoutingIstio,
  RolloutSpecStrategyCanaryStepsPauseDuration,
} from '../../imports/argo-argoproj.io';
import { CanaryStep } from '../spec/schema';
import { MicroService } from '../workload/microservice';
import { analysisArgs } from './analysis-args';
import { firstStepAfterTraffic } from './canary-steps';
import { companionService } from './companion-service';
import { canaryServiceName, PRIMARY_ROUTE, stableServiceName } from './names';
import { WorkloadRollout } from './rollout';
import { AnalysisTemplateName } from './templates';

/** Props of a CanaryDelivery: the workload, the steps, the analysis and the gateway routes that shift with it. */
export interface CanaryDeliveryProps {
  /** The service; built with workloadKind "Rollout". */
  readonly workload: MicroService;
  /** setWeight and pause steps, in order. */
  readonly steps: readonly CanaryStep[];
  /**
   * AnalysisTemplates run in the background against the canary Service.
   * @default ["success-rate"]
   */
  readonly analysis?: readonly AnalysisTemplateName[];
  /**
   * The VirtualService whose `primary` route Argo reweights.
   * @default the service name
   */
  readonly virtualService?: string;
  /**
   * The API gateway's VirtualService and the names of its routes that lead to this service.
   * Argo reweights them together with `primary`, so external traffic follows the canary weight.
   * @default no gateway routes
   */
  readonly gatewayRoutes?: { readonly virtualService: string; readonly routes: readonly string[] };
}

/** A canary Rollout, its canary and stable Services and its background analysis. */
export class CanaryDelivery extends Construct {
  /** The Rollout. */
  public readonly rollout: WorkloadRollout;
  /** The canary Service: the new ReplicaSet during a rollout, the stable one otherwise. */
  public readonly canaryService: k8s.KubeService;
  /** The stable Service: the current ReplicaSet. */
  public readonly stableService: k8s.KubeService;

  constructor(scope: Construct, id: string, props: CanaryDeliveryProps) {
    super(scope, id);
    const { workload } = props;
    if (props.steps.length === 0) throw new Error(`${workload.serviceName}: a canary needs at least one step`);
    const canary = canaryServiceName(workload.serviceName);
    const stable = stableServiceName(workload.serviceName);
    const templates = props.analysis ?? ['success-rate'];
    this.canaryService = companionService(this, 'CanaryService', workload, canary);
    this.stableService = companionService(this, 'StableService', workload, stable);

    this.rollout = new WorkloadRollout(this, 'Rollout', {
      workload,
      strategy: {
        canary: {
          canaryService: canary,
          stableService: stable,
          trafficRouting: { istio: istioRouting(props.virtualService ?? workload.serviceName, props.gatewayRoutes) },
          steps: props.steps.map(toArgoStep),
          analysis: templates.length
            ? {
              templates: templates.map((templateName) => ({ templateName })),
              args: analysisArgs(templates, canary),
              // Start once the first weight is in place, so the canary has traffic to measure.
              startingStep: firstStepAfterTraffic(props.steps),
            }
            : undefined,
          // Stable keeps its full size throughout (dynamicStableScale off, Argo's default): an abort
          // sends all traffic back at once, without waiting for stable pods to start. Not written
          // as `false`: it is a plain bool with omitempty in Argo's types, so the controller drops
          // it when it writes the Rollout back, and every apply would then change the spec again.
          // Old pods outlive the last weight change by 30s, the time every sidecar needs to
          // receive the new VirtualService weights; an aborted canary goes away after 30s too.
          scaleDownDelaySeconds: 30,
          abortScaleDownDelaySeconds: 30,
          // Canary pods prefer nodes without stable pods, so one bad node cannot sink both.
          antiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: { weight: 100 } },
          // Never below the wanted capacity while canary pods start.
          maxSurge: RolloutSpecStrategyCanaryMaxSurge.fromString('25%'),
          maxUnavailable: RolloutSpecStrategyCanaryMaxUnavailable.fromNumber(0),
        },
      },
    });
  }
}

function istioRouting(virtualService: string, gateway: CanaryDeliveryProps['gatewayRoutes']): RolloutSpecStrategyCanaryTrafficRoutingIstio {
  const own = { name: virtualService, routes: [PRIMARY_ROUTE] };
  if (!gateway?.routes.length) return { virtualService: own };
  return { virtualServices: [own, { name: gateway.virtualService, routes: [...gateway.routes] }] };
}

function toArgoStep(step: CanaryStep): RolloutSpecStrategyCanarySteps {
  if ('setWeight' in step) return { setWeight: step.setWeight };
  const d = step.pause.duration;
  if (d === undefined) return { pause: {} };
  // Whole seconds become an integer, the form Argo documents; "30" as a string is easy to misread.
  const seconds = typeof d === 'number' ? d : /^\d+$/.test(d) ? Number(d) : undefined;
  return {
    pause: {
      duration: seconds !== undefined ? RolloutSpecStrategyCanaryStepsPauseDuration.fromNumber(seconds) : RolloutSpecStrategyCanaryStepsPauseDuration.fromString(d as string),
    },
  };
}
