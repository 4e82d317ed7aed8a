/**
 * Cross-field checks that a schema cannot express. Each concern keeps its checks in
 * src/spec/checks/<concern>.ts and registers them here.
 */
import { checkData } from './checks/data';
import { checkDelivery } from './checks/delivery';
import { checkEgress } from './checks/egress';
import { checkMesh } from './checks/mesh';
import { checkWorkloads } from './checks/workload';
import { EnvironmentSpec } from './schema';

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

const CHECKERS: readonly Checker[] = [checkWorkloads, checkData, checkMesh, checkDelivery, checkEgress];

/** Runs every registered check over one environment. */
export function runChecks(env: EnvironmentSpec, report: Report, context: CheckContext): void {
  for (const check of CHECKERS) check(env, report, context);
}
