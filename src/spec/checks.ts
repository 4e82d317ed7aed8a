/**
 * Cross-field checks that a schema cannot express. Each concern keeps its checks in
 * src/spec/checks/<concern>.ts and registers them here.
 */
import { checkData } from './checks/data';
import { checkDelivery } from './checks/delivery';
import { checkEgress } from './checks/egress';
import { checkMesh } from './checks/mesh';
import { checkWorkloads } from './checks/workload';
import type { CheckContext, Checker, Report } from './checks/types';
import { EnvironmentSpec } from './schema';

export type { Report, CheckContext, Checker } from './checks/types';

const CHECKERS: readonly Checker[] = [checkWorkloads, checkData, checkMesh, checkDelivery, checkEgress];

/** Runs every registered check over one environment. */
export function runChecks(env: EnvironmentSpec, report: Report, context: CheckContext): void {
  for (const check of CHECKERS) check(env, report, context);
}
