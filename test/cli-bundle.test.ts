/** The CLI runs the bundle only while it was built from the lib/ and node_modules/ there are now. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { bundleState, loadCli, writeBundleStamp } from '../src/cli-bundle';

const roots: string[] = [];
afterAll(() => roots.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** A project root with lib/.tsbuildinfo, node_modules/.package-lock.json and optionally a bundle. */
function project(bundleSource?: string): { lib: string; tsc: string; packages: string; bundle: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-bundle-'));
  roots.push(root);
  const lib = path.join(root, 'lib');
  fs.mkdirSync(path.join(lib, 'bundle'), { recursive: true });
  fs.mkdirSync(path.join(root, 'node_modules'));
  const tsc = path.join(lib, '.tsbuildinfo');
  const packages = path.join(root, 'node_modules', '.package-lock.json');
  fs.writeFileSync(tsc, '{}');
  fs.writeFileSync(packages, '{}');
  const bundle = path.join(lib, 'bundle', 'cli.js');
  if (bundleSource !== undefined) {
    fs.writeFileSync(bundle, bundleSource);
    writeBundleStamp(lib);
  }
  return { lib, tsc, packages, bundle };
}

/** Rewrites a file as a later build or install would, with a new modification time. */
function rewriteLater(file: string): void {
  fs.writeFileSync(file, '{"changed":true}');
  const later = new Date(Date.now() + 5000);
  fs.utimesSync(file, later, later);
}

describe('bundleState', () => {
  test('a bundle stamped by its build is current', () => {
    expect(bundleState(project('exports.x = 1;\n').lib)).toBe('current');
  });

  test('tsc alone after the bundle makes it stale', () => {
    // GIVEN a bundle, then a tsc build that rewrites its build info
    const p = project('exports.x = 1;\n');
    rewriteLater(p.tsc);
    // THEN the bundle must not run: it holds older code than lib/src
    expect(bundleState(p.lib)).toBe('stale');
  });

  test('a package install after the bundle makes it stale', () => {
    const p = project('exports.x = 1;\n');
    rewriteLater(p.packages);
    expect(bundleState(p.lib)).toBe('stale');
  });

  test('a bundle without a stamp is stale, and no bundle is missing', () => {
    const p = project('exports.x = 1;\n');
    fs.rmSync(path.join(p.lib, 'bundle', 'cli.stamp.json'));
    expect(bundleState(p.lib)).toBe('stale');
    expect(bundleState(project().lib)).toBe('missing');
  });
});

describe('loadCli', () => {
  let stderr: jest.SpyInstance;
  beforeEach(() => { stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true); });
  afterEach(() => stderr.mockRestore());
  const env = { NODE_DISABLE_COMPILE_CACHE: '1' }; // jest's module system, not a V8 cache, is under test here

  test('a current bundle is what runs', () => {
    // GIVEN a current bundle that exports a marker
    const p = project("exports.runSynthCli = 'from the bundle';\n");
    // WHEN the CLI is loaded THEN it comes from the bundle, silently
    expect(loadCli(p.lib, path.join(p.lib, 'cache'), env).runSynthCli).toBe('from the bundle');
    expect(stderr).not.toHaveBeenCalled();
  });

  test('without a bundle the modules tsc compiled run, silently', () => {
    const cli = loadCli(project().lib, '/nonexistent', env);
    expect(typeof cli.runSynthCli).toBe('function');
    expect(stderr).not.toHaveBeenCalled();
  });

  test('a stale bundle does not run, and stderr says why', () => {
    const p = project("exports.runSynthCli = 'from the bundle';\n");
    rewriteLater(p.tsc);
    expect(typeof loadCli(p.lib, '/nonexistent', env).runSynthCli).toBe('function');
    expect(String(stderr.mock.calls[0][0])).toMatch(/^note: .*cli\.js was built from an older lib\/ or node_modules\/.*npm run build rebuilds the bundle\n$/);
  });

  test('a bundle that fails to load (half written, say) falls back to the modules, and stderr says why', () => {
    const p = project("throw new Error('truncated bundle');\n");
    expect(typeof loadCli(p.lib, '/nonexistent', env).runSynthCli).toBe('function');
    expect(String(stderr.mock.calls[0][0])).toMatch(/could not be loaded \(truncated bundle\)/);
  });
});
