/**
 * Idempotent apply: nothing in the output may be a value the API server drops or rewrites, or
 * every `kubectl apply` of unchanged output reports "configured" and `kubectl diff` exits 1.
 * The walk covers every object of every environment of the fixture, of the fixture with
 * non-canonical quantities, and of a generated 24-service spec.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { generatedSpec } from '../../tools/generated-spec';
import { loadPlatform } from '../../src/spec/load';
import { canonicalQuantity } from '../../src/spec/quantity';
import { Manifest, synthPlatform } from '../../src/synth';
import { editReference, synth } from '../helpers';

/**
 * Empty objects that are Go structs (pointer or not), or free-form CRD values, which the server
 * keeps as written: `podSelector: {}` selects every pod; Envoy's `remote_address: {}` is an action.
 */
const MEANINGFUL_EMPTY_OBJECTS = new Set(['podSelector', 'namespaceSelector', 'remote_address', 'emptyDir']);
/** Non-pointer fields with omitempty in the built-in kinds this platform writes: false/0 is dropped. */
const DROPPED_WHEN_ZERO = new Set(['publishNotReadyAddresses', 'readOnly', 'minReadySeconds', 'paused', 'hostNetwork', 'hostPID', 'hostIPC', 'stdin', 'tty']);
/** Fields that hold a quantity, by their key or their parent's. */
const QUANTITY_PARENTS = new Set(['requests', 'limits']);
const QUANTITY_KEYS = new Set(['sizeLimit', 'storage']);
/** Maps whose values are free text: an empty string there is a value, not a dropped field. */
const STRING_MAPS = new Set(['labels', 'annotations', 'data', 'matchLabels', 'nodeSelector', 'stringData']);

/** Built-in kinds are stored through Go structs (omitempty applies); custom resources are stored as written. */
function isBuiltIn(o: Manifest): boolean {
  const slash = o.apiVersion.indexOf('/');
  const group = slash < 0 ? '' : o.apiVersion.slice(0, slash);
  return !group.includes('.') || group.endsWith('.k8s.io');
}

/** Every value the server would drop or rewrite, as `Kind/name path: why`. */
function serverRewrites(objects: readonly Manifest[]): string[] {
  const found: string[] = [];
  for (const o of objects) {
    const builtIn = isBuiltIn(o);
    const report = (at: string, why: string) => found.push(`${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name} ${at}: ${why}`);
    const walk = (value: unknown, at: string, key: string, parent: string): void => {
      if (Array.isArray(value)) {
        if (value.length === 0) report(at, 'empty list');
        value.forEach((v, i) => walk(v, `${at}[${i}]`, `${key}[]`, parent));
      } else if (typeof value === 'object' && value !== null) {
        const entries = Object.entries(value);
        if (entries.length === 0 && !MEANINGFUL_EMPTY_OBJECTS.has(key)) report(at, 'empty map');
        for (const [k, v] of entries) walk(v, `${at}.${k}`, k, key);
      } else if (typeof value === 'string') {
        if (QUANTITY_KEYS.has(key) || QUANTITY_PARENTS.has(parent)) {
          const canonical = canonicalQuantity(value);
          if (canonical !== value) report(at, `quantity ${value} is stored as ${canonical}`);
        }
        if (builtIn && value === '' && !key.endsWith('[]') && !STRING_MAPS.has(parent)) report(at, 'empty string (omitempty)');
      } else if (builtIn && DROPPED_WHEN_ZERO.has(key) && (value === false || value === 0)) {
        report(at, `${String(value)} (omitempty, dropped by the server)`);
      }
    };
    walk(o, '', '', '');
  }
  return found;
}

function allObjects(text?: string): Manifest[] {
  return synth(text).flatMap((e) => e.files.flatMap((f) => f.objects));
}

describe('GIVEN the output of every environment', () => {
  it('WHEN walked THEN it holds no empty list or map, no dropped zero value and no non-canonical quantity', () => {
    expect(serverRewrites(allObjects())).toEqual([]);
  });

  it('WHEN the spec writes quantities in non-canonical forms THEN the output has the canonical ones', () => {
    const text = editReference(
      ['requests: { cpu: 100m, memory: 128Mi }', 'requests: { cpu: "0.1", memory: 131072Ki }'],
      ['limits: { cpu: "1", memory: 512Mi }', 'limits: { cpu: 1000m, memory: 0.5Gi }'],
      ['postgres: { storage: { size: 50Gi', 'postgres: { storage: { size: 51200Mi'],
    );
    expect(serverRewrites(allObjects(text))).toEqual([]);
    const resources = allObjects(text).flatMap((o) => JSON.stringify(o).match(/"(cpu|memory|storage)":"[^"]+"/g) ?? []);
    expect(resources).toEqual(expect.arrayContaining(['"cpu":"100m"', '"memory":"128Mi"', '"cpu":"1"', '"memory":"512Mi"', '"storage":"50Gi"']));
  });

  it('WHEN a generated 24-service spec is synthesized THEN its output has none of them either', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'server-form-'));
    try {
      fs.writeFileSync(path.join(dir, 'bench.sql'), 'CREATE TABLE IF NOT EXISTS items (id UUID PRIMARY KEY);\n');
      const file = path.join(dir, 'platform.yaml');
      const objects = synthPlatform(loadPlatform(generatedSpec(24), file)).flatMap((e) => e.files.flatMap((f) => f.objects));
      expect(objects.length).toBeGreaterThan(300);
      expect(serverRewrites(objects)).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('GIVEN the Rollouts of every environment', () => {
  it('WHEN synthesized THEN they write no false the Argo Rollouts controller drops when it writes them back', () => {
    // Argo Rollouts 1.7 types these as plain bools with omitempty (pointers keep a false, e.g.
    // autoPromotionEnabled): a false written here is gone from the stored object after the
    // controller's first update, so each apply changes the spec again and moves the generation
    // (seen on the simulated cluster with dynamicStableScale: false).
    const PLAIN_BOOLS = ['dynamicStableScale'];
    const rollouts = allObjects().filter((o) => o.kind === 'Rollout');
    expect(rollouts.length).toBeGreaterThan(0);
    const written = rollouts.flatMap((o) => {
      const strategy = (o.spec as { strategy: Record<string, Record<string, unknown>> }).strategy;
      return Object.values(strategy).flatMap((s) => PLAIN_BOOLS.filter((k) => s[k] === false).map((k) => `${o.metadata.name}: ${k}`));
    });
    expect(written).toEqual([]);
  });
});

describe('canonicalQuantity (apimachinery Quantity.String())', () => {
  it.each([
    ['0.5', '500m'], ['1000m', '1'], ['1', '1'], ['1.0', '1'], ['100m', '100m'], ['1500m', '1500m'], ['0.1', '100m'],
    ['2000', '2k'], ['1500', '1500'], ['+1', '1'], ['0', '0'], ['0Gi', '0'], ['1e3', '1e3'], ['1000e0', '1e3'], ['0.5e3', '500'],
    ['1024Mi', '1Gi'], ['1Gi', '1Gi'], ['1536Mi', '1536Mi'], ['1.5Gi', '1536Mi'], ['0.5Gi', '512Mi'], ['0.5Ki', '512'],
    ['1M', '1M'], ['1000k', '1M'], ['1000M', '1G'], ['128974848', '128974848'], ['0.0000000001', '1n'],
  ])('%s is stored as %s', (written, stored) => {
    expect(canonicalQuantity(written)).toBe(stored);
  });

  it('reads a lone E as exa (10^18), not as an exponent', () => {
    // GIVEN quantities with the decimal suffix E WHEN made canonical THEN they keep their value (1E was read as 1)
    expect(['1E', '0.5E', '2E'].map(canonicalQuantity)).toEqual(['1E', '500P', '2E']);
  });
});

describe('GIVEN the data stores of every environment', () => {
  it('WHEN synthesized THEN each volume claim template states what the server stores, except a null timestamp and status', () => {
    // kubectl apply replaces the list whole unless it equals the stored one (checked on kube-apiserver 1.27.16);
    // a null creationTimestamp would make it equal but fails every schema validator (Time is a string).
    const statefulSets = allObjects().filter((o) => o.kind === 'StatefulSet');
    const templates = statefulSets.flatMap((s) => (s.spec as { volumeClaimTemplates?: Array<Record<string, any>> }).volumeClaimTemplates ?? []);
    expect(templates.length).toBeGreaterThanOrEqual(9);
    for (const t of templates) {
      expect(t).toMatchObject({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', spec: { volumeMode: 'Filesystem' } });
      expect(t.metadata).not.toHaveProperty('creationTimestamp');
      expect(t).not.toHaveProperty('status');
    }
  });
});
