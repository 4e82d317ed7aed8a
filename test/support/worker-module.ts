/**
 * A plain JavaScript module of test/support/, loaded once per jest worker outside the test files'
 * contexts when the test environment offers that (node-environment.cjs), else in the asking test
 * file's context as any module. For modules whose work is worth keeping across test files (ajv's
 * compiled validators, the TypeScript compiler's 9 MB): what they return belongs to the worker's
 * context, so it is used as plain data, not checked with `instanceof`. A worker keeps such a module
 * for as long as it lives: under `jest --watch` with `--runInBand` (one process for every run), an
 * edit to one takes effect when jest starts again.
 */
import * as path from 'path';

type LoadWorkerModule = (file: string) => unknown;
const fromEnvironment = (globalThis as Record<symbol, LoadWorkerModule | undefined>)[Symbol.for('platform-constructs.test.workerModule')];

/** The module `name` (a .cjs file of test/support/), once per worker where possible. */
export function workerModule<T>(name: string): T {
  const file = path.join(__dirname, name);
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  return (fromEnvironment ? fromEnvironment(file) : require(file)) as T;
}
