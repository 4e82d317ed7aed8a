/** Facts about canary steps, shared by the canary construct and the spec checks. */

// Pure, in src/spec/ so the spec checks use it without loading constructs.
export { firstStepAfterTraffic } from '../spec/canary-steps';
