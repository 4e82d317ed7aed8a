/**
 * Canary delivery with Istio: the new version gets a growing share of the requests that the
 * service's VirtualService (made by the mesh) routes through its `primary` route, while the
 * success-rate analysis watches it in the background.
 */
import { k8s } from 'cdk8s-plus-27';
import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import {
  RolloutSpecStrategyCanaryMaxSurge,
  RolloutSpecStrategyCanaryMaxUnavailable,
  RolloutSpecStrategyCanarySteps,
  RolloutSpecStrategyCanaryTrafficRoutingIstio,
  RolloutSpecStrategyCanaryStepsPauseDuration,
} from '../../imports/argo-argoproj.io';
import { API_GATEWAY_NAME, ApiGateway } from '../mesh/gateway';
import { routeName } from '../mesh/names';
import { ServiceTraffic } from '../mesh/traffic';
import { MicroService } from '../workload/microservice';
import { SUCCESS_RATE_TEMPLATE, SuccessRateAnalysisTemplate } from './analysis';
import { analysisArgs, repeatedTemplatesProblem } from './analysis-args';
import { analysisTiming, CanaryStep, canaryStepProblems, firstStepAfterTraffic } from './canary-steps';
import { durationSeconds, formatSeconds } from './duration';
import { companionService } from './companion-service';
import { canaryServiceName, PRIMARY_ROUTE, stableServiceName } from './names';
import { WorkloadRollout } from './rollout';
import { AnalysisTemplateName } from './templates';

/** Props of a CanaryDelivery: the workload, the steps, the analysis and the gateway routes that shift with it. */
export interface CanaryDeliveryProps {
  /** The service; built with workloadKind "Rollout". */
  readonly workload: MicroService;
  /**
   * setWeight and pause steps, in order, e.g. `[{ setWeight: 20 }, { pause: { duration: '1m' } }, { setWeight: 100 }]`.
   * Weights are whole percents that never go down; pauses are whole seconds or h/m/s durations.
   */
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
  readonly gatewayRoutes?: CanaryGatewayRoutes;
}

/** Routes of the API gateway's VirtualService that Argo Rollouts reweights with the canary. */
export interface CanaryGatewayRoutes {
  /** Name of the gateway's VirtualService, e.g. "api-gateway". */
  readonly virtualService: string;
  /** Names of its routes that lead to the service (an ApiGateway names each route after its prefix: /api/orders -> api-orders). */
  readonly routes: readonly string[];
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
    const templates = props.analysis ?? ['success-rate'];
    const problems = canaryStepProblems(props.steps);
    const repeated = repeatedTemplatesProblem(templates);
    if (repeated) problems.push(repeated);
    if (problems.length) throw new Error(`CanaryDelivery ${workload.serviceName}: ${problems.join('; ')}`);
    const canary = canaryServiceName(workload.serviceName);
    const stable = stableServiceName(workload.serviceName);
    const virtualService = props.virtualService ?? workload.serviceName;
    this.canaryService = companionService(this, 'CanaryService', workload, canary);
    this.stableService = companionService(this, 'StableService', workload, stable);

    this.rollout = new WorkloadRollout(this, 'Rollout', {
      workload,
      strategy: {
        canary: {
          canaryService: canary,
          stableService: stable,
          trafficRouting: { istio: istioRouting(virtualService, props.gatewayRoutes) },
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
    // The routes Argo reweights must split between exactly these two Services, or the Rollout
    // stops with InvalidSpec; checked where the routes are built in the same construct tree.
    this.node.addValidation({ validate: () => routeProblems(this, workload.serviceName, virtualService, props.gatewayRoutes, [stable, canary]) });
    // The analysis must watch the whole canary and be able to fail it before it ends; checked
    // against the success-rate template the same tree builds for this namespace.
    if (templates.includes(SUCCESS_RATE_TEMPLATE)) this.node.addValidation({ validate: () => analysisTimingProblems(this, props.steps) });
  }
}

/** What is wrong with the canary's pauses for the success-rate templates of its namespace in the same tree (analysisTiming). */
function analysisTimingProblems(delivery: CanaryDelivery, steps: readonly CanaryStep[]): string[] {
  const namespace = Chart.of(delivery).namespace;
  const templates = namespace === undefined ? [] : SuccessRateAnalysisTemplate.inNamespace(delivery, namespace);
  const problems: string[] = [];
  for (const t of templates) {
    const timing = analysisTiming(steps, { count: t.count, intervalSeconds: durationSeconds(t.interval), failureLimit: t.failureLimit });
    const paused = formatSeconds(timing?.pausedSeconds ?? 0);
    if (timing?.uncovered) {
      problems.push(`the canary pauses for ${paused} after the analysis starts, but the success-rate AnalysisTemplate (${t.node.path}) stops after ${t.count} measurements every ${t.interval} (${formatSeconds(timing.uncovered.coveredSeconds)}): `
        + `give it a count of at least ${timing.uncovered.countNeeded} so the whole canary is analysed`);
    }
    if (timing?.early) {
      problems.push(`a failing version would reach 100% before the analysis can fail it: the success-rate AnalysisTemplate (${t.node.path}) fails it after ${t.failureLimit + 1} failed measurements, `
        + `${formatSeconds(timing.early.verdictSeconds)} after the analysis starts (one every ${t.interval}), but the canary pauses for ${paused} after the analysis starts: `
        + `pause for at least ${formatSeconds(timing.early.pauseNeeded)} in all (one interval to spare for the abort), or give the template a lower failureLimit or interval`);
    }
  }
  return problems;
}

/** What is wrong with the routes a canary reweights, as far as the same tree builds them. */
function routeProblems(delivery: CanaryDelivery, service: string, virtualService: string, gateway: CanaryGatewayRoutes | undefined, services: readonly string[]): string[] {
  const want = [...services].sort().join(', ');
  const namespace = Chart.of(delivery).namespace;
  const problems: string[] = [];
  for (const traffic of ServiceTraffic.forService(delivery, virtualService)) {
    if (namespace !== undefined && traffic.namespace !== namespace) continue;
    const got = traffic.shape.primary.map((d) => d.service).sort().join(', ');
    if (got !== want) {
      problems.push(`the canary reweights route "${PRIMARY_ROUTE}" of VirtualService ${virtualService}, which goes to ${got} instead of ${want}: `
        + `build its ServiceTraffic (${traffic.node.path}) with routing { strategy: 'canary' }`);
    }
  }
  // A gateway route to the main Service that the canary does not reweight sends its requests to
  // the new version by its share of the pods, not by the weight, and the analysis (of the canary
  // Service) never sees them; so does a stable/canary split nobody reweights. A route to only the
  // stable or only the canary Service is pinned to one version by Argo Rollouts: allowed.
  const listed = new Set(gateway?.routes ?? []);
  for (const gw of ApiGateway.forVirtualService(delivery, gateway?.virtualService ?? API_GATEWAY_NAME)) {
    if (namespace !== undefined && gw.namespace !== namespace) continue;
    // Only routes that lead to the main Service or to the first of the split can be either kind.
    const candidates = [...new Set([...gw.routesTo(service), ...gw.routesTo(services[0])])].sort((a, b) => a.order - b.order);
    for (const { name, targets } of candidates) {
      const unweighted = targets.includes(service) || services.every((s) => targets.includes(s));
      if (listed.has(name) || !unweighted) continue;
      problems.push(`gateway route "${name}" of ApiGateway ${gw.node.path} leads to ${[...new Set(targets)].join(', ')} but is not one of the canary's gatewayRoutes: `
        + `Argo Rollouts would not reweight it, so its requests would reach the new version by its share of the pods instead of the canary weight, and the analysis would not see them; list it in gatewayRoutes.routes`);
    }
  }
  if (!gateway) return problems;
  for (const gw of ApiGateway.forVirtualService(delivery, gateway.virtualService)) {
    if (namespace !== undefined && gw.namespace !== namespace) continue;
    for (const name of gateway.routes) {
      const route = gw.route(name);
      const got = (route?.destinations ?? [{ service: route?.service ?? '' }]).map((d) => d.service).sort().join(', ');
      if (!route) problems.push(`gateway route "${name}" is not a route of ApiGateway ${gw.node.path} (routes: ${gw.routes.map((r) => routeName(r.prefix)).join(', ') || 'none'})`);
      else if (got !== want) problems.push(`gateway route "${name}" goes to ${got} instead of ${want}: give its GatewayRoute the canary's destinations (trafficShape(service, { strategy: 'canary' }).primary)`);
    }
  }
  return problems;
}

function istioRouting(virtualService: string, gateway: CanaryGatewayRoutes | undefined): RolloutSpecStrategyCanaryTrafficRoutingIstio {
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
