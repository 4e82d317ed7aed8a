/** The arguments a Rollout passes to the AnalysisTemplates it runs. */
import { repeats } from '../spec/lists';
import { ANALYSIS_TEMPLATES, AnalysisArgName, AnalysisTemplateName } from './templates';

/** One analysis argument as Rollouts pass it. */
export interface AnalysisArg {
  /** Argument name, e.g. service-name. */
  readonly name: string;
  /** Its value. */
  readonly value: string;
}

/**
 * The arguments the templates need, each once (Argo merges the args of all templates of a run
 * and rejects one name with two values), for the Service being measured.
 */
export function analysisArgs(templates: readonly AnalysisTemplateName[], measuredService: string): AnalysisArg[] {
  const values: Record<AnalysisArgName, string> = { 'service-name': measuredService };
  const names = [...new Set(templates.flatMap((t) => ANALYSIS_TEMPLATES[t].args))];
  return names.map((name) => ({ name, value: values[name] }));
}

/** The problem of templates listed more than once (Argo Rollouts rejects a run with two metrics of one name), or undefined. */
export function repeatedTemplatesProblem(templates: readonly string[]): string | undefined {
  const repeated = repeats(templates).map((i) => templates[i]);
  return repeated.length ? `AnalysisTemplate ${repeated.join(', ')} is listed twice; Argo Rollouts rejects a run with two metrics of one name` : undefined;
}
