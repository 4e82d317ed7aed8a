/**
 * The AnalysisTemplates the platform defines: plain data, in src/spec/analysis-templates.ts so the
 * spec checks use it without loading constructs.
 */
export {
  ANALYSIS_TEMPLATES, isAnalysisTemplateName, type AnalysisArgName, type AnalysisTemplateInfo, type AnalysisTemplateName,
} from '../spec/analysis-templates';
