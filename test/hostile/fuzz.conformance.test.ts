/**
 * Conformance (`npm run test:conformance`): the cases of fuzz.test.ts, whose exit-0 outputs must
 * also pass the upstream Kubernetes 1.27 and CRD schemas in ../shared/crds (strict). Compiling those
 * schemas takes long, so this is in the conformance step, not in `npm test`.
 */
import { campaignName, campaignTimeout, runCampaign } from './fuzz-engine';

test(`${campaignName()}, the upstream schemas included`, () => runCampaign(true, (seed, i) => `FUZZ_SEED=${seed} FUZZ_CASE=${i} npx jest -c jest.conformance.config.js test/hostile/fuzz.conformance.test.ts`), campaignTimeout);
