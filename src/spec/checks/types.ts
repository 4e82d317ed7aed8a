/**
 * The types every check shares: the check files import them from here, and checks.ts runs the
 * checks, so no check file needs checks.ts (no import cycle).
 */
import type { EnvironmentSpec } from '../schema';

/** Reports a problem at a path of the merged environment spec (e.g. ['services', 'a', 'port']). */
export type Report = (path: readonly PropertyKey[], message: string) => void;

/** What checks may need beyond the environment. */
export interface CheckContext {
  /** Every service the file declares, including any that failed schema validation. */
  readonly declaredServices: readonly string[];
  /** Every event the services publish, including services that failed schema validation. */
  readonly declaredEvents: readonly string[];
}

/** A check over one merged environment. */
export type Checker = (env: EnvironmentSpec, report: Report, context: CheckContext) => void;
