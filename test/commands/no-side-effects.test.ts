/**
 * Library code does nothing when it is loaded: no module under src/ writes a file, prints or
 * exits on import. A user's program that bundles the library (esbuild, webpack) makes every
 * module `require.main`, so a `require.main === module` block would run there: the test loads
 * the modules the way such a program does.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildSync } from 'esbuild';

const ROOT = path.join(__dirname, '..', '..');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function modulesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const file = path.join(dir, e.name);
    if (e.isDirectory()) return modulesUnder(file);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [file] : [];
  });
}

describe('loading the library', () => {
  test('a program that bundles every module under src/ runs with a file argument: nothing is written, printed or run', () => {
    // GIVEN a user's program that imports every module of the library, bundled into one file
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'no-side-effects-'));
    dirs.push(work);
    const modules = modulesUnder(path.join(ROOT, 'src'));
    expect(modules.length).toBeGreaterThan(50);
    const program = path.join(work, 'program.js');
    buildSync({
      stdin: {
        contents: `${modules.map((m, i) => `import * as m${i} from ${JSON.stringify(m)};`).join('\n')}\nexport const all = [${modules.map((_, i) => `m${i}`).join(', ')}];\n`,
        resolveDir: ROOT,
        loader: 'ts',
      },
      bundle: true, platform: 'node', format: 'cjs', outfile: program, logLevel: 'silent',
    });
    // ... and a file the program's first argument names, as `node program.js FILE` passes it
    const victim = path.join(work, 'victim.txt');
    fs.writeFileSync(victim, 'the user\'s data\n');
    // WHEN the program runs
    const r = spawnSync(process.execPath, [program, victim, '--out', path.join(work, 'out')], { cwd: work, encoding: 'utf8' });
    // THEN it exits normally, printed nothing, and the directory holds exactly what was there
    expect({ status: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({ status: 0, stdout: '', stderr: '' });
    expect(fs.readFileSync(victim, 'utf8')).toBe('the user\'s data\n');
    expect(fs.readdirSync(work).sort()).toEqual(['program.js', 'victim.txt']);
  });

  test('entry points (code that acts when loaded) live outside src/', () => {
    // GIVEN every module under src/ WHEN its text is read THEN none tests for being the main module or reads process.argv
    const offenders = modulesUnder(path.join(ROOT, 'src'))
      .filter((m) => /require\.main|process\.argv/.test(fs.readFileSync(m, 'utf8')))
      .map((m) => path.relative(ROOT, m));
    expect(offenders).toEqual([]);
  });
});
