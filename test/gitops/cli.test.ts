import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runSynthCli } from '../../src/cli';
import { editReference, REFERENCE_FILE } from '../helpers';

describe('synth CLI and dist/gitops/', () => {
  let dir: string;
  beforeEach(() => {
    jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-cli-'));
    fs.cpSync(path.join(path.dirname(REFERENCE_FILE), 'sql'), path.join(dir, 'sql'), { recursive: true });
  });
  afterEach(() => {
    jest.restoreAllMocks();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a synth of every environment writes dist/gitops/; a synth of some leaves it as it was', async () => {
    // GIVEN a spec with a gitops section
    const spec = path.join(dir, 'platform.yaml');
    fs.writeFileSync(spec, editReference(['platform:\n  name: shop\n', 'platform:\n  name: shop\n  gitops:\n    repoURL: https://github.com/shop-example/platform-manifests.git\n']));
    const out = path.join(dir, 'dist');
    // WHEN every environment is synthesized
    expect(await runSynthCli(['--config', spec, '--out', out], {})).toBe(0);
    // THEN dist/gitops/ holds the Argo CD and Flux files of each, beside the environments
    expect(fs.readdirSync(out).sort()).toEqual(['dev', 'gitops', 'prod', 'staging']);
    expect(fs.readdirSync(path.join(out, 'gitops', 'argocd')).sort()).toEqual(['dev.yaml', 'prod.yaml', 'staging.yaml']);
    expect(fs.readdirSync(path.join(out, 'gitops', 'flux')).sort()).toEqual(['dev.yaml', 'prod.yaml', 'staging.yaml']);
    expect(fs.readdirSync(path.join(out, 'prod'))).toContain('Kustomization');
    // WHEN one environment is synthesized again
    const before = fs.readFileSync(path.join(out, 'gitops', 'argocd', 'dev.yaml'), 'utf8');
    expect(await runSynthCli(['--env', 'prod', '--config', spec, '--out', out], {})).toBe(0);
    // THEN dist/gitops/ still names every environment
    expect(fs.readFileSync(path.join(out, 'gitops', 'argocd', 'dev.yaml'), 'utf8')).toBe(before);
    expect(fs.readdirSync(path.join(out, 'gitops', 'argocd')).sort()).toEqual(['dev.yaml', 'prod.yaml', 'staging.yaml']);
    // WHEN the gitops section is removed and every environment synthesized again
    fs.writeFileSync(spec, editReference());
    expect(await runSynthCli(['--config', spec, '--out', out], {})).toBe(0);
    // THEN the Argo CD and Flux objects are gone with it
    expect(fs.readdirSync(out).sort()).toEqual(['dev', 'prod', 'staging']);
  });
});
