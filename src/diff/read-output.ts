/**
 * Reads an existing output directory the way `kubectl apply -f DIR` does: every .yaml, .yml
 * and .json file directly inside it (reports such as REPORT.md are not manifests).
 */
import * as fs from 'fs';
import * as path from 'path';
import { LineCounter, parseAllDocuments } from 'yaml';
import { Manifest, ManifestFile, renderFile } from '../synth';
import { LocatedManifest } from './identity';

/** A file in the output that is not what the plan can compare, at file:line. */
export interface OutputProblem {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

/** What was read: the objects, and the problems that stop a plan. */
export interface OutputContents {
  /** False when the directory does not exist (nothing was synthesized yet). */
  readonly exists: boolean;
  readonly objects: LocatedManifest[];
  readonly problems: OutputProblem[];
}

const MANIFEST_FILE = /\.(ya?ml|json)$/;

/** How to read an output directory. */
export interface ReadOutputOptions {
  /**
   * The files a synth of the spec writes (a SynthesizedEnvironment's `files`): a file of the
   * directory whose bytes are exactly what the synth writes for it is read as those objects, not
   * parsed (the emitter writes the same bytes only for the same objects; parsing was most of the
   * time of a plan with nothing to show). Any other file is parsed.
   * @default [] (every file is parsed)
   */
  readonly expected?: readonly ManifestFile[];
}

/** Reads every manifest file in `dir`, in name order. */
export function readOutputDir(dir: string, options: ReadOutputOptions = {}): OutputContents {
  if (!fs.existsSync(dir)) return { exists: false, objects: [], problems: [] };
  const objects: LocatedManifest[] = [];
  const problems: OutputProblem[] = [];
  const expected = new Map((options.expected ?? []).map((f) => [f.name, f]));
  const names = fs.readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && MANIFEST_FILE.test(e.name) && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort();
  for (const name of names) {
    const text = fs.readFileSync(path.join(dir, name), 'utf8');
    const same = expected.get(name);
    if (same && text === renderFile(same)) {
      objects.push(...same.objects.map((object) => ({ file: name, object })));
      continue;
    }
    const lines = new LineCounter();
    // JSON is YAML, so one parser reads both and knows the lines.
    for (const doc of parseAllDocuments(text, { lineCounter: lines })) {
      const line = lines.linePos(doc.range[0]).line;
      if (doc.errors.length) {
        problems.push({ file: name, line: lines.linePos(doc.errors[0].pos[0]).line, message: `invalid YAML: ${doc.errors[0].message.split('\n')[0]}` });
        continue;
      }
      const data: unknown = doc.toJS();
      if (data === null || data === undefined) continue;
      const items = isList(data) ? data.items : [data];
      for (const item of items) {
        if (isManifest(item)) objects.push({ file: name, object: item });
        else problems.push({ file: name, line, message: 'not a Kubernetes object: it needs apiVersion, kind and metadata.name' });
      }
    }
  }
  return { exists: true, objects, problems };
}

function isList(v: unknown): v is { items: unknown[] } {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'List' && Array.isArray((v as { items?: unknown }).items);
}

function isManifest(v: unknown): v is Manifest {
  const o = v as Partial<Manifest> | null;
  return typeof o === 'object' && o !== null && typeof o.apiVersion === 'string' && typeof o.kind === 'string'
    && typeof o.metadata === 'object' && o.metadata !== null && typeof o.metadata.name === 'string';
}
