/**
 * What the package ships: lib/ compiled from src/ and imports/ only. Scripts (bin/, tools/,
 * scripts/) and tests stay out. `npm pack --dry-run` shows the same, but compiles first (prepack);
 * this reads the two settings that decide it.
 */
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');
const read = (file: string) => JSON.parse(fs.readFileSync(path.join(ROOT, file), 'utf8').replace(/^\s*\/\/.*$/gm, '')) as Record<string, unknown>;

describe('the package', () => {
  test('ships only JavaScript and declarations of lib/src and lib/imports', () => {
    // GIVEN package.json WHEN its files are read THEN each pattern lies in lib/src or lib/imports
    const files = read('package.json').files as string[];
    expect(files.length).toBeGreaterThan(0);
    expect(files.filter((f) => !/^lib\/(src|imports)\/\*\*\/\*\.(js|d\.ts)$/.test(f))).toEqual([]);
  });

  test('compiles only src/ and imports/ into lib/ (bin/, tools/, scripts/ and test/ are not built)', () => {
    // GIVEN the build's tsconfig WHEN its inputs are read THEN they are src/ and imports/
    const build = read('tsconfig.build.json');
    expect(build.include).toEqual(['src/**/*.ts', 'imports/**/*.ts']);
    expect((build.compilerOptions as Record<string, unknown>).outDir).toBe('lib');
  });
});
