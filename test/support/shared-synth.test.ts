/**
 * test/support/shared-synth.ts shares the fixture's manifests between the test files of a run:
 * a test file must read back exactly what another one synthesized, or nothing.
 */
import { withEnvironmentVariables } from './environment-variables';
import { tempDir } from './temp-dirs';

type SharedSynth = typeof import('./shared-synth');

/** The module as a test file of a run with the given cache directory loads it. */
function sharedSynthIn(cacheDir: string | undefined): SharedSynth {
  let loaded: SharedSynth | undefined;
  withEnvironmentVariables({ PLATFORM_TEST_CACHE_DIR: cacheDir }, () => jest.isolateModules(() => { loaded = require('./shared-synth') as SharedSynth; }));
  return loaded!;
}

const FILES = [{ name: '00-namespace.yaml', objects: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { a: 'b' } } }] }];

test('what one test file shares, another reads back exactly, by spec text and environment', () => {
  // GIVEN a run's cache directory, and the manifests and environment names a test file shared
  const dir = tempDir('shared-synth-');
  sharedSynthIn(dir).shareFiles('spec text', 'prod', FILES);
  sharedSynthIn(dir).shareEnvironmentNames('spec text', ['dev', 'prod']);
  // WHEN another test file of the run asks THEN it gets the same data, and nothing for another text or environment
  const other = sharedSynthIn(dir);
  expect(other.sharedFiles('spec text', 'prod')).toStrictEqual(FILES);
  expect(other.sharedEnvironmentNames('spec text')).toStrictEqual(['dev', 'prod']);
  expect(other.sharedFiles('spec text', 'dev')).toBeUndefined();
  expect(other.sharedFiles('other text', 'prod')).toBeUndefined();
});

test('data JSON would change (an undefined field) is not shared; without a cache directory nothing is', () => {
  // GIVEN manifests with a field JSON drops
  const dir = tempDir('shared-synth-');
  const withUndefined = [{ name: 'a.yaml', objects: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: undefined } }] }];
  // WHEN shared THEN no other file reads them
  sharedSynthIn(dir).shareFiles('spec text', 'prod', withUndefined as never);
  expect(sharedSynthIn(dir).sharedFiles('spec text', 'prod')).toBeUndefined();
  // GIVEN a run without the guard's cache directory WHEN manifests are shared THEN nothing is written or read
  const none = sharedSynthIn(undefined);
  none.shareFiles('spec text', 'prod', FILES);
  expect(none.sharedFiles('spec text', 'prod')).toBeUndefined();
});
