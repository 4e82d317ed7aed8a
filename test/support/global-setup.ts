/**
 * Jest globalSetup: the run's temporary directory and its guard (temp-guard.ts), and the bundle of
 * the packages the library imports, which the workers' runtime loads them from (runtime.cjs).
 */
import * as path from 'path';
import { setup as guardTemporaryFiles } from './temp-guard';

const { sharePackages } = require('./runtime.cjs') as { sharePackages(root: string): Promise<void> };

export default async function setup(): Promise<void> {
  await guardTemporaryFiles();
  await sharePackages(path.join(__dirname, '..', '..'));
}
