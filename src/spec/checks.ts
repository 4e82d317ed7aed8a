/**
 * Cross-field checks that a schema cannot express. Each concern keeps its checks in
 * src/spec/checks/<concern>.ts and registers them here.
 */
import { checkMesh } from './checks/mesh';
import { checkWorkloads } from './checks/workload';
import { EnvironmentSpec } from './schema';

/** Reports a problem at a path of the merged environment spec (e.g. ['services', 'a', 'port']). */
export type Report = (path: readonly PropertyKey[], message: string) => void;

/** A check over one merged environment. */
export type Checker = (env: EnvironmentSpec, report: Report) => void;

const CHECKERS: readonly Checker[] = [checkWorkloads, checkMesh];

/** Runs every registered check over one environment. */
export function runChecks(env: EnvironmentSpec, report: Report): void {
  for (const check of CHECKERS) check(env, report);
}
