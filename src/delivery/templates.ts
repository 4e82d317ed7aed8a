/**
 * The AnalysisTemplates the platform defines, by the name the spec uses. Plain data, so the spec
 * checks can use it without loading constructs. Adding a template: add it here, give it a
 * construct, and map it in index.ts (the compiler insists on the mapping).
 */

/** What a Rollout must pass to a template. */
export interface AnalysisTemplateInfo {
  /** Arguments the Rollout sets; each delivery construct knows how to fill the ones listed here. */
  readonly args: readonly AnalysisArgName[];
  /** One line for error messages and docs. */
  readonly description: string;
}

/** Arguments a delivery construct knows how to fill. */
export type AnalysisArgName = 'service-name';

/** The AnalysisTemplates the platform defines, by name: what a Rollout passes to each. */
export const ANALYSIS_TEMPLATES = {
  'success-rate': {
    args: ['service-name'],
    description: 'share of non-5xx responses of the new version, from Istio request metrics',
  },
} as const satisfies Readonly<Record<string, AnalysisTemplateInfo>>;

/** Name of a defined AnalysisTemplate. */
export type AnalysisTemplateName = keyof typeof ANALYSIS_TEMPLATES;

/** True when the platform defines a template of that name. */
export function isAnalysisTemplateName(name: string): name is AnalysisTemplateName {
  return Object.prototype.hasOwnProperty.call(ANALYSIS_TEMPLATES, name);
}
