/**
 * Progressive delivery of one environment, mapped from the spec: services whose spec asks for
 * blueGreen or canary run as Argo Rollouts (MicroService then makes no Deployment and points its
 * autoscaler at the Rollout), with the Services the strategy needs and the AnalysisTemplates the
 * Rollouts reference.
 */
import { Construct } from 'constructs';
import type { EnvironmentCharts } from './manifest-chart';
import { API_GATEWAY_NAME } from '../mesh/gateway';
import { routeName } from '../mesh/names';
import { PlatformSettings } from '../spec/schema';
import { componentLabels } from '../workload/labels';
import { SUCCESS_RATE_TEMPLATE, SuccessRateAnalysisTemplate } from '../delivery/analysis';
import { BlueGreenDelivery } from '../delivery/blue-green';
import { CanaryDelivery } from '../delivery/canary';
import { AnalysisTemplateName, isAnalysisTemplateName } from '../delivery/templates';

/** Makes one AnalysisTemplate of the namespace. */
type TemplateFactory = (scope: Construct, env: TemplateEnvironment) => Construct;

interface TemplateEnvironment {
  readonly name: string;
  readonly namespace: string;
  readonly platform: PlatformSettings;
}

/** Every template of the registry has a construct (the Record type enforces it). */
const TEMPLATE_FACTORIES: Readonly<Record<AnalysisTemplateName, TemplateFactory>> = {
  [SUCCESS_RATE_TEMPLATE]: (scope, env) => new SuccessRateAnalysisTemplate(scope, 'SuccessRateAnalysisTemplate', {
    namespace: env.namespace,
    prometheusAddress: env.platform.prometheusAddress,
    successRate: env.platform.analysis.successRate,
    interval: env.platform.analysis.interval,
    failureLimit: env.platform.analysis.failureLimit,
    count: env.platform.analysis.count,
    labels: componentLabels({ name: SUCCESS_RATE_TEMPLATE, partOf: env.platform.name, environment: env.name, component: 'delivery' }),
  }),
};

/** Composes progressive delivery into an environment. */
export function addDelivery(platform: EnvironmentCharts): void {
  const used = new Set<AnalysisTemplateName>();
  for (const [name, { chart, workload, spec }] of platform.services) {
    const delivery = spec.delivery;
    if (delivery.strategy === 'blueGreen') {
      const bg = delivery.blueGreen;
      const templates = templateNames(name, bg?.prePromotionAnalysis ?? ['success-rate']);
      templates.forEach((t) => used.add(t));
      new BlueGreenDelivery(chart, 'Delivery', {
        workload,
        autoPromotionEnabled: bg?.autoPromotionEnabled,
        scaleDownDelaySeconds: bg?.scaleDownDelaySeconds,
        prePromotionAnalysis: templates,
      });
    } else if (delivery.strategy === 'canary') {
      if (!delivery.canary) throw new Error(`${name}: strategy canary needs a canary block (the spec checks report this)`);
      const templates = templateNames(name, delivery.canary.analysis);
      templates.forEach((t) => used.add(t));
      new CanaryDelivery(chart, 'Delivery', {
        workload,
        steps: delivery.canary.steps,
        analysis: templates,
        // External traffic reaches the service through the gateway's routes: they shift with the canary too.
        gatewayRoutes: { virtualService: API_GATEWAY_NAME, routes: spec.routes.map((r) => routeName(r.prefix)) },
      });
    }
  }
  const env: TemplateEnvironment = { name: platform.spec.name, namespace: platform.spec.namespace, platform: platform.spec.platform };
  for (const template of [...used].sort()) TEMPLATE_FACTORIES[template](platform.platformChart, env);
}

function templateNames(service: string, names: readonly string[]): AnalysisTemplateName[] {
  return names.map((n) => {
    if (!isAnalysisTemplateName(n)) throw new Error(`${service}: unknown AnalysisTemplate "${n}" (the spec checks report this)`);
    return n;
  });
}
