/**
 * `kustomize build` of a dist/<env>/ directory without kustomize: the files its Kustomization
 * lists, in order, parsed. Exact for the Kustomization synth writes (a list of files, fifo order,
 * no transformers; test/gitops/kustomization.test.ts compares it with kubectl kustomize); any
 * other kustomization is refused rather than built wrongly.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse, parseAllDocuments } from 'yaml';
import type { Manifest } from '../manifest';
import { KUSTOMIZATION_FILE } from './kustomization';

const MODELLED = new Set(['apiVersion', 'kind', 'resources', 'sortOptions']);

/** The objects `kustomize build dir` gives for a synthesized environment directory. */
export function buildKustomization(dir: string): Manifest[] {
  const file = path.join(dir, KUSTOMIZATION_FILE);
  const k = parse(fs.readFileSync(file, 'utf8')) as { resources?: unknown; sortOptions?: { order?: string } } & Record<string, unknown>;
  const other = Object.keys(k ?? {}).filter((key) => !MODELLED.has(key));
  if (other.length) throw new Error(`${file}: ${other.join(', ')} not modelled (only resources and sortOptions: fifo); use kubectl kustomize`);
  if (k.sortOptions && k.sortOptions.order !== 'fifo') throw new Error(`${file}: sortOptions.order "${k.sortOptions.order}" not modelled (only fifo); use kubectl kustomize`);
  if (!Array.isArray(k.resources) || !k.resources.every((r): r is string => typeof r === 'string' && /^[^/\\]+\.(ya?ml|json)$/.test(r) && !r.startsWith('.'))) {
    throw new Error(`${file}: resources must be file names in the directory`);
  }
  return k.resources.flatMap((r) => parseAllDocuments(fs.readFileSync(path.join(dir, r), 'utf8'))
    .map((d) => d.toJS() as Manifest | null)
    .filter((o): o is Manifest => o !== null));
}
