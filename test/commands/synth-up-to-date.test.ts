/**
 * `npm run synth` run again with nothing changed: the launcher prints what the last synth printed
 * and does not synthesize (tools/result-cache.cjs); a change to a file the spec names makes it
 * synthesize. The launcher's own tests (launch.test.ts) cover the other changes on a small entry.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CONFIG_DIR } from '../helpers';
import { pastLauncherRaceMargin, runNode } from '../support/node-process';

const ROOT = path.join(__dirname, '..', '..');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** `npm run synth`'s command in `dir` (the project's launcher and bundles); resolves to its output and trace. */
async function synth(dir: string): Promise<{ status: number | null; stdout: string; result: string }> {
  const scripts = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts as Record<string, string>;
  const nodeOptions = /^node((?: --\S+)*) tools\/launch\.cjs bin\/synth\.ts$/.exec(scripts.synth)![1].trim().split(' ');
  const r = await runNode([...nodeOptions, path.join(ROOT, 'tools', 'launch.cjs'), 'bin/synth.ts'], dir, { PLATFORM_LAUNCH_TRACE: '1' });
  return { status: r.status, stdout: r.stdout, result: JSON.parse(/^platform-launch (\{.*\})$/m.exec(r.stderr)![1]).result };
}

/** Each output file's content and stamp (size, mtime, ctime, inode). */
function outputOf(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else {
        const s = fs.statSync(p);
        out[path.relative(dir, p)] = `${s.size} ${s.mtimeMs} ${s.ctimeMs} ${s.ino} ${fs.readFileSync(p, 'utf8')}`;
      }
    }
  };
  walk(dir);
  return out;
}

test('npm run synth with nothing changed prints what the last synth printed and writes nothing; a changed SQL file the spec names is synthesized', async () => {
  // GIVEN a user's project (its spec names three SQL files) synthesized once
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-up-to-date-'));
  dirs.push(dir);
  fs.cpSync(CONFIG_DIR, path.join(dir, 'config'), { recursive: true });
  await pastLauncherRaceMargin(dir);
  const first = await synth(dir);
  expect([first.status, first.result]).toEqual([0, 'recorded']);
  const written = outputOf(path.join(dir, 'dist'));
  // WHEN it runs again
  const again = await synth(dir);
  // THEN it did not synthesize: the same lines about the output, then why; every file as it was
  expect([again.status, again.result]).toEqual([0, 'hit']);
  const lines = first.stdout.split('\n').filter((l) => l.startsWith('dist/'));
  expect(again.stdout).toBe(`${lines.join('\n')}\nup to date: the spec, the files it names, the code and the output are as the last synth left them (PLATFORM_RESULT_CACHE=off synthesizes anyway)\n`);
  expect(outputOf(path.join(dir, 'dist'))).toEqual(written);
  // WHEN a SQL file the spec names changes THEN the synth runs, and the output holds the new SQL
  fs.appendFileSync(path.join(dir, 'config', 'sql', 'user_service.sql'), '-- changed\n');
  const changed = await synth(dir);
  expect(changed.status).toBe(0);
  expect(changed.result).not.toBe('hit');
  expect(fs.readFileSync(path.join(dir, 'dist', 'prod', '20-data.yaml'), 'utf8')).toContain('-- changed');
});
