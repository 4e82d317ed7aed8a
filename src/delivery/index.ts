/**
 * Progressive delivery constructs: services that run as Argo Rollouts (blue-green or canary), the
 * Services their strategies need and the AnalysisTemplates the Rollouts reference.
 */
export { BlueGreenDelivery, type BlueGreenDeliveryProps } from './blue-green';
export { CanaryDelivery, type CanaryDeliveryProps, type CanaryGatewayRoutes } from './canary';
export { type CanaryStep, type CanaryWeightStep, type CanaryPauseStep, type CanaryPause, firstStepAfterTraffic } from './canary-steps';
export { SuccessRateAnalysisTemplate, successRateQuery, SUCCESS_RATE_TEMPLATE, DEFAULT_PROMETHEUS_ADDRESS, type SuccessRateAnalysisTemplateProps } from './analysis';
export { WorkloadRollout, type WorkloadRolloutProps } from './rollout';
export { ANALYSIS_TEMPLATES, isAnalysisTemplateName, type AnalysisTemplateName, type AnalysisTemplateInfo, type AnalysisArgName } from './templates';
export * from './names';
