/** The arguments a Rollout passes to the AnalysisTemplates it runs. */
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
