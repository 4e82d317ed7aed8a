/**
 * The property test of issue 14: random mutations of the fixture spec end in exit 0 with valid
 * objects (the Kubernetes schemas of kubernetes-models), or in located problems with the previous
 * output intact; never a crash. FUZZ_CASES (default 150) and FUZZ_SEED (default: fixed, so npm test
 * is reproducible) pick the cases; FUZZ_CASE=i runs one. `npm run fuzz -- --cases 10000 [--seed N]`
 * runs a longer campaign. The same cases against the upstream Kubernetes and CRD schemas of
 * ../shared are fuzz.conformance.test.ts, in the conformance step.
 */
import { campaignName, campaignTimeout, runCampaign } from './fuzz-engine';

test(campaignName(), () => runCampaign(false, (seed, i) => `FUZZ_SEED=${seed} FUZZ_CASE=${i} npx jest test/hostile/fuzz.test.ts`), campaignTimeout);
