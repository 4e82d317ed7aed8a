/**
 * Reading the spec and the files it names, for specs from anyone's pull request: a spec must not
 * copy files from outside its own directory tree into the output (`/proc/self/environ` would put
 * the CI's secrets into a ConfigMap), nor make the synth read without end (`/dev/zero`, a FIFO).
 * Every file is opened without blocking, must be a regular file below a size cap and valid UTF-8.
 */
import * as fs from 'fs';
import * as path from 'path';
import { quote } from './escape';

/** The largest spec file read (16 MiB: a spec of thousands of services fits many times over). */
export const MAX_SPEC_BYTES = 16 * 1024 * 1024;
/** The largest file a spec names: it goes into a ConfigMap, which cannot hold more than 1 MiB. */
export const MAX_REFERENCED_FILE_BYTES = 1024 * 1024;

/** What a file was when it was read (fstat of the open file): a later stat that differs means it changed since. */
export interface FileIdentity {
  /** Size in bytes. */
  readonly size: number;
  /** Last change of the content, in ms. */
  readonly mtimeMs: number;
  /** Last change of the content or the inode, in ms (cannot be set back). */
  readonly ctimeMs: number;
  /** Inode number. */
  readonly ino: number;
}

/** A file's text (and what the file was when read), or why it cannot be used (a sentence fragment naming the problem). */
export type FileRead = { readonly text: string; readonly identity?: FileIdentity } | { readonly problem: string; readonly line?: number };

/**
 * Reads a regular file of at most `maxBytes` as strict UTF-8 (a leading BOM is dropped).
 * Opens with O_NONBLOCK (a FIFO would block the open) and O_NOFOLLOW when `noFollow` is set.
 */
export function readTextFile(file: string, maxBytes: number, noFollow = false): FileRead {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | (noFollow ? fs.constants.O_NOFOLLOW : 0));
  } catch (e) {
    return { problem: ioProblem(e) };
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) return { problem: `is not a regular file (${kindOf(stat)})` };
    if (stat.size > maxBytes) return { problem: `is ${stat.size} bytes, more than the ${maxBytes} allowed` };
    // Read at most one byte past the cap: a file that grows while it is read is caught too.
    const buffer = Buffer.alloc(Math.min(stat.size, maxBytes) + 1);
    let length = 0;
    for (;;) {
      const n = fs.readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
      if (length === buffer.length) {
        if (length > maxBytes) return { problem: `is more than the ${maxBytes} bytes allowed` };
        break;
      }
    }
    const decoded = decodeUtf8(buffer.subarray(0, length));
    return 'text' in decoded ? { text: decoded.text, identity: { size: stat.size, mtimeMs: stat.mtimeMs, ctimeMs: stat.ctimeMs, ino: stat.ino } } : decoded;
  } catch (e) {
    return { problem: ioProblem(e) };
  } finally {
    fs.closeSync(fd);
  }
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Strict UTF-8: an invalid byte is a problem with its line and column (never U+FFFD). */
export function decodeUtf8(bytes: Uint8Array): FileRead {
  try {
    return { text: STRICT_UTF8.decode(bytes) };
  } catch {
    const at = firstInvalidUtf8(bytes);
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < at; i++) {
      if (bytes[i] === 0x0a) {
        line++;
        lineStart = i + 1;
      }
    }
    return {
      problem: `is not valid UTF-8: byte 0x${bytes[at].toString(16).padStart(2, '0')} at line ${line}, column ${at - lineStart + 1} (byte offset ${at}); save the file as UTF-8`,
      line,
    };
  }
}

/** Offset of the first byte that does not start or continue a valid UTF-8 sequence. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    let need: number;
    let min: number;
    if (b < 0x80) { i++; continue; }
    if (b >= 0xc2 && b <= 0xdf) { need = 1; min = 0x80; }
    else if (b >= 0xe0 && b <= 0xef) { need = 2; min = 0x800; }
    else if (b >= 0xf0 && b <= 0xf4) { need = 3; min = 0x10000; }
    else return i;
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return bytes.length;
}

/**
 * The files a spec names, read once each, and only from below `root` (the spec file's directory
 * unless the user passes another with --files-root) after resolving symbolic links.
 */
export class SpecFiles {
  private readonly root: string;
  /** The root as given (resolved, links kept). */
  private readonly givenRoot: string;
  private readonly cache = new Map<string, FileRead>();

  /**
   * @param baseDir directory relative references start from (the spec file's)
   * @param root directory every referenced file must lie in, after resolving links @default baseDir
   */
  constructor(private readonly baseDir: string, root?: string) {
    const given = path.resolve(root ?? baseDir);
    this.givenRoot = given;
    let real: string;
    try {
      real = fs.realpathSync(given);
    } catch {
      real = given;
    }
    this.root = real;
  }

  /** The text of a file the spec names (relative to the spec's directory), or why it cannot be used. */
  public read(reference: string): FileRead {
    let read = this.cache.get(reference);
    if (!read) {
      read = this.readUncached(reference);
      this.cache.set(reference, read);
    }
    return read;
  }

  /**
   * Every file asked for so far, as named (absolute, links kept), what each was when read
   * (undefined for one that could not be), and the directory they must lie in.
   */
  public readFrom(): { files: string[]; asRead: Array<FileIdentity | undefined>; filesRoot: string } {
    const reads = [...this.cache];
    return {
      files: reads.map(([reference]) => path.resolve(this.baseDir, reference)),
      asRead: reads.map(([, read]) => ('identity' in read ? read.identity : undefined)),
      filesRoot: this.givenRoot,
    };
  }

  /** The text of a file the spec names; throws when it cannot be used (the loader reports that first). */
  public text(reference: string): string {
    const read = this.read(reference);
    if ('problem' in read) throw new Error(`file ${quote(reference)} ${read.problem}`);
    return read.text;
  }

  private readUncached(reference: string): FileRead {
    if (reference.includes('\0')) return { problem: 'contains a NUL character' };
    let real: string;
    try {
      real = fs.realpathSync(path.resolve(this.baseDir, reference));
    } catch (e) {
      return { problem: ioProblem(e) };
    }
    const rel = path.relative(this.root, real);
    if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) {
      return {
        problem: `resolves to ${quote(real)}, outside ${quote(this.root)}; files the spec names must lie in the spec file's directory tree (symbolic links are followed), or under the directory given with --files-root`,
      };
    }
    // realpath resolved every link; O_NOFOLLOW refuses one swapped in since.
    return readTextFile(real, MAX_REFERENCED_FILE_BYTES, true);
  }
}

function kindOf(stat: fs.Stats): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  return 'not a file';
}

function ioProblem(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT': return 'does not exist';
    case 'EACCES': case 'EPERM': return 'cannot be read (permission denied)';
    case 'EISDIR': return 'is not a regular file (a directory)';
    case 'ELOOP': return 'is a symbolic link loop, or was replaced by a link while being read';
    case 'ENOTDIR': return 'does not exist (a part of the path is not a directory)';
    case 'ENAMETOOLONG': return 'has a name too long for the file system';
    default: return `cannot be read (${code ?? (e as Error).message})`;
  }
}
