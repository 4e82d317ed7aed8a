/**
 * Which server version each integration suite runs, against the version the manifests deploy.
 * PostgreSQL and Redis run exactly the deployed versions (scripts/integration/versions.env).
 * RabbitMQ runs Debian bookworm's: no registry this project reaches serves the deployed version or
 * the Erlang it needs (docs/data-tier-versions.md). Each suite reports the version it ran and fails
 * when it differs from the deployed one or, for a documented gap, when either side of the gap
 * moves, so a new image or a new server cannot open or widen a gap unnoticed.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Manifest } from '../../src/synth';
import { imageVersionNumbers } from '../../src/diff/immutable';

/** The data stores the integration tests run. */
export type Store = 'postgres' | 'redis' | 'rabbitmq';

/** A deployed version the tests cannot run, the version they run instead, and why. */
export interface KnownGap {
  readonly deployed: string;
  readonly tested: string;
  readonly why: string;
}

/** The gaps docs/data-tier-versions.md describes; a store not listed must run the deployed version. */
export const KNOWN_GAPS: Readonly<Partial<Record<Store, KnownGap>>> = {
  rabbitmq: { deployed: '3.13.7', tested: '3.10.8', why: "no registry serves RabbitMQ 3.13.7 or the Erlang 26 it needs: Debian bookworm's rabbitmq-server" },
};

/** The version in an image's tag, as the server reports it: postgres:16.4-bookworm -> 16.4. */
export function deployedVersion(image: string): string {
  const numbers = imageVersionNumbers(image);
  if (!numbers) throw new Error(`${image}: no version in the tag (a digest?); the integration tests need a version to compare with`);
  return numbers.join('.');
}

/** The images of the containers of the StatefulSets whose name matches, deduplicated. */
export function statefulSetImages(objects: readonly Manifest[], name: RegExp): string[] {
  const images = objects
    .filter((o) => o.kind === 'StatefulSet' && name.test(o.metadata.name))
    .flatMap((o) => (o as unknown as { spec: { template: { spec: { containers: Array<{ image: string }> } } } }).spec.template.spec.containers.map((c) => c.image));
  return [...new Set(images)];
}

/**
 * What the suite of `store` ran against and whether that is allowed: the deployed version, or the
 * documented gap exactly. Returns the line a suite prints; `ok` false says what changed.
 */
export function checkTestedVersion(store: Store, image: string, server: string, gaps = KNOWN_GAPS): { ok: boolean; line: string } {
  const deployed = deployedVersion(image);
  const gap = gaps[store];
  if (!gap) {
    return server === deployed
      ? { ok: true, line: `${store}: tested ${server} = deployed ${image}` }
      : { ok: false, line: `${store}: tested ${server}, but the manifests deploy ${image} (${deployed}): install the deployed version (scripts/integration/versions.env)` };
  }
  if (deployed === gap.deployed && server === gap.tested) {
    return { ok: true, line: `${store}: tested ${server}, NOT the deployed ${image} (${gap.why}; docs/data-tier-versions.md)` };
  }
  return {
    ok: false,
    line: `${store}: tested ${server} for deployed ${image} (${deployed}); the documented gap is ${gap.tested} for ${gap.deployed}: `
      + (server === deployed ? 'the deployed version runs now: remove the gap' : 'update test/integration/versions.ts and docs/data-tier-versions.md'),
  };
}

/** KEY=value lines of scripts/integration/versions.env (comments and blank lines skipped). */
export function integrationVersions(): Record<string, string> {
  const file = path.join(__dirname, '..', '..', 'scripts', 'integration', 'versions.env');
  const entries = fs.readFileSync(file, 'utf8').split('\n')
    .map((line) => /^([A-Z][A-Z0-9_]*)=(\S*)/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => [m[1], m[2]] as const);
  return Object.fromEntries(entries);
}
