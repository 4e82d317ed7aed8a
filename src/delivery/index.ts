/**
 * Progressive delivery constructs: services that run as Argo Rollouts (blue-green or canary), the
 * Services their strategies need and the AnalysisTemplates the Rollouts reference.
 */
export { BlueGreenDelivery } from './blue-green';
export { CanaryDelivery } from './canary';
export { SuccessRateAnalysisTemplate, successRateQuery } from './analysis';
export { WorkloadRollout } from './rollout';
export * from './names';
