/**
 * dist/<env>/ replaced whole. Files go to a hidden temporary directory beside it as soon as
 * they are rendered and are written on libuv's threads while synthesis goes on, so disk time
 * overlaps the rendering of the next files. `commit` waits for every write and renames the
 * directories into place; `abort` removes them. The previous output is untouched until commit.
 * A synth that was killed leaves its hidden directory behind; the next one removes it.
 */
import * as fs from 'fs';
import * as path from 'path';

/** Names of staging directories and of replaced outputs being removed: `.<env>.tmp-XXXXXX[.old]`. */
const STAGING = /^\.[a-z0-9-]+\.tmp-[A-Za-z0-9]{6}(\.old)?$/;

export class StagedOutput {
  /** Environment name -> its temporary directory. */
  private readonly staged = new Map<string, string>();
  private readonly writes: Array<Promise<void>> = [];
  private failure: Error | undefined;
  private createdOutDir = false;

  constructor(private readonly outDir: string) {}

  /** Starts writing one file of an environment (a relative path such as "30-user-service.yaml"). */
  public write(environment: string, fileName: string, text: string): void {
    try {
      const file = this.fileOf(environment, fileName);
      // Failures are kept and raised by commit; a rejected write must not go unhandled meanwhile.
      this.writes.push(fs.promises.writeFile(file, text).catch((e: Error) => { this.failure ??= e; }));
    } catch (e) {
      // Raised by commit too, so that synthesis still reports every spec problem first.
      this.failure ??= e as Error;
    }
  }

  /** Writes one file of an environment now; a failure throws here. */
  public writeSync(environment: string, fileName: string, text: string): void {
    fs.writeFileSync(this.fileOf(environment, fileName), text);
  }

  /** Waits for every write, then replaces <outDir>/<env>/ for each of `environments`. */
  public async commit(environments: readonly string[]): Promise<void> {
    await Promise.all(this.writes);
    if (this.failure) {
      const failure = this.failure;
      this.abortSync();
      throw failure;
    }
    this.commitSync(environments);
  }

  /** Replaces <outDir>/<env>/ for each of `environments`; for files written with writeSync. */
  public commitSync(environments: readonly string[]): void {
    for (const env of environments) replaceDirectory(this.dirOf(env), path.join(this.outDir, env));
    this.staged.clear();
  }

  /** Waits for pending writes and removes every temporary directory (and an output directory it created). */
  public async abort(): Promise<void> {
    await Promise.all(this.writes);
    this.abortSync();
  }

  /** Removes every temporary directory now (and an output directory it created and left empty). */
  public abortSync(): void {
    for (const dir of this.staged.values()) fs.rmSync(dir, { recursive: true, force: true });
    this.staged.clear();
    if (this.createdOutDir && fs.existsSync(this.outDir) && fs.readdirSync(this.outDir).length === 0) fs.rmdirSync(this.outDir);
  }

  /** The staged path of a file, with its directory created. */
  private fileOf(environment: string, fileName: string): string {
    const dir = this.dirOf(environment);
    const file = path.join(dir, fileName);
    if (path.dirname(file) !== dir) fs.mkdirSync(path.dirname(file), { recursive: true });
    return file;
  }

  private dirOf(environment: string): string {
    let dir = this.staged.get(environment);
    if (!dir) {
      if (this.staged.size === 0) this.prepareOutDir();
      dir = fs.mkdtempSync(path.join(this.outDir, `.${environment}.tmp-`));
      this.staged.set(environment, dir);
    }
    return dir;
  }

  /** Creates the output directory, or removes what an interrupted synth left in it. */
  private prepareOutDir(): void {
    if (!fs.existsSync(this.outDir)) {
      fs.mkdirSync(this.outDir, { recursive: true });
      this.createdOutDir = true;
      return;
    }
    for (const name of fs.readdirSync(this.outDir)) {
      if (STAGING.test(name)) fs.rmSync(path.join(this.outDir, name), { recursive: true, force: true });
    }
  }
}

/** Moves a complete directory into place of `final`, removing what was there. */
function replaceDirectory(complete: string, final: string): void {
  const old = `${complete}.old`;
  if (fs.existsSync(final)) fs.renameSync(final, old);
  fs.renameSync(complete, final);
  fs.rmSync(old, { recursive: true, force: true });
}
