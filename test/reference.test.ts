/**
 * The reference spec (config/) and the README walkthrough built on it: the only test file that
 * reads config/ or the README. Everything else tests the library on the fixture spec
 * (test/fixtures/platform), so users can change config/platform.yaml freely; after such a
 * change, this file says what to regenerate: the output snapshot (`npx jest test/reference.test.ts -u`),
 * docs/reference-platform.md (`npm run docs`) or config/platform.schema.json (`npm run schema`).
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse, parseDocument } from 'yaml';
import { runCheckCli } from '../src/check-cli';
import { runSynthCli } from '../src/cli';
import { referenceDoc } from '../tools/reference-doc';
import { KUSTOMIZATION_FILE } from '../src/gitops';
import { loadPlatformFile } from '../src/spec/load';
import { renderJsonSchema } from '../src/spec/json-schema';
import { synthPlatform } from '../src/synth';
import { captured } from './support/captured';
import { tempDir } from './support/temp-dirs';

const ROOT = path.join(__dirname, '..');
const REFERENCE_DIR = path.join(ROOT, 'config');
const REFERENCE_SPEC = path.join(REFERENCE_DIR, 'platform.yaml');
const WALKTHROUGH_HEADING = '## Add a service';

let referenceSynth: Promise<string> | undefined;
/**
 * `npm run synth`'s output for config/platform.yaml (its CLI, in process), written once per run of
 * this file.
 */
function npmRunSynth(): Promise<string> {
  referenceSynth ??= (async () => {
    const out = path.join(tempDir('reference-synth-'), 'dist');
    const run = await captured(() => runSynthCli(['--config', REFERENCE_SPEC, '--out', out], {}));
    if (run.code !== 0) throw new Error(`npm run synth of the reference failed (${run.code}):\n${run.stderr}`);
    return out;
  })();
  return referenceSynth;
}

/** Runs `npm run check` in process; returns its exit code and what it printed. */
function check(...argv: string[]): { code: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const code = runCheckCli(argv, {}, { write: (t) => { stdout += t; }, error: (t) => { stderr += t; } });
  return { code, stdout, stderr };
}

/** A copy of config/platform.yaml and config/sql/ in a new directory; returns the spec's path. */
function copyOfReference(): string {
  const dir = tempDir('reference-');
  fs.copyFileSync(REFERENCE_SPEC, path.join(dir, 'platform.yaml'));
  fs.cpSync(path.join(REFERENCE_DIR, 'sql'), path.join(dir, 'sql'), { recursive: true });
  return path.join(dir, 'platform.yaml');
}

/** The first ```yaml block after `heading` in a Markdown text (before the next heading of its level). */
function firstYamlBlockAfter(markdown: string, heading: string): string {
  const lines = markdown.split('\n');
  const start = lines.findIndex((l) => l.trim() === heading);
  if (start < 0) throw new Error(`README.md has no heading "${heading}"`);
  const level = heading.split(' ')[0];
  const block: string[] = [];
  let inside = false;
  for (const line of lines.slice(start + 1)) {
    if (!inside && line.startsWith(`${level} `)) break;
    if (!inside && line.trim() === '```yaml') inside = true;
    else if (inside && line.trim() === '```') return `${block.join('\n')}\n`;
    else if (inside) block.push(line);
  }
  throw new Error(`README.md has no \`\`\`yaml block under "${heading}"`);
}

/**
 * Adds `entry` (YAML indented as under `services:`) as the last service of the spec text, where
 * a user would paste it: before the next top-level key after `services:`.
 */
function addService(spec: string, entry: string): string {
  const lines = spec.split('\n');
  const services = lines.indexOf('services:');
  if (services < 0) throw new Error('the spec has no top-level "services:"');
  let next = lines.findIndex((l, i) => i > services && /^[^\s#]/.test(l));
  if (next < 0) next = lines.length;
  return [...lines.slice(0, next), ...entry.replace(/\n$/, '').split('\n'), ...lines.slice(next)].join('\n');
}

/** Every `database.schema` file named in a services block (relative to the spec's directory). */
function schemaFiles(entry: string): string[] {
  const services = parse(entry) as Record<string, { database?: { schema?: string } }>;
  return Object.values(services).flatMap((s) => (s.database?.schema ? [s.database.schema] : []));
}

describe('the reference spec (config/platform.yaml)', () => {
  test('passes `npm run check`: it loads, every check passes and every environment synthesizes', () => {
    // GIVEN the reference spec WHEN it is checked
    const r = check('--config', REFERENCE_SPEC);
    // THEN it is valid, and the summary names every environment
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/: valid: 3 environment\(s\) \(dev, staging, prod\), \d+ objects/);
  });

  // The whole output, per environment: what the README and docs show users. The fixture's
  // behaviour tests say what must be true of it; this says what changed.
  describe('output snapshot', () => {
    const loaded = loadPlatformFile(REFERENCE_SPEC);
    test.each(loaded.environments.map((e) => e.name))('%s', async (name) => {
      // The manifest files `npm run synth` wrote, as its Kustomization lists them.
      const dir = path.join(await npmRunSynth(), name);
      const manifests = (parse(fs.readFileSync(path.join(dir, KUSTOMIZATION_FILE), 'utf8')) as { resources: string[] }).resources;
      expect(Object.fromEntries(manifests.map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]))).toMatchSnapshot();
    });
  });

  test('names its editor schema in the modeline and in $schema', () => {
    const text = fs.readFileSync(REFERENCE_SPEC, 'utf8');
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=./platform.schema.json');
    expect(parse(text).$schema).toBe('./platform.schema.json');
  });

  test('config/platform.schema.json is the current editor schema (run `npm run schema` after changing src/spec/schema.ts)', () => {
    expect(fs.readFileSync(path.join(REFERENCE_DIR, 'platform.schema.json'), 'utf8')).toBe(renderJsonSchema());
  });

  test('docs/reference-platform.md is its current prod report (run `npm run docs` after changing the spec or the constructs)', () => {
    const committed = fs.readFileSync(path.join(ROOT, 'docs', 'reference-platform.md'), 'utf8');
    expect(committed).toBe(referenceDoc(REFERENCE_SPEC, 'prod'));
  });
});

describe(`the README walkthrough "${WALKTHROUGH_HEADING}", applied to a copy of the reference`, () => {
  const entry = firstYamlBlockAfter(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8'), WALKTHROUGH_HEADING);

  test('the README block is one service entry that names its SQL schema file', () => {
    // GIVEN the first yaml block under the heading
    // THEN it is a mapping of one new service, with a database schema file to create
    expect(parseDocument(entry).errors).toEqual([]);
    const names = Object.keys(parse(entry) as object);
    expect(names).toHaveLength(1);
    expect(Object.keys(loadPlatformFile(REFERENCE_SPEC).environments[0].services)).not.toContain(names[0]);
    expect(schemaFiles(entry)).toHaveLength(1);
  });

  test('`npm run check` accepts the reference with the new service, and every environment gets it', () => {
    // GIVEN a copy of config/ with the README's entry added under services: and its SQL file created
    const spec = copyOfReference();
    fs.writeFileSync(spec, addService(fs.readFileSync(spec, 'utf8'), entry));
    for (const file of schemaFiles(entry)) {
      fs.writeFileSync(path.join(path.dirname(spec), file), 'CREATE TABLE IF NOT EXISTS payments (id UUID PRIMARY KEY);\n');
    }
    // WHEN the spec is checked
    const r = check('--config', spec);
    // THEN it is valid
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // AND every environment synthesizes the new service (its own file of objects)
    const [name] = Object.keys(parse(entry) as object);
    for (const env of synthPlatform(loadPlatformFile(spec))) {
      expect(env.files.map((f) => f.name)).toContain(`30-${name}.yaml`);
    }
  });

  test('without its SQL file, `npm run check` fails and says which file is missing', () => {
    // GIVEN the entry added but the schema file not created
    const spec = copyOfReference();
    fs.writeFileSync(spec, addService(fs.readFileSync(spec, 'utf8'), entry));
    // WHEN checked THEN it exits 1 naming the file
    const r = check('--config', spec);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(schemaFiles(entry)[0]);
  });
});
