/** Durations as Argo Rollouts reads them: pure, in src/spec/duration.ts, which the spec checks share. */
export { DURATION, durationSeconds, formatSeconds, pauseSeconds } from '../spec/duration';
