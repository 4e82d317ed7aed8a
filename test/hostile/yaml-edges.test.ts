/**
 * Class 3 of issue 14: alias errors (undefined, forward, cyclic, a bomb) are located spec errors
 * (exit 1), the environment merge is safe against cycles and odd keys, YAML 1.1 tags stay text.
 */
import * as path from 'path';
import { deepMerge } from '../../src/spec/load';
import { editReference, lineIn, problemsOf, referenceText } from '../helpers';
import { fixtureCopy, runCli, scratchDir } from './support';

/** Runs the CLI on spec text; returns its exit code and stderr. */
async function cliOn(text: string): Promise<{ code: number; stderr: string }> {
  const dir = scratchDir();
  return runCli(['--config', fixtureCopy(text, dir), '--out', path.join(dir, 'dist')]);
}

describe('alias errors are located spec errors, exit 1', () => {
  test('an alias with no anchor', async () => {
    const text = editReference(['LOG_LEVEL: info', 'LOG_LEVEL: *level']);
    expect(problemsOf(text)).toEqual([`platform.yaml:${lineIn(text, '*level')}: (root): invalid YAML: alias *level has no anchor &level before it; an anchor must be defined before its aliases`]);
    const run = await cliOn(text);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/platform\.yaml:\d+: \(root\): invalid YAML: alias \*level has no anchor/);
  });

  test('an alias before its anchor (forward reference)', () => {
    const text = editReference(['LOG_LEVEL: info', 'LOG_LEVEL: *level'], ['port: 3002', 'port: &level 3002']);
    expect(problemsOf(text)).toEqual([`platform.yaml:${lineIn(text, '*level')}: (root): invalid YAML: alias *level has no anchor &level before it; an anchor must be defined before its aliases`]);
  });

  test('an alias bomb is refused quickly, at the alias where it passes the limit', async () => {
    // GIVEN nine levels of nine aliases each (9^10 nodes expanded) in an unknown-to-the-schema key
    const levels = ['a0: &a0 [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i <= 10; i++) levels.push(`a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(', ')}]`);
    const text = `${levels.join('\n')}\n${referenceText()}`;
    // WHEN loaded THEN one located problem
    const started = Date.now();
    const problems = problemsOf(text);
    expect(problems).toEqual([expect.stringMatching(/^platform\.yaml:\d+: \(root\): invalid YAML: the aliases expand the document to more than 2000000 nodes \(passed at alias \*a\d+\)/)]);
    expect(Date.now() - started).toBeLessThan(5000);
    expect((await cliOn(text)).code).toBe(1);
  });

  test('a cyclic alias pulled in through an environment overlay is refused, not a stack overflow', async () => {
    // GIVEN a service node that contains an alias of itself, and an overlay that is that node
    const text = editReference(
      ['  user-service:\n    image:', '  user-service: &svc\n    self: *svc\n    image:'],
      ['      user-service: { replicas: 1, autoscaling: { minReplicas: 1, maxReplicas: 2 } }', '      user-service: *svc'],
    );
    expect(problemsOf(text)).toEqual([`platform.yaml:${lineIn(text, 'self: *svc')}: (root): invalid YAML: alias *svc is inside the node its anchor names, which would make that node contain itself`]);
    const run = await cliOn(text);
    expect(run.code).toBe(1);
    expect(run.stderr).not.toMatch(/Maximum call stack|RangeError|\n\s+at /);
  });

  test('aliases that do expand are fine (the same overlay used by two environments)', () => {
    const text = editReference(
      ['      user-service: { replicas: 1, autoscaling: { minReplicas: 1, maxReplicas: 2 } }', '      user-service: &small { replicas: 1, autoscaling: { minReplicas: 1, maxReplicas: 2 } }'],
      ['      user-service: { replicas: 5, autoscaling: { minReplicas: 5, maxReplicas: 20 } }', '      user-service: *small'],
    );
    expect(problemsOf(text)).toEqual([]);
  });
});

describe('the environment merge', () => {
  test('is safe against cycles in its input', () => {
    const base: Record<string, unknown> = { a: 1 };
    base.self = base;
    const overlay: Record<string, unknown> = { b: 2 };
    overlay.self = overlay;
    expect(() => deepMerge(base, overlay)).not.toThrow();
    expect(deepMerge(base, overlay)).toMatchObject({ a: 1, b: 2 });
  });

  test('a "__proto__" key in an overlay is an unknown key, never a prototype that sets fields unseen', () => {
    const text = editReference(['      user-service: { replicas: 1, autoscaling: { minReplicas: 1, maxReplicas: 2 } }', '      user-service: { __proto__: { replicas: 7 }, autoscaling: { minReplicas: 1, maxReplicas: 2 } }']);
    expect(problemsOf(text)).toEqual([expect.stringMatching(/environments\.dev\.services\.user-service\.__proto__: unknown key "__proto__"/)]);
  });
});

describe('YAML 1.1 tags', () => {
  test('!!binary, !!timestamp and !!set do not turn into buffers, dates or sets: a string field stays a string', () => {
    const text = editReference(['LOG_LEVEL: info', 'LOG_LEVEL: !!binary aW5mbw==']);
    expect(problemsOf(text)).toEqual([]);
  });
});
