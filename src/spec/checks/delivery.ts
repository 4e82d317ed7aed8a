/** Checks of progressive delivery: canary steps, blue-green preview, analysis templates. */
import { durationSeconds, formatSeconds } from '../duration';
import { analysisTiming, canaryStepProblems } from '../canary-steps';
import { ANALYSIS_TEMPLATES, isAnalysisTemplateName } from '../analysis-templates';
import type { Report } from './types';
import { quote } from '../escape';
import { repeats } from '../lists';
import { EnvironmentSpec, ServiceSpec } from '../schema';

export function checkDelivery(env: EnvironmentSpec, report: Report): void {
  const { analysis } = env.platform;
  if (analysis.failureLimit >= analysis.count) {
    report(['platform', 'analysis', 'failureLimit'],
      `failureLimit (${analysis.failureLimit}) must be lower than count (${analysis.count}): with that many failed measurements tolerated the analysis can never fail`);
  }
  if (!/^https?:\/\/[^\s/]+\S*$/.test(env.platform.prometheusAddress)) {
    report(['platform', 'prometheusAddress'],
      `${quote(env.platform.prometheusAddress)} is not a Prometheus URL; use http:// or https:// and a host, e.g. http://prometheus.monitoring.svc.cluster.local:9090`);
  }
  for (const [name, svc] of Object.entries(env.services)) {
    const at = (...p: PropertyKey[]) => ['services', name, 'delivery', ...p];
    const { delivery } = svc;
    if (delivery.strategy === 'blueGreen') {
      // A missing blueGreen block means the defaults: preview on, manual promotion, success-rate.
      if (delivery.blueGreen?.preview === false) {
        report(at('blueGreen', 'preview'),
          `blue-green needs its preview Service: the new version runs behind "${name}-preview" until promotion, where the version header and the pre-promotion analysis reach it; remove "preview: false" or use strategy canary or rolling`);
      }
      checkTemplates(delivery.blueGreen?.prePromotionAnalysis ?? [], (i, m) => report(at('blueGreen', 'prePromotionAnalysis', i), m));
    } else if (delivery.strategy === 'canary') {
      if (!delivery.canary) {
        report(at('strategy'), 'strategy "canary" needs a canary block with steps, e.g. canary: { steps: [{ setWeight: 20 }, { pause: { duration: 1m } }, { setWeight: 100 }] }');
        continue;
      }
      if (delivery.canary.trafficRouting !== 'istio') {
        report(at('canary', 'trafficRouting'),
          `trafficRouting "${delivery.canary.trafficRouting}" is not supported: the mesh sends this service's requests through the "primary" route of its VirtualService, which only Argo Rollouts reweights, so without "istio" no setWeight would ever reach the canary; use trafficRouting: istio, or strategy rolling`);
      }
      checkSteps(svc, (p, m) => report(at('canary', 'steps', ...p), m));
      checkTemplates(delivery.canary.analysis, (i, m) => report(at('canary', 'analysis', i), m));
      checkAnalysisCoversSteps(env, svc, (p, m) => report(at('canary', ...p), m));
    }
  }
}

type At = (path: readonly PropertyKey[], message: string) => void;

function checkSteps(svc: ServiceSpec, report: At): void {
  const steps = svc.delivery.canary?.steps ?? [];
  for (const p of canaryStepProblems(steps)) report([p.index, ...p.field], p.message);
  const weights = steps.filter((s): s is { setWeight: number } => 'setWeight' in s);
  const last = weights[weights.length - 1];
  if (!last) {
    report([], 'a canary needs setWeight steps: without them Argo Rollouts sends all traffic to the new version at once; end with setWeight: 100');
  } else if (last.setWeight !== 100) {
    // An error, not a warning: Argo promotes to 100% after the last step anyway, unannounced.
    report([steps.lastIndexOf(last), 'setWeight'],
      `the last setWeight is ${last.setWeight}, but when the steps end Argo Rollouts sends 100% of traffic to the new version anyway; end with setWeight: 100 so the final jump is a visible step`);
  }
}

function checkTemplates(names: readonly string[], report: (index: number, message: string) => void): void {
  const known = Object.keys(ANALYSIS_TEMPLATES);
  const repeated = new Set(repeats(names));
  names.forEach((n, i) => {
    if (!isAnalysisTemplateName(n)) report(i, `unknown AnalysisTemplate ${quote(n)}; defined templates: ${known.join(', ')}`);
    else if (repeated.has(i)) report(i, `AnalysisTemplate ${quote(n)} is listed twice; Argo Rollouts rejects a run with two metrics of one name`);
  });
}

/** The canary's timed pauses against the platform's analysis (analysisTiming): covered, and long enough for a verdict. */
function checkAnalysisCoversSteps(env: EnvironmentSpec, svc: ServiceSpec, report: At): void {
  const canary = svc.delivery.canary;
  if (!canary || canary.analysis.length === 0) return;
  const { count, interval, failureLimit } = env.platform.analysis;
  const timing = analysisTiming(canary.steps, { count, intervalSeconds: durationSeconds(interval), failureLimit });
  if (timing?.uncovered) {
    report(['steps'],
      `the canary pauses for ${formatSeconds(timing.pausedSeconds)} after the analysis starts, but the analysis stops after ${count} measurements every ${interval} (${formatSeconds(timing.uncovered.coveredSeconds)}); raise platform.analysis.count to at least ${timing.uncovered.countNeeded} so the whole canary is analysed`);
  }
  if (timing?.early) {
    report(['steps'],
      `a failing version would reach 100% before the analysis can fail it: the analysis fails after ${failureLimit + 1} failed measurements, ${formatSeconds(timing.early.verdictSeconds)} after it starts (one every ${interval}), but the canary pauses for ${formatSeconds(timing.pausedSeconds)} after the analysis starts; pause for at least ${formatSeconds(timing.early.pauseNeeded)} in all (one interval to spare for the abort), or lower platform.analysis.failureLimit or interval`);
  }
}
