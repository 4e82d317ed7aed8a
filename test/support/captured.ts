/** Running a command's code in process with its output captured, and comparing output trees. */
import * as fs from 'fs';
import * as path from 'path';

/** What a command run in process returned and printed. */
export interface Run { code: number; stdout: string; stderr: string }

/** Runs `body` with process.stdout and process.stderr captured. */
export async function captured(body: () => number | Promise<number>): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((t) => { stdout += String(t); return true; });
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((t) => { stderr += String(t); return true; });
  try {
    const code = await body();
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

/** The first line where `written` and `expected` differ, with both versions. */
export function firstDifference(written: Buffer, expected: Buffer): string {
  const [a, b] = [written.toString('utf8').split('\n'), expected.toString('utf8').split('\n')];
  const i = Math.max(a.findIndex((line, k) => line !== b[k]), 0);
  return `line ${i + 1}: ${JSON.stringify(a[i])}; npm run synth: ${JSON.stringify(b[i])}`;
}

/** Every file under `dir` (relative paths, sorted) with its bytes. */
export function filesUnder(dir: string, under = ''): Array<[string, Buffer]> {
  return fs.readdirSync(path.join(dir, under), { withFileTypes: true })
    .flatMap((e): Array<[string, Buffer]> => {
      const rel = path.posix.join(under, e.name);
      return e.isDirectory() ? filesUnder(dir, rel) : [[rel, fs.readFileSync(path.join(dir, rel))]];
    })
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
