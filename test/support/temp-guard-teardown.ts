/** Jest globalTeardown: see temp-guard.ts. */
export { teardown as default } from './temp-guard';
